#!/usr/bin/env bash
# Hardware-in-loop check, MQTT round trip: request/selftest to the daemon, its response back (mosquitto clients).
# Usage: scripts/hil/mqtt.sh [--config FILE] [--json] [--button-timeout S]
exec "$(dirname "${BASH_SOURCE[0]}")/run-step.sh" mqtt "$@"

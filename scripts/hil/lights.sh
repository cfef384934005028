#!/usr/bin/env bash
# Hardware-in-loop check, every button light on, then blinking; press START to confirm.
# Usage: scripts/hil/lights.sh [--config FILE] [--json] [--button-timeout S]
exec "$(dirname "${BASH_SOURCE[0]}")/run-step.sh" lights "$@"

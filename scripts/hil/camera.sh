#!/usr/bin/env bash
# Hardware-in-loop check, camera: frames arrive at at least half the configured fps.
# Usage: scripts/hil/camera.sh [--config FILE] [--json] [--button-timeout S]
exec "$(dirname "${BASH_SOURCE[0]}")/run-step.sh" camera "$@"

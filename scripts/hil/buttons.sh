#!/usr/bin/env bash
# Hardware-in-loop check, each button pressed within the time limit (its light blinks; demo mode presses them itself).
# Usage: scripts/hil/buttons.sh [--config FILE] [--json] [--button-timeout S]
exec "$(dirname "${BASH_SOURCE[0]}")/run-step.sh" buttons "$@"

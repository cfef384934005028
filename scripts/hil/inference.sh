#!/usr/bin/env bash
# Hardware-in-loop check, execution provider in use (must be the first configured) and its speed.
# Usage: scripts/hil/inference.sh [--config FILE] [--json] [--button-timeout S]
exec "$(dirname "${BASH_SOURCE[0]}")/run-step.sh" inference "$@"

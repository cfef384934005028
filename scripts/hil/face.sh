#!/usr/bin/env bash
# Hardware-in-loop check, a face is found in the camera picture (stand in front of it).
# Usage: scripts/hil/face.sh [--config FILE] [--json] [--button-timeout S]
exec "$(dirname "${BASH_SOURCE[0]}")/run-step.sh" face "$@"

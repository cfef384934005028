#!/usr/bin/env bash
# Every hardware-in-loop check in booth order (the whole `pokerface selftest`).
# Usage: scripts/hil/all.sh [--config FILE] [--json] [--button-timeout S]
exec "$(dirname "${BASH_SOURCE[0]}")/run-step.sh" camera,face,inference,buttons,lights,player,mqtt,rest "$@"

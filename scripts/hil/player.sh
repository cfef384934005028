#!/usr/bin/env bash
# Hardware-in-loop check, a test clip plays on the screen with an on-screen text; press START to confirm.
# Usage: scripts/hil/player.sh [--config FILE] [--json] [--button-timeout S]
exec "$(dirname "${BASH_SOURCE[0]}")/run-step.sh" player "$@"

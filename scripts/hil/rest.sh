#!/usr/bin/env bash
# Hardware-in-loop check, REST API reachable: GET /api/version and /api/health.
# Usage: scripts/hil/rest.sh [--config FILE] [--json] [--button-timeout S]
exec "$(dirname "${BASH_SOURCE[0]}")/run-step.sh" rest "$@"

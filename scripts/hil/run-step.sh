#!/usr/bin/env bash
# Runs one or more selftest steps: scripts/hil/run-step.sh STEP[,STEP] [selftest options]
# The per-step scripts beside this one call it. Options are those of
# `pokerface selftest` (--config FILE, --json, --button-timeout S, --verbose).
set -euo pipefail
here=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
repo=$(cd "$here/../.." && pwd)
step=${1:?usage: run-step.sh STEP[,STEP] [--config FILE] [--json]}
shift

# The selftest runs the modules itself: with the service running, the camera, the mpv
# socket and the ports are busy.
if command -v systemctl >/dev/null 2>&1 && systemctl is-active --quiet pokerface 2>/dev/null; then
  echo "note: the pokerface service is running; stop it first: sudo systemctl stop pokerface" >&2
fi

config_given=0
for a in "$@"; do
  case "$a" in --config|--config=*|-c) config_given=1 ;; esac
done
args=(selftest --only "$step")
if [ "$config_given" -eq 0 ] && [ -z "${POKERFACE_CONFIG:-}" ] && [ -r /etc/pokerface/config.yaml ]; then
  args+=(--config /etc/pokerface/config.yaml)
fi

if [ -f "$repo/dist/cli.js" ]; then
  exec node "$repo/bin/pokerface.js" "${args[@]}" "$@"
elif command -v pokerface >/dev/null 2>&1; then
  exec pokerface "${args[@]}" "$@"
else
  echo "run-step.sh: build pokerface first (npm run build)" >&2
  exit 70
fi

#!/usr/bin/env bash
# Recover a wedged CSI camera on a Jetson: "Failed to create CaptureSession" or
# nvarguscamerasrc stalling after the capture process was killed. Stops pokerface,
# restarts nvargus-daemon, starts pokerface again. Run as root. See docs/jetson.md.
set -euo pipefail
if [ "$(id -u)" -ne 0 ]; then echo "restart-argus.sh: run as root" >&2; exit 77; fi
was_active=0
if systemctl is-active --quiet pokerface; then was_active=1; systemctl stop pokerface; fi
systemctl restart nvargus-daemon
# the daemon needs a moment before it accepts sessions again
sleep 2
systemctl is-active --quiet nvargus-daemon || { journalctl -u nvargus-daemon -n 30 --no-pager; exit 1; }
if [ "$was_active" -eq 1 ]; then systemctl start pokerface; fi
echo "nvargus-daemon restarted${was_active:+; pokerface started again}"

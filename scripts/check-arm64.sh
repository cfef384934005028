#!/usr/bin/env bash
# Checks that pokerface installs and works on arm64, on an x86-64 machine, under emulation:
# builds (once, then reuses) an arm64 Debian 12 root with Debian's own debootstrap and
# qemu-user-static, copies the project's tracked files into it, and there runs the
# project's own scripts/install-node.sh and scripts/setup.sh (no OpenCV). Then, inside
# the root:
#   - the model parity tests (TF.js reference against our ONNX conversions);
#   - `pokerface detect --json` on the face-api demo photos, compared with the same command
#     run here on x86-64 (max abs difference of every emotion probability, detection score
#     and box coordinate);
#   - the unit tests;
#   - one whole demo round (file camera -> inference -> judge -> mpv --vo=null -> MQTT
#     `cracked`): test/e2e/booth.test.ts "a smile cracks".
# Prints one JSON summary on stdout (progress goes to stderr, logs to the cache folder)
# and exits non-zero when anything failed. Emulation is slow (an hour or more from
# nothing); it is not part of `npm test`. Run as root (debootstrap, chroot, mounts).
#
#   scripts/check-arm64.sh                 everything (the root is cached in .cache/arm64)
#   scripts/check-arm64.sh --reuse-setup   keep the root's node_modules from the last run;
#                                          copy the sources, then build, models, demo media
#   scripts/check-arm64.sh --only parity,detect,unit,e2e   run only these checks
#   POKERFACE_ARM64_CACHE=/var/tmp/pf-arm64 scripts/check-arm64.sh
#
# Nothing is downloaded from anywhere but Debian's apt archive and the npm registry.
set -euo pipefail
cd "$(dirname "$0")/.."
SRC=$(pwd)

REUSE=0
ONLY="parity,detect,unit,e2e"
while [ $# -gt 0 ]; do
  case "$1" in
    --reuse-setup) REUSE=1 ;;
    --only) ONLY="$2"; shift ;;
    -h|--help) sed -n '2,23p' "$0"; exit 0 ;;
    *) echo "check-arm64.sh: unknown option $1 (try --help)" >&2; exit 64 ;;
  esac
  shift
done
wants() { case ",$ONLY," in *",$1,"*) return 0 ;; *) return 1 ;; esac; }

CACHE="${POKERFACE_ARM64_CACHE:-$SRC/.cache/arm64}"
R="$CACHE/rootfs"
MIRROR="${DEBIAN_MIRROR:-http://deb.debian.org/debian}"
SUITE=bookworm
# Not /opt/pokerface: test/unit/ops/install-service.test.ts checks that the app dir replaces it.
APP=/srv/pokerface-arm64-check
OUT="$CACHE/run"
# Relative paths, so that both outputs name the files alike.
PHOTOS=(node_modules/@vladmandic/face-api/demo/sample{1,2,3,4,5,6}.jpg)
# detect --json rounds probabilities and scores to 1e-4 and boxes to 0.1 px. See
# docs/raspberry-pi.md ("arm64 check") for why these tolerances.
TOL_PROB="${POKERFACE_ARM64_TOL_PROB:-0.002}"
TOL_BOX="${POKERFACE_ARM64_TOL_BOX:-1.0}"
QEMU_MODEL="${POKERFACE_ARM64_QEMU_CPU:-cortex-a72}"
# Read, so gone: pokerface (x64_detect below runs it on this machine) takes every
# POKERFACE_* variable for a configuration key and refuses the run on one it does not know.
unset "${!POKERFACE_ARM64_@}"

say() { printf '[check-arm64 %s] %s\n' "$(date +%H:%M:%S)" "$*" >&2; }
die() { say "error: $*"; exit 1; }
[ "$(id -u)" -eq 0 ] || die "run as root (debootstrap, chroot and mounts need it)"
for tool in debootstrap qemu-aarch64-static update-binfmts python3 git; do
  command -v "$tool" >/dev/null 2>&1 || die "needs $tool (apt-get install debootstrap qemu-user-static binfmt-support python3 git)"
done
mkdir -p "$CACHE"
rm -rf "$OUT"
mkdir -p "$OUT"

# --- bookkeeping: one line per step in $OUT/steps.tsv (name, seconds, status) ----------------
T_START=$(date +%s)
record() { printf '%s\t%s\t%s\n' "$1" "$2" "$3" >>"$OUT/steps.tsv"; }
: >"$OUT/steps.tsv"
FAILED=0
# run_step NAME CMD...: runs CMD with its output in $OUT/NAME.log; records time and status.
run_step() {
  local name=$1 t0 rc=0
  shift
  say "$name: started (log: $OUT/$name.log)"
  t0=$(date +%s)
  "$@" >"$OUT/$name.log" 2>&1 || rc=$?
  record "$name" "$(( $(date +%s) - t0 ))" "$rc"
  if [ "$rc" -eq 0 ]; then say "$name: ok in $(( $(date +%s) - t0 )) s"; else say "$name: FAILED (exit $rc) after $(( $(date +%s) - t0 )) s; last lines:"; tail -n 25 "$OUT/$name.log" >&2; FAILED=1; fi
  return "$rc"
}

# --- mounts, undone on any exit ------------------------------------------------------------
MOUNTED=()
cleanup() {
  local rc=$? d pid root i
  # Processes still running inside the root were started by this script (through chroot).
  for d in /proc/[0-9]*; do
    pid=${d#/proc/}
    root=$(readlink "$d/root" 2>/dev/null || true)
    if [ "$root" = "$R" ]; then kill -TERM "$pid" 2>/dev/null || true; fi
  done
  for (( i=${#MOUNTED[@]}-1; i>=0; i-- )); do
    umount -R "${MOUNTED[$i]}" 2>/dev/null || umount -R -l "${MOUNTED[$i]}" 2>/dev/null || say "could not unmount ${MOUNTED[$i]}"
  done
  exit "$rc"
}
trap cleanup EXIT
trap 'exit 130' INT TERM

mount_root() {
  mountpoint -q "$R/proc" || { mount -t proc proc "$R/proc"; MOUNTED+=("$R/proc"); }
  # qemu-user passes the host's x86 /proc/cpuinfo through; onnxruntime's CPU detection
  # (cpuinfo) finds no arm64 core in it and onnxruntime-node crashes on load (SIGSEGV).
  # Show it what a Raspberry Pi 4 shows (Cortex-A72, one entry per core); the instruction
  # set features onnxruntime picks kernels by still come from qemu's AT_HWCAP.
  if ! grep -q '^CPU implementer' "$R/proc/cpuinfo"; then
    local i
    for (( i=0; i<$(nproc); i++ )); do
      printf 'processor\t: %d\nBogoMIPS\t: 108.00\nFeatures\t: fp asimd evtstrm crc32 cpuid\nCPU implementer\t: 0x41\nCPU architecture: 8\nCPU variant\t: 0x0\nCPU part\t: 0xd08\nCPU revision\t: 3\n\n' "$i"
    done >"$CACHE/cpuinfo"
    mount --bind "$CACHE/cpuinfo" "$R/proc/cpuinfo"
  fi
  # rslave: mounts and unmounts below the root's /sys and /dev never reach the host's.
  mountpoint -q "$R/sys" || { mount --rbind /sys "$R/sys"; mount --make-rslave "$R/sys"; MOUNTED+=("$R/sys"); }
  mountpoint -q "$R/dev" || { mount --rbind /dev "$R/dev"; mount --make-rslave "$R/dev"; MOUNTED+=("$R/dev"); }
}

# Runs a bash command line inside the root, in the project folder, with a clean environment.
# Emulation is 10-30 times slower than the machine: ffmpeg runs and e2e timeouts get room
# (PF_, not POKERFACE_: every POKERFACE_* variable must name a configuration key).
# QEMU_CPU: every arm64 program started in the root is a fresh qemu that reads it (env -i
# below would drop it, so it is listed again). qemu's default model ("max") offers every
# extension qemu emulates (SVE and more); with it the e2e round measured 17 s per frame of
# inference, against 1.3 s with cortex-a72. cortex-a72 is the Raspberry Pi 4's core
# (ARMv8.0-A, NEON), the board docs/raspberry-pi.md targets, and what the root's
# /proc/cpuinfo shows (mount_root), so onnxruntime sees one consistent CPU.
export QEMU_CPU="$QEMU_MODEL"
in_root() {
  chroot "$R" /usr/bin/env -i HOME=/root LANG=C.UTF-8 TERM=dumb CI=true QEMU_CPU="$QEMU_CPU" \
    NODE_EXTRA_CA_CERTS=/etc/ssl/certs/ca-certificates.crt \
    PATH=/usr/local/bin:/usr/local/sbin:/usr/sbin:/usr/bin:/sbin:/bin \
    ONNXRUNTIME_NODE_INSTALL=skip \
    PF_FFMPEG_TIMEOUT_MS=1800000 PF_TEST_TIME_SCALE=10 \
    /bin/bash -c "cd $APP && $1"
}

# --- 1. binfmt_misc and the qemu-aarch64 handler ----------------------------------------------
if ! mountpoint -q /proc/sys/fs/binfmt_misc; then
  say "mounting binfmt_misc"
  mount binfmt_misc -t binfmt_misc /proc/sys/fs/binfmt_misc
fi
if ! grep -qx enabled /proc/sys/fs/binfmt_misc/qemu-aarch64 2>/dev/null; then
  say "enabling the qemu-aarch64 binfmt handler"
  update-binfmts --enable qemu-aarch64
fi
grep -qx enabled /proc/sys/fs/binfmt_misc/qemu-aarch64 || die "the qemu-aarch64 binfmt handler is not enabled"
QEMU_VERSION=$(qemu-aarch64-static --version | head -n1)

# --- 2. the arm64 Debian root (cached) ------------------------------------------------------
do_debootstrap() {
  rm -rf "$R.partial"
  debootstrap --arch=arm64 --variant=minbase --include=ca-certificates,curl,python3,xz-utils \
    "$SUITE" "$R.partial" "$MIRROR"
  mv "$R.partial" "$R"
}
if [ -x "$R/bin/bash" ] && [ -f "$R/etc/debian_version" ]; then
  record debootstrap 0 cached
  say "reusing the arm64 root in $R"
else
  run_step debootstrap do_debootstrap || exit 1
fi
# A fixed qemu binary inside the root, for handlers registered without the F flag.
cp /usr/bin/qemu-aarch64-static "$R/usr/bin/qemu-aarch64-static"
cat >"$R/etc/apt/sources.list" <<EOF
deb $MIRROR $SUITE main
deb $MIRROR $SUITE-updates main
deb http://deb.debian.org/debian-security $SUITE-security main
EOF
# Services installed by apt must not start inside the root.
printf '#!/bin/sh\nexit 101\n' >"$R/usr/sbin/policy-rc.d"
chmod 0755 "$R/usr/sbin/policy-rc.d"
cp -L /etc/resolv.conf "$R/etc/resolv.conf"
# Certificate authorities this machine trusts beyond Debian's (a TLS-inspecting proxy, for
# instance) are trusted inside the root too; Node reads them through NODE_EXTRA_CA_CERTS.
if python3 - /etc/ssl/certs/ca-certificates.crt "$R/etc/ssl/certs/ca-certificates.crt" "$R/usr/local/share/ca-certificates" <<'PY'
import os, re, sys
pem = re.compile(r'-----BEGIN CERTIFICATE-----.*?-----END CERTIFICATE-----', re.S)
def certs(path):
    try:
        return pem.findall(open(path).read())
    except OSError:
        return []
host, root, dest = sys.argv[1:4]
have = set(c.replace('\n', '') for c in certs(root))
os.makedirs(dest, exist_ok=True)
added = 0
for i, c in enumerate(c for c in certs(host) if c.replace('\n', '') not in have):
    open(os.path.join(dest, 'host-%d.crt' % i), 'w').write(c + '\n')
    added += 1
sys.exit(10 if added else 0)
PY
then :; elif [ $? -eq 10 ]; then
  say "trusting this machine's extra certificate authorities in the root"
  chroot "$R" /usr/sbin/update-ca-certificates >/dev/null
else
  die "could not compare certificate bundles"
fi
[ "$(chroot "$R" /usr/bin/uname -m)" = aarch64 ] || die "the root does not run as aarch64"
mount_root

# --- 3. the project: a clean copy of the tracked files --------------------------------------
copy_project() {
  mkdir -p "$R$APP"
  if [ "$REUSE" -eq 0 ]; then
    find "$R$APP" -mindepth 1 -maxdepth 1 -exec rm -rf {} +
  fi
  # Tracked files as they are in this worktree (deleted ones skipped).
  git ls-files -z | while IFS= read -r -d '' f; do [ -e "$f" ] && printf '%s\0' "$f"; done \
    | tar --null -T - -cf - | tar -xf - -C "$R$APP"
}
copy_project

# --- 4. Node 24 and the project's setup, inside the root --------------------------------------
if [ "$REUSE" -eq 1 ] && [ -d "$R$APP/node_modules" ] && [ -f "$R$APP/models/manifest.json" ]; then
  record node 0 reused
  record setup 0 reused
  # what setup.sh does after npm ci
  run_step build in_root "npm run build && node bin/pokerface.js models build && node bin/pokerface.js media make-demo" || exit 1
else
  run_step node in_root "scripts/install-node.sh" || exit 1
  run_step setup in_root "scripts/setup.sh --without-opencv" || exit 1
fi
NODE_VERSION=$(in_root "node --version")
NPM_VERSION=$(in_root "npm --version")
ORT_VERSION=$(in_root "node -p 'require(\"onnxruntime-node/package.json\").version'")
in_root "node -e 'const o=require(\"onnxruntime-node\");console.log(Object.keys(o).length>0)'" >/dev/null || die "onnxruntime-node does not load in the root"

# --- 5. checks --------------------------------------------------------------------------------
vitest_step() { # NAME PATHS...: vitest with a JSON report in $OUT/NAME.json
  local name=$1
  shift
  # tests without their own timeout get ten minutes instead of the config's 30 s / 60 s
  run_step "$name" in_root "npx vitest run $* --testTimeout=600000 --hookTimeout=600000 --reporter=default --reporter=json --outputFile.json=/tmp/pf-$name.json" || true
  cp "$R/tmp/pf-$name.json" "$OUT/$name.json" 2>/dev/null || true
}

if wants parity; then
  vitest_step parity test/integration/models/parity.test.ts test/integration/models/parity-mini-xception.test.ts
fi

if wants detect; then
  run_step detect_arm64 in_root "POKERFACE_MODEL_WORKERTIMEOUTMS=300000 node bin/pokerface.js detect --json --config config/demo.yaml ${PHOTOS[*]} >/tmp/pf-detect.jsonl" || true
  cp "$R/tmp/pf-detect.jsonl" "$OUT/detect-arm64.jsonl" 2>/dev/null || : >"$OUT/detect-arm64.jsonl"
  # The same command here, on x86-64, from this worktree (needs its npm ci and models).
  x64_detect() {
    [ -f models/manifest.json ] || { echo "no models/ here: run scripts/setup.sh on this machine first"; return 1; }
    npm run build && node bin/pokerface.js detect --json --config config/demo.yaml "${PHOTOS[@]}" >"$OUT/detect-x64.jsonl"
  }
  run_step detect_x64 x64_detect || true
  # The model files both machines built, byte for byte.
  (cd "$R$APP/models" && sha256sum ./*.onnx) >"$OUT/models-arm64.sha256" 2>/dev/null || true
  (cd models && sha256sum ./*.onnx) >"$OUT/models-x64.sha256" 2>/dev/null || true
fi

if wants unit; then
  vitest_step unit test/unit
fi

if wants e2e; then
  vitest_step e2e test/e2e/booth.test.ts -t "'a smile cracks'"
fi

# --- 6. the summary -----------------------------------------------------------------------------
T_END=$(date +%s)
python3 - "$OUT" "$ONLY" "$TOL_PROB" "$TOL_BOX" "$((T_END - T_START))" "$NODE_VERSION" "$NPM_VERSION" "$ORT_VERSION" "$QEMU_VERSION" "$FAILED" <<'PY' >"$OUT/summary.json" || FAILED=1
import json, math, os, re, sys
out, only, tol_prob, tol_box, total, node, npm, ort, qemu, failed = sys.argv[1:11]
only = only.split(',')
tol_prob, tol_box = float(tol_prob), float(tol_box)
ok = failed == '0'

steps = {}
for line in open(os.path.join(out, 'steps.tsv')):
    name, secs, status = line.rstrip('\n').split('\t')
    steps[name] = {'seconds': int(secs), 'status': 'ok' if status == '0' else status if not status.isdigit() else 'failed (exit %s)' % status}

def log(name):
    try:
        return open(os.path.join(out, name + '.log'), errors='replace').read()
    except OSError:
        return ''

# setup.sh prints its own split; keep it.
m = re.search(r'setup times: OS packages (\d+) s, node \+ npm packages \+ build (\d+) s, models \+ media (\d+) s, total (\d+) s', log('setup'))
if m and 'setup' in steps:
    steps['setup'].update({'apt_s': int(m[1]), 'npm_ci_and_build_s': int(m[2]), 'models_and_media_s': int(m[3])})

def vitest(name, require_all=True):
    global ok
    try:
        rep = json.load(open(os.path.join(out, name + '.json')))
    except (OSError, ValueError):
        ok = False
        return {'passed': False, 'error': 'no vitest report (see %s.log)' % name}
    r = {'files': len(rep.get('testResults', [])), 'tests': rep['numTotalTests'], 'passed_tests': rep['numPassedTests'],
         'failed_tests': rep['numFailedTests'], 'skipped_tests': rep['numPendingTests'] + rep.get('numTodoTests', 0)}
    failed_names = [a['fullName'] for f in rep.get('testResults', []) for a in f.get('assertionResults', []) if a['status'] == 'failed']
    if failed_names:
        r['failed'] = failed_names[:20]
        # the first failures' messages (the e2e round's name the booth's events and phases)
        msgs = [m for f in rep.get('testResults', []) for a in f.get('assertionResults', []) if a['status'] == 'failed' for m in a.get('failureMessages', [])]
        r['failure_messages'] = [re.sub(r'\x1b\[[0-9;]*m', '', m)[:3000] for m in msgs[:3]]
    good = rep.get('success', False) and rep['numFailedTests'] == 0 and rep['numTotalTests'] > 0
    if require_all and r['skipped_tests'] > 0:
        good = False
        r['error'] = 'tests were skipped'
    r['passed'] = good
    ok = ok and good
    return r

results = {}
if 'parity' in only:
    results['parity'] = vitest('parity')
    diffs = re.findall(r'(?:expression|mini-xception) parity max abs diff: .*', log('parity'))
    if diffs:
        results['parity']['reported'] = sorted(set(diffs))

if 'detect' in only:
    def load(name):
        rows = {}
        try:
            for line in open(os.path.join(out, name)):
                line = line.strip()
                if line.startswith('{') and '"faces"' in line:
                    d = json.loads(line)
                    rows[d['file']] = d['faces']
        except OSError:
            pass
        return rows
    a, x = load('detect-arm64.jsonl'), load('detect-x64.jsonl')
    d = {'images': len(x), 'faces_x64': sum(len(v) for v in x.values()), 'faces_arm64': sum(len(v) for v in a.values()),
         'max_abs_diff': {'emotion': 0.0, 'score': 0.0, 'box_px': 0.0}, 'tolerance': {'emotion': tol_prob, 'score': tol_prob, 'box_px': tol_box}}
    problems = []
    if not x or not a:
        problems.append('missing output (see detect_x64.log / detect_arm64.log)')
    for f, fx in x.items():
        fa = list(a.get(f, []))
        if len(fa) != len(fx):
            problems.append('%s: %d faces on x64, %d on arm64' % (f, len(fx), len(fa)))
        # pair faces by box centre, not by order
        for face in fx:
            if not fa:
                break
            cx, cy = face['box'][0] + face['box'][2] / 2, face['box'][1] + face['box'][3] / 2
            j = min(range(len(fa)), key=lambda i: math.hypot(fa[i]['box'][0] + fa[i]['box'][2] / 2 - cx, fa[i]['box'][1] + fa[i]['box'][3] / 2 - cy))
            g = fa.pop(j)
            mx = d['max_abs_diff']
            mx['box_px'] = max(mx['box_px'], *(abs(p - q) for p, q in zip(face['box'], g['box'])))
            mx['score'] = max(mx['score'], abs(face['score'] - g['score']))
            for k in set(face['emotions']) | set(g['emotions']):
                mx['emotion'] = max(mx['emotion'], abs(face['emotions'].get(k, math.inf) - g['emotions'].get(k, -math.inf)))
    mx = d['max_abs_diff']
    for k in mx:
        mx[k] = round(mx[k], 6)
    if mx['emotion'] > tol_prob or mx['score'] > tol_prob or mx['box_px'] > tol_box:
        problems.append('difference above tolerance')
    try:
        ma, mxs = open(os.path.join(out, 'models-arm64.sha256')).read(), open(os.path.join(out, 'models-x64.sha256')).read()
        d['models_identical'] = bool(ma) and ma == mxs
    except OSError:
        d['models_identical'] = None
    d['passed'] = not problems
    if problems:
        d['problems'] = problems
    ok = ok and d['passed']
    results['detect'] = d

if 'unit' in only:
    results['unit'] = vitest('unit', require_all=False)

if 'e2e' in only:
    results['e2e'] = vitest('e2e', require_all=False)
    lat = re.search(r'e2e crack latency: .*', log('e2e'))
    if lat:
        results['e2e']['reported'] = lat[0]

print(json.dumps({
    'check': 'arm64 under qemu-user emulation (times are emulation, not device speed)',
    'passed': ok,
    'wall_s': int(total),
    'steps_s': steps,
    'platform': {'root': 'Debian 12 (bookworm) arm64 via debootstrap', 'qemu': qemu, 'qemu_cpu': os.environ.get('QEMU_CPU', ''), 'node': node, 'npm': npm, 'onnxruntime_node': ort},
    'results': results,
}, indent=2))
sys.exit(0 if ok else 1)
PY
cat "$OUT/summary.json"
[ "$FAILED" -eq 0 ] || exit 1

#!/usr/bin/env bash
# Install pokerface as a systemd service: service user and groups, /etc/pokerface
# (config + secrets env file), the unit (with the Jetson drop-in on a Jetson, and the
# keyboard drop-in when the config uses keyboard buttons), then enable and (re)start it.
# Idempotent: rerun after an update (or after changing controls.backends). See docs/operations.md.
#
#   sudo scripts/install-service.sh [--booth-id ID] [--app-dir DIR] [--no-start] [--dry-run]
#   sudo scripts/install-service.sh --uninstall [--purge] [--dry-run]
#
# --booth-id names the booth on the MQTT broker (unique per broker; letters, digits, - and
# _); default: the hostname. It is written into a new config, or into the kept one when
# given. --dry-run prints every action (prefixed "+ ") instead of doing it; it needs no root.
set -euo pipefail

SERVICE=pokerface
SVC_USER=${POKERFACE_SVC_USER:-pokerface}
GROUPS_NEEDED=(video render gpio input audio)
SCRIPT_DIR=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
REPO_DIR=$(cd "$SCRIPT_DIR/.." && pwd)
# Overridable for tests and unusual layouts.
SYSTEMD_DIR=${POKERFACE_SYSTEMD_DIR:-/etc/systemd/system}
ETC_DIR=${POKERFACE_ETC_DIR:-/etc/pokerface}
STATE_DIR=${POKERFACE_STATE_DIR:-/var/lib/pokerface}
CACHE_DIR=${POKERFACE_CACHE_DIR:-/var/cache/pokerface}
TEGRA_RELEASE=${POKERFACE_TEGRA_RELEASE:-/etc/nv_tegra_release}

APP_DIR=$REPO_DIR
DRY_RUN=0
UNINSTALL=0
PURGE=0
START=1
BOOTH_ID=""

usage() { sed -n '2,/^set -euo pipefail$/p' "$0" | sed '$d' | sed 's/^# \{0,1\}//'; }

while [ $# -gt 0 ]; do
  case "$1" in
    --dry-run) DRY_RUN=1 ;;
    --uninstall) UNINSTALL=1 ;;
    --purge) PURGE=1 ;;
    --no-start) START=0 ;;
    --app-dir) shift; APP_DIR=${1:?--app-dir needs a folder} ;;
    --app-dir=*) APP_DIR=${1#--app-dir=} ;;
    --booth-id) shift; BOOTH_ID=${1:?--booth-id needs an id} ;;
    --booth-id=*) BOOTH_ID=${1#--booth-id=} ;;
    -h|--help) usage; exit 0 ;;
    *) echo "install-service.sh: unknown option $1" >&2; usage >&2; exit 64 ;;
  esac
  shift
done

say() { printf '==> %s\n' "$*"; }
# Every change goes through run: printed in a dry run, done otherwise.
run() {
  if [ "$DRY_RUN" -eq 1 ]; then
    printf '+ %s\n' "$*"
  else
    "$@"
  fi
}
# Write stdin to a file with mode and owner, atomically (through a temp file).
put_file() {
  local dest=$1 mode=$2 owner=$3
  if [ "$DRY_RUN" -eq 1 ]; then
    printf '+ write %s (mode %s, owner %s)\n' "$dest" "$mode" "$owner"
    cat >/dev/null
    return
  fi
  local tmp
  tmp=$(mktemp "$dest.XXXXXX")
  cat >"$tmp"
  chmod "$mode" "$tmp"
  chown "$owner" "$tmp"
  mv -f "$tmp" "$dest"
}

# The booth id: given, or the hostname made topic-safe.
BOOTH_ID_GIVEN=$BOOTH_ID
if [ -z "$BOOTH_ID" ]; then
  BOOTH_ID=$(hostname -s 2>/dev/null || hostname)
  BOOTH_ID=$(printf '%s' "$BOOTH_ID" | tr -c 'A-Za-z0-9_-' '-' | cut -c1-64)
fi
if ! printf '%s' "$BOOTH_ID" | grep -Eq '^[A-Za-z0-9_-]{1,64}$'; then
  echo "install-service.sh: --booth-id \"$BOOTH_ID\": use 1-64 letters, digits, - or _" >&2
  exit 64
fi
if [ "$BOOTH_ID" = booth ] || [ "$BOOTH_ID" = demo ]; then
  echo "install-service.sh: --booth-id \"$BOOTH_ID\" is a placeholder the daemon refuses; pick one unique on the broker" >&2
  exit 64
fi

# Config on stdin with its top-level boothId line set to $BOOTH_ID (added when missing).
set_booth_id() {
  awk -v id="$BOOTH_ID" 'BEGIN { done = 0 } /^boothId:/ { print "boothId: " id; done = 1; next } { print } END { if (!done) print "boothId: " id }' |
    put_file "$1" 0640 "root:$SVC_USER"
}

if [ "$DRY_RUN" -eq 0 ] && [ "$(id -u)" -ne 0 ]; then
  echo "install-service.sh: run as root (sudo), or with --dry-run to see the actions" >&2
  exit 77
fi

systemctl_available() {
  command -v systemctl >/dev/null 2>&1 && { [ -d /run/systemd/system ] || [ "${POKERFACE_ASSUME_SYSTEMD:-0}" = 1 ]; }
}
sysctl_run() {
  if [ "$DRY_RUN" -eq 1 ] || systemctl_available; then
    run systemctl "$@"
  else
    say "systemd is not running here: skipped systemctl $*"
  fi
}

# Whether the config (or, before it is installed, the default one) lists the keyboard
# button backend: asked of the daemon's own config loader, with a plain look at the YAML
# when that cannot answer (no node, or a config that needs secrets from the env file).
uses_keyboard() {
  local cfg=$1
  [ -f "$cfg" ] || cfg="$APP_DIR/config/default.yaml"
  local json
  if json=$(node "$APP_DIR/bin/pokerface.js" config check --json "$cfg" 2>/dev/null); then
    printf '%s\n' "$json" | tr -d ' ' | grep -qx '"keyboard",\{0,1\}'
  else
    grep -Eq '^[[:space:]]*backends:.*[[,[:space:]]keyboard[],[:space:]]|^[[:space:]]*-[[:space:]]*keyboard[[:space:]]*$' "$cfg"
  fi
}

do_uninstall() {
  say "uninstalling the $SERVICE service"
  if [ -f "$SYSTEMD_DIR/$SERVICE.service" ] || [ "$DRY_RUN" -eq 1 ]; then
    sysctl_run disable --now "$SERVICE.service"
  fi
  run rm -f "$SYSTEMD_DIR/$SERVICE.service"
  run rm -rf "$SYSTEMD_DIR/$SERVICE.service.d"
  sysctl_run daemon-reload
  if [ "$PURGE" -eq 1 ]; then
    say "purging config, results log, caches and the $SVC_USER user"
    run rm -rf "$ETC_DIR" "$STATE_DIR" "$CACHE_DIR"
    if getent passwd "$SVC_USER" >/dev/null; then run userdel "$SVC_USER"; fi
  else
    say "kept $ETC_DIR, $STATE_DIR (results log) and the $SVC_USER user; --purge removes them"
  fi
}

do_install() {
  [ -f "$APP_DIR/bin/pokerface.js" ] || { echo "install-service.sh: $APP_DIR has no bin/pokerface.js (use --app-dir)" >&2; exit 66; }
  [ -f "$REPO_DIR/systemd/$SERVICE.service" ] || { echo "install-service.sh: $REPO_DIR/systemd/$SERVICE.service missing" >&2; exit 66; }
  if [ ! -f "$APP_DIR/dist/cli.js" ]; then
    say "warning: $APP_DIR/dist is missing; run npm run build (scripts/setup.sh does) before starting"
  fi
  # The node that setup.sh made sure of (install-node.sh puts Node 24 in /usr/local/bin when
  # the distribution's is older); the unit must run that one, not /usr/bin/node.
  NODE_BIN=$(readlink -f "$(command -v node 2>/dev/null || echo /usr/bin/node)")
  node_major=$("$NODE_BIN" -p 'process.versions.node.split(".")[0]' 2>/dev/null || echo 0)
  if [ "$node_major" -lt 22 ]; then
    echo "install-service.sh: $NODE_BIN is Node $node_major; pokerface needs Node >= 22 (run scripts/setup.sh, or scripts/install-node.sh)" >&2
    exit 69
  fi
  case "$APP_DIR" in
    /home/*|/root/*) say "warning: $APP_DIR is under a home folder, which ProtectHome=yes hides from the service; install the app under /opt" ;;
  esac

  say "groups and service user"
  for g in "${GROUPS_NEEDED[@]}"; do
    # SupplementaryGroups= fails the start (216/GROUP) when a group does not exist.
    getent group "$g" >/dev/null || run groupadd --system "$g"
  done
  if getent passwd "$SVC_USER" >/dev/null; then
    say "user $SVC_USER exists"
  else
    run useradd --system --user-group --home-dir "$STATE_DIR" --no-create-home --shell /usr/sbin/nologin --comment "pokerface booth daemon" "$SVC_USER"
  fi

  say "folders"
  run install -d -m 0750 -o root -g "$SVC_USER" "$ETC_DIR"
  run install -d -m 0750 -o "$SVC_USER" -g "$SVC_USER" "$STATE_DIR" "$CACHE_DIR" "$CACHE_DIR/trt"

  say "configuration"
  if [ -f "$ETC_DIR/config.yaml" ]; then
    say "kept $ETC_DIR/config.yaml"
    if [ -n "$BOOTH_ID_GIVEN" ]; then
      # put_file writes a temp file and renames it, so reading the old one here is safe
      # shellcheck disable=SC2094
      set_booth_id "$ETC_DIR/config.yaml" <"$ETC_DIR/config.yaml"
      say "boothId: $BOOTH_ID"
    fi
  else
    set_booth_id "$ETC_DIR/config.yaml" <"$APP_DIR/config/default.yaml"
    say "wrote $ETC_DIR/config.yaml with boothId: $BOOTH_ID"
  fi
  if [ -f "$ETC_DIR/$SERVICE.env" ]; then
    say "kept $ETC_DIR/$SERVICE.env"
  else
    local token
    token=$(od -An -N24 -tx1 /dev/urandom | tr -d ' \n')
    sed "s/^POKERFACE_API_TOKEN=__GENERATED__$/POKERFACE_API_TOKEN=$token/" "$REPO_DIR/systemd/$SERVICE.env.example" |
      put_file "$ETC_DIR/$SERVICE.env" 0640 "root:$SVC_USER"
    say "wrote $ETC_DIR/$SERVICE.env with a new random API token"
  fi

  say "unit"
  # The unit names /opt/pokerface and `/usr/bin/env node`; point them at the real app folder
  # and node (systemd's PATH lookup would not find /usr/local/bin's before /usr/bin's).
  sed -e "s#/opt/pokerface#$APP_DIR#g" -e "s#^ExecStart=/usr/bin/env node #ExecStart=$NODE_BIN #" "$REPO_DIR/systemd/$SERVICE.service" | put_file "$SYSTEMD_DIR/$SERVICE.service" 0644 root:root
  if [ -f "$TEGRA_RELEASE" ]; then
    say "Jetson detected ($TEGRA_RELEASE): adding the jetson.conf drop-in"
    run install -d -m 0755 "$SYSTEMD_DIR/$SERVICE.service.d"
    run install -m 0644 "$REPO_DIR/systemd/jetson.conf" "$SYSTEMD_DIR/$SERVICE.service.d/jetson.conf"
  fi
  if uses_keyboard "$ETC_DIR/config.yaml"; then
    say "controls.backends has keyboard: adding the keyboard.conf drop-in (group input)"
    run install -d -m 0755 "$SYSTEMD_DIR/$SERVICE.service.d"
    run install -m 0644 "$REPO_DIR/systemd/keyboard.conf" "$SYSTEMD_DIR/$SERVICE.service.d/keyboard.conf"
  elif [ -f "$SYSTEMD_DIR/$SERVICE.service.d/keyboard.conf" ]; then
    say "controls.backends has no keyboard: removing the keyboard.conf drop-in"
    run rm -f "$SYSTEMD_DIR/$SERVICE.service.d/keyboard.conf"
  fi
  if command -v systemd-analyze >/dev/null 2>&1 && [ "$DRY_RUN" -eq 0 ]; then
    systemd-analyze verify "$SYSTEMD_DIR/$SERVICE.service" || say "warning: systemd-analyze verify reported problems (above)"
  fi

  sysctl_run daemon-reload
  sysctl_run enable "$SERVICE.service"
  if [ "$START" -eq 1 ]; then
    # restart, not start: a rerun after an update must load the new code and unit
    sysctl_run restart "$SERVICE.service"
    say "started; follow it with: journalctl -u $SERVICE -f"
  else
    say "enabled, not started (--no-start)"
  fi
}

# (functions are not named install/uninstall: "install" must stay the coreutils command)
if [ "$UNINSTALL" -eq 1 ]; then do_uninstall; else do_install; fi

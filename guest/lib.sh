# shellcheck shell=bash
# Shared by the demo guest's scripts: paths, logging, apt.
GUEST_SRC=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
NEEP_GUEST_DIR=${NEEP_GUEST_DIR:-/var/cache/neep-guest}
# Exit status of a test that could not run here (missing tool, no root): never a pass.
SKIP=77

log() { echo "[guest $(date +%H:%M:%S)] $*" >&2; }
die() { log "ERROR: $*"; exit 1; }
skip() { log "SKIP: $*"; echo "$*" > "${NEEP_SKIP_REASON_FILE:-/dev/null}"; exit $SKIP; }

installed() { dpkg-query -W -f='${Status}' "$1" 2>/dev/null | grep -q 'install ok installed'; }

# apt-get update runs at most once for a whole flow (the scripts call each other, so the
# fact is passed on in the environment), and only when a package cannot be found without it.
apt_update_once() {
    [ "${NEEP_APT_UPDATED:-0}" = 1 ] && return 0
    [ "$(id -u)" = 0 ] || skip "apt's package lists are missing or stale, and apt-get update needs root"
    log "apt-get update"
    DEBIAN_FRONTEND=noninteractive apt-get update -q >&2 || skip "apt-get update failed (no network?)"
    export NEEP_APT_UPDATED=1
}

# Installs the packages that are missing; with an exit code SKIP when that needs root.
need_pkgs() {
    local missing=() p
    for p in "$@"; do installed "$p" || missing+=("$p"); done
    [ ${#missing[@]} -eq 0 ] && return 0
    [ "$(id -u)" = 0 ] || skip "needs root to apt-get install ${missing[*]}"
    log "apt-get install ${missing[*]}"
    export DEBIAN_FRONTEND=noninteractive
    apt-get install -y -q --no-install-recommends "${missing[@]}" >&2 ||
        { apt_update_once && apt-get install -y -q --no-install-recommends "${missing[@]}" >&2; } ||
        skip "apt-get install ${missing[*]} failed (no network?)"
}

# Takes the cache's lock for building into it (one build at a time); a cache nobody may
# write to is a missing prerequisite.
lock_cache() {  # lock_cache NAME
    mkdir -p "$NEEP_GUEST_DIR" 2>/dev/null || true
    [ -w "$NEEP_GUEST_DIR" ] || skip "cannot write $NEEP_GUEST_DIR (run as root or set NEEP_GUEST_DIR)"
    exec 9> "$NEEP_GUEST_DIR/.$1.lock"
    flock 9
}

# Stops a process these scripts started, politely first. Only ever given our own PIDs.
stop_pid() {
    local pid=$1 i
    [ -n "$pid" ] && kill -0 "$pid" 2>/dev/null || return 0
    kill -TERM "$pid" 2>/dev/null
    for i in $(seq 50); do kill -0 "$pid" 2>/dev/null || return 0; sleep 0.1; done
    kill -KILL "$pid" 2>/dev/null || true
}

# Stops a backend these scripts started in a session of its own (setsid; its PID is the
# group's id). One TERM to the group: a launcher script forwards it to its JVM and waits
# for it, and a second TERM would make the script give up waiting. Whatever is left after
# 15 s is killed.
stop_group() {
    local pgid=$1 i
    [ -n "$pgid" ] && kill -TERM -- "-$pgid" 2>/dev/null || return 0
    for i in $(seq 150); do kill -0 -- "-$pgid" 2>/dev/null || return 0; sleep 0.1; done
    log "process group $pgid still running 15 s after TERM: killing it"
    kill -KILL -- "-$pgid" 2>/dev/null || true
}

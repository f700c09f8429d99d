#!/bin/bash
# guest/demo.sh   (what `./neep demo` runs)
# Builds the demo guest (cached), starts neep as its GPU (`./neep serve` as the vhost-user
# backend, the PNG sink writing into the demo directory), boots the guest in QEMU, says
# where the screen can be seen, and keeps everything running until Ctrl-C (or until QEMU
# or neep ends), then stops what it started.
# Env: NEEP_DEMO_DIR (default /tmp/neep-demo), NEEP_DEMO_RES (default 1024x768),
#      NEEP_DEMO_WEB_PORT (default 8077: the web viewer, on 127.0.0.1 only).
set -uo pipefail
. "$(dirname "$0")/lib.sh"
PROJECT=$(cd "$GUEST_SRC/.." && pwd)
DEMO=${NEEP_DEMO_DIR:-/tmp/neep-demo}
RES=${NEEP_DEMO_RES:-1024x768}
WEB_PORT=${NEEP_DEMO_WEB_PORT:-8077}
[ $# = 0 ] || { sed -n '2,8p' "$0" >&2; exit 2; }

say() { echo "neep demo: $*"; }
GUEST=$("$GUEST_SRC/build.sh") || exit
QDIR=$("$GUEST_SRC/qemu.sh") || exit

mkdir -p "$DEMO"; DEMO=$(cd "$DEMO" && pwd)
rm -rf "$DEMO/png" "$DEMO"/*.log "$DEMO/gpu.sock" "$DEMO/qmp.sock"
mkdir -p "$DEMO/png"

NEEP_PID= QEMU_PID=
stop() {
    trap - EXIT INT TERM
    if [ -n "$QEMU_PID" ] && kill -0 "$QEMU_PID" 2>/dev/null; then
        python3 "$GUEST_SRC/qmp.py" "$DEMO/qmp.sock" quit >/dev/null 2>&1
        stop_pid "$QEMU_PID"
    fi
    stop_group "$NEEP_PID"
    wait 2>/dev/null
    say "stopped; logs stay in $DEMO"
}
trap stop EXIT
trap 'exit 130' INT TERM

say "starting neep (log $DEMO/neep.log)"
# a session of its own, so the launcher and its JVM stop together
(cd "$PROJECT" && exec setsid ./neep serve --socket "$DEMO/gpu.sock" --png-dir "$DEMO/png" --web-port "$WEB_PORT") \
    > "$DEMO/neep.log" 2>&1 &
NEEP_PID=$!
for _ in $(seq $(( ${NEEP_BACKEND_WAIT:-60} * 10 ))); do
    [ -S "$DEMO/gpu.sock" ] && break
    kill -0 "$NEEP_PID" 2>/dev/null || break
    sleep 0.1
done
if [ ! -S "$DEMO/gpu.sock" ]; then
    # the launcher's own refusal (a port taken, ...) is one "neep: " line: that is the cause
    cause=$(grep '^neep: ' "$DEMO/neep.log" | grep -v '^neep: config: ' | tail -1)
    [ -n "$cause" ] && { echo "$cause" >&2; exit 1; }
    tail -20 "$DEMO/neep.log" >&2; die "neep did not open $DEMO/gpu.sock"
fi

say "booting the guest in QEMU ($("$QDIR/qemu-system-x86_64" --version | sed -n '1s/.*version \([^ ]*\).*/\1/p'), TCG, vhost-user-gpu-pci, $RES)"
"$GUEST_SRC/run.sh" --guest "$GUEST" --qemu "$QDIR" --socket "$DEMO/gpu.sock" --res "$RES" --live \
    --qmp "$DEMO/qmp.sock" --serial "$DEMO/console.log" > "$DEMO/qemu.log" 2>&1 &
QEMU_PID=$!

alive() { kill -0 "$QEMU_PID" 2>/dev/null && kill -0 "$NEEP_PID" 2>/dev/null; }
until grep -q NEEP-PATTERN-DRAWN "$DEMO/console.log" 2>/dev/null; do
    alive || { tail -5 "$DEMO/qemu.log" "$DEMO/neep.log" >&2; die "QEMU or neep ended before the guest drew"; }
    sleep 0.2
done
say "the guest drew its test pattern; now it keeps a clock ticking over it (guest/src/fbdraw.c --live)"
# the sink writes snapshots behind the updates; give the first a few seconds to appear
PNG=$DEMO/png/scanout-0.png
for _ in $(seq 20); do [ -s "$PNG" ] && break; sleep 0.5; done
# only addresses that answer: the viewer's page, and the PNG file once it is there
answers() { python3 -c 'import sys,urllib.request; urllib.request.urlopen(sys.argv[1], timeout=3).read(1)' "$1" 2>/dev/null; }
if answers "http://127.0.0.1:$WEB_PORT/"; then
    say "screen: http://127.0.0.1:$WEB_PORT/ (neep's web viewer, live)"
else
    say "the web viewer does not answer on http://127.0.0.1:$WEB_PORT/ (see $DEMO/neep.log)"
fi
if [ -s "$PNG" ]; then
    say "screen: $PNG (neep's PNG sink rewrites it at most twice a second)"
fi
say "guest console: $DEMO/console.log, QMP: $DEMO/qmp.sock, logs: $DEMO/neep.log $DEMO/qemu.log"
say "running; Ctrl-C stops the guest and neep"
while alive; do sleep 1; done
kill -0 "$QEMU_PID" 2>/dev/null && say "neep ended (see $DEMO/neep.log)" || say "QEMU ended (see $DEMO/qemu.log)"
exit 1

#!/bin/bash
# guest/e2e.sh [--backend neep|qemu|'CMD {sock}']... [--bench N] [--res WxH] [--workdir DIR]
# The demo guest end to end: start the vhost-user GPU backend, boot the guest in QEMU with
# vhost-user-gpu-pci on the backend's socket, wait until the guest says it painted the
# pattern, take QMP screendumps until one equals the pattern pixel for pixel (or time
# runs out), stop QEMU and the backend. One line per backend:
#   NEEP-E2E PASS backend=neep qemu=10.0.2 res=1024x768 t_drawn=5.2s t_visible=5.5s screen=pixel-exact workdir=...
#   NEEP-E2E FAIL backend=neep ... reason=...
#   NEEP-E2E SKIP reason=...        (something this machine lacks; never a pass)
#   --backend B   neep: ./neep serve --socket {sock} (the default)
#                 qemu: QEMU's C backend vhost-user-gpu, same release as the QEMU used
#                 anything else: a command, {sock} replaced by the socket path
#                 (repeatable; the backends run one after the other)
#   --bench N     the guest also runs kmsbench for N full frames; the line gets fps=, and
#                 the screen is checked after the benchmark. Without --backend, runs neep
#                 and then qemu, and ends with a NEEP-BENCH line comparing the two.
#   --rounds R    run the backends R times in turn (neep, qemu, neep, ...); with --bench the
#                 NEEP-BENCH line gives each backend's median and all its figures
#   --res WxH     display size (default 1024x768)
#   --workdir D   logs, screendumps (default: a new /tmp/neep-e2e.XXXXXX)
#   --timeout S   for the guest to paint (default 120)
# Exit status: 0 all passed, 1 one failed, 77 skipped.
# Env: NEEP_BACKEND_WAIT (seconds for the backend's socket to appear, default 60).
set -uo pipefail
. "$(dirname "$0")/lib.sh"
PROJECT=$(cd "$GUEST_SRC/.." && pwd)

BACKENDS=() BENCH=0 ROUNDS=1 RES=1024x768 WORK= TIMEOUT=120
while [ $# -gt 0 ]; do
    case "$1" in
    --backend) BACKENDS+=("$2"); shift 2 ;;
    --bench) BENCH=$2; shift 2 ;;
    --rounds) ROUNDS=$2; shift 2 ;;
    --res) RES=$2; shift 2 ;;
    --workdir) WORK=$2; shift 2 ;;
    --timeout) TIMEOUT=$2; shift 2 ;;
    *) sed -n '2,28p' "$0" >&2; exit 2 ;;
    esac
done
if [ ${#BACKENDS[@]} = 0 ]; then
    BACKENDS=(neep)
    [ "$BENCH" -gt 0 ] && BACKENDS=(neep qemu)
fi
[ -n "$WORK" ] || WORK=$(mktemp -d /tmp/neep-e2e.XXXXXX)
mkdir -p "$WORK"; WORK=$(cd "$WORK" && pwd)

# build and QEMU: a missing prerequisite is a skip, anything else a failure
export NEEP_SKIP_REASON_FILE=$WORK/skip-reason
prepare() {  # prepare VAR SCRIPT
    local out rc
    out=$("$GUEST_SRC/$2" 2> >(tee -a "$WORK/prepare.log" >&2)); rc=$?
    if [ $rc = $SKIP ]; then echo "NEEP-E2E SKIP reason=\"$(cat "$NEEP_SKIP_REASON_FILE")\""; exit $SKIP; fi
    [ $rc = 0 ] || { echo "NEEP-E2E FAIL reason=\"$2 failed, see $WORK/prepare.log\""; exit 1; }
    printf -v "$1" %s "$out"
}
[ "$(uname -m)" = x86_64 ] || { echo "NEEP-E2E SKIP reason=\"the demo guest is x86_64, this is $(uname -m)\""; exit $SKIP; }
for b in "${BACKENDS[@]}"; do
    [ "$b" != neep ] || "$PROJECT/neep" help 2>/dev/null | grep -q '^ *serve ' ||
        { echo "NEEP-E2E SKIP reason=\"./neep has no serve command\""; exit $SKIP; }
done
prepare GUEST build.sh
prepare QDIR qemu.sh
QEMU_VERSION=$("$QDIR/qemu-system-x86_64" --version | sed -n '1s/.*version \([^ ]*\).*/\1/p')

QEMU_PID= BACKEND_PID=
stop_all() {
    if [ -n "$QEMU_PID" ] && kill -0 "$QEMU_PID" 2>/dev/null; then
        python3 "$GUEST_SRC/qmp.py" "$RUN/qmp.sock" quit >/dev/null 2>&1
        stop_pid "$QEMU_PID"
    fi
    stop_group "$BACKEND_PID"
    wait 2>/dev/null
    QEMU_PID= BACKEND_PID=
}
trap stop_all EXIT
trap 'exit 130' INT TERM

since() { awk -v a="$1" -v b="$(date +%s.%N)" 'BEGIN {printf "%.1f", b - a}'; }

# waits for a line on the guest's console; 0 seen, 1 timeout, 2 QEMU gone, 3 backend gone
wait_console() {  # wait_console REGEX SECONDS
    local deadline=$(( $(date +%s) + $2 ))
    until grep -qE "$1" "$RUN/serial.log" 2>/dev/null; do
        kill -0 "$QEMU_PID" 2>/dev/null || return 2
        kill -0 "$BACKEND_PID" 2>/dev/null || return 3
        [ "$(date +%s)" -lt $deadline ] || return 1
        sleep 0.1
    done
}

FAILED=0
declare -A FPS=()
run_one() {  # run_one BACKEND -> prints the NEEP-E2E line
    local name=$1 cmd
    case "$1" in
    neep) cmd="$PROJECT/neep serve --socket {sock}" ;;
    qemu) cmd="$QDIR/vhost-user-gpu --socket-path={sock}" ;;
    *) cmd=$1; name=custom ;;
    esac
    RUN=$WORK/$name
    [ "$ROUNDS" -gt 1 ] && RUN=$WORK/$name-$ROUND
    rm -rf "$RUN"; mkdir -p "$RUN"
    local sock=$RUN/gpu.sock head="backend=$name qemu=$QEMU_VERSION res=$RES"
    fail() { echo "NEEP-E2E FAIL $head $* workdir=$RUN"; FAILED=1; stop_all; }

    cmd=${cmd//\{sock\}/$sock}
    echo "$cmd" > "$RUN/backend.cmd"
    # a session of its own, so that stop_group ends a launcher and its JVM together
    (cd "$PROJECT" && exec setsid bash -c "exec $cmd") > "$RUN/backend.log" 2>&1 &
    BACKEND_PID=$!
    local t=$(( ${NEEP_BACKEND_WAIT:-60} * 10 ))
    while [ ! -S "$sock" ] && [ $t -gt 0 ] && kill -0 "$BACKEND_PID" 2>/dev/null; do sleep 0.1; t=$((t - 1)); done
    if [ ! -S "$sock" ]; then
        fail "reason=\"backend made no socket: $(tail -3 "$RUN/backend.log" | tr '\n"' "  ")\""; return
    fi

    local t0; t0=$(date +%s.%N)
    local bench_args=()
    [ "$BENCH" -gt 0 ] && bench_args=(--bench "$BENCH")
    "$GUEST_SRC/run.sh" --guest "$GUEST" --qemu "$QDIR" --socket "$sock" --qmp "$RUN/qmp.sock" \
        --serial "$RUN/serial.log" --res "$RES" "${bench_args[@]}" > "$RUN/qemu.log" 2>&1 &
    QEMU_PID=$!

    local rc why
    wait_console 'NEEP-PATTERN-DRAWN' "$TIMEOUT"; rc=$?
    local t_drawn; t_drawn=$(since "$t0")
    case $rc in
    1) why="no NEEP-PATTERN-DRAWN after ${TIMEOUT}s" ;;
    2) why="QEMU exited: $(tail -2 "$RUN/qemu.log" | tr '\n"' "  ")" ;;
    3) why="backend exited: $(tail -2 "$RUN/backend.log" | tr '\n"' "  ")" ;;
    esac
    [ $rc = 0 ] || { fail "reason=\"$why\" t=${t_drawn}s"; return; }
    grep -q 'NEEP-GUEST-ERROR' "$RUN/serial.log" &&
        { fail "reason=\"$(grep -m1 -o 'NEEP-GUEST-ERROR.*' "$RUN/serial.log" | tr -d '\r"')\""; return; }

    local extra=
    if [ "$BENCH" -gt 0 ]; then
        # the benchmark starts right after the pattern, so the screen is checked after it,
        # when the guest has painted the pattern again
        wait_console 'NEEP-BENCH-DONE' "$TIMEOUT" || { fail "reason=\"benchmark did not finish\""; return; }
        local fps; fps=$(sed -n 's/.*NEEP-BENCH .*fps=\([0-9.]*\).*/\1/p' "$RUN/serial.log" | head -1)
        [ -n "$fps" ] || { fail "reason=\"kmsbench printed no result\""; return; }
        FPS[$name]="${FPS[$name]:-} $fps"
        extra="bench_frames=$BENCH fps=$fps"
    fi
    local verdict
    verdict=$(python3 "$GUEST_SRC/qmp.py" "$RUN/qmp.sock" expect-pattern "$RUN/screen.ppm" --size "$RES" --timeout 15 2>&1)
    rc=$?
    local t_visible; t_visible=$(since "$t0")
    echo "$verdict" > "$RUN/screen.check"
    [ $rc = 0 ] || { fail "t_drawn=${t_drawn}s reason=\"$(echo "$verdict" | tail -1 | cut -c1-200 | tr -d '"')\" $extra"; return; }
    echo "NEEP-E2E PASS $head t_drawn=${t_drawn}s t_visible=${t_visible}s screen=pixel-exact${extra:+ $extra} workdir=$RUN"
    stop_all
}

LOAD_BEFORE=$(cut -d' ' -f1-3 /proc/loadavg)
for ROUND in $(seq "$ROUNDS"); do
    for b in "${BACKENDS[@]}"; do run_one "$b"; done
done
median() { tr ' ' '\n' | grep . | sort -n | awk '{v[NR] = $1} END {if (NR) print (NR % 2 ? v[(NR + 1) / 2] : (v[NR / 2] + v[NR / 2 + 1]) / 2); else print "NA"}'; }
if [ "$BENCH" -gt 0 ] && { [ ${#FPS[@]} -gt 1 ] || [ "$ROUNDS" -gt 1 ]; }; then
    line="NEEP-BENCH frames=$BENCH res=$RES qemu=$QEMU_VERSION rounds=$ROUNDS"
    for k in "${BACKENDS[@]}"; do
        case $k in neep|qemu) ;; *) k=custom ;; esac
        line+=" ${k}_fps=$(echo "${FPS[$k]:-}" | median)"
        [ "$ROUNDS" -gt 1 ] && line+=" ${k}_all=$(echo ${FPS[$k]:-} | tr ' ' ',')"
    done
    echo "$line host=\"$(nproc) cpus, load before $LOAD_BEFORE\""
fi
exit $FAILED

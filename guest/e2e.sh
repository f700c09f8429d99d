#!/bin/bash
# guest/e2e.sh [--backend neep|qemu|'CMD {sock}']... [--neep-args ARGS] [--connections N] [--bench N]
#              [--res WxH] [--workdir DIR] [--3d [--kmscube N] [--glmark2 S]]
# The demo guest end to end: start the vhost-user GPU backend, boot the guest in QEMU with
# vhost-user-gpu-pci on the backend's socket, wait until the guest says it painted the
# pattern, take QMP screendumps until one equals the pattern pixel for pixel (or time
# runs out), stop QEMU and the backend. One line per backend (per connection with
# --connections):
#   NEEP-E2E PASS backend=neep qemu=10.0.2 res=1024x768 t_drawn=5.2s t_visible=5.5s screen=pixel-exact workdir=...
#   NEEP-E2E FAIL backend=neep ... reason=...
#   NEEP-E2E SKIP reason=...        (something this machine lacks; never a pass)
#   --backend B   neep: ./neep serve --socket {sock} (the default)
#                 qemu: QEMU's C backend vhost-user-gpu, same release as the QEMU used
#                 anything else: a command, {sock} replaced by the socket path
#                 (repeatable; the backends run one after the other)
#   --neep-args A more arguments for ./neep serve, e.g. '--backend rutabaga --set
#                 dev.neep.backend.rutabaga:capset_names=gfxstream-vulkan'
#   --connections N  one backend process serves N QEMU runs in a row (QEMU quits after each
#                 checked screen, the next one connects to the same backend): each must be
#                 pixel-exact, the backend must survive every departure, and for neep its log
#                 must hold no ERROR line and no "context not found" when it has been stopped
#   --bench N     the guest also runs kmsbench for N full frames; the line gets fps=, and
#                 the screen is checked after the benchmark. Without --backend, runs neep
#                 and then qemu, and ends with a NEEP-BENCH line comparing the two.
#   --rounds R    run the backends R times in turn (neep, qemu, neep, ...); with --bench the
#                 NEEP-BENCH line gives each backend's median and all its figures
#   --3d          the 3D guest instead (build.sh --3d), neep serving it with --backend virgl
#                 and QEMU's C backend with --virgl: Mesa's virgl driver in the guest runs
#                 kmscube and glmark2-es2-drm, then gl3d draws the scene of src/scene3d.h,
#                 checks it with glReadPixels and page-flips it onto the screen. PASS needs
#                 the guest's readback and the screendump both equal to the scene; the line
#                 gets renderer=, kmscube_fps= and glmark2_score=
#   --kmscube N   with --3d, kmscube's frames (default 120; 0: not run)
#   --glmark2 S   with --3d, glmark2's seconds a scene, four scenes (default 3; 0: not run)
#   --res WxH     display size set on QEMU's command line (vhost-user-gpu-pci's xres/yres;
#                 default 1024x768): the guest must get it from the front end whatever the
#                 backend's own configuration says. WxH,WxH,... gives each connection its
#                 own size, in turn (with --connections)
#   --workdir D   logs, screendumps (default: a new /tmp/neep-e2e.XXXXXX)
#   --timeout S   for the guest to paint (default 120; with --3d 300)
# Exit status: 0 all passed, 1 one failed, 77 skipped.
# Env: NEEP_BACKEND_WAIT (seconds for the backend's socket to appear, default 60).
set -uo pipefail
. "$(dirname "$0")/lib.sh"
PROJECT=$(cd "$GUEST_SRC/.." && pwd)

BACKENDS=() BENCH=0 ROUNDS=1 RES=1024x768 WORK= TIMEOUT= NEEP_ARGS= CONNECTIONS=1 GL=0 KMSCUBE=120 GLMARK2=3
while [ $# -gt 0 ]; do
    case "$1" in
    --backend) BACKENDS+=("$2"); shift 2 ;;
    --neep-args) NEEP_ARGS=$2; shift 2 ;;
    --connections) CONNECTIONS=$2; shift 2 ;;
    --bench) BENCH=$2; shift 2 ;;
    --rounds) ROUNDS=$2; shift 2 ;;
    --res) RES=$2; shift 2 ;;
    --workdir) WORK=$2; shift 2 ;;
    --timeout) TIMEOUT=$2; shift 2 ;;
    --3d) GL=1; shift ;;
    --kmscube) KMSCUBE=$2; shift 2 ;;
    --glmark2) GLMARK2=$2; shift 2 ;;
    *) sed -n '2,42p' "$0" >&2; exit 2 ;;
    esac
done
[ -n "$TIMEOUT" ] || { [ $GL = 1 ] && TIMEOUT=300; } || TIMEOUT=120
[[ $KMSCUBE =~ ^[0-9]+$ && $GLMARK2 =~ ^[0-9]+$ ]] || { echo "--kmscube and --glmark2 want numbers" >&2; exit 2; }
[ $GL = 0 ] || [ "$BENCH" = 0 ] || { echo "--bench is the 2D guest's benchmark; --3d has --kmscube and --glmark2" >&2; exit 2; }
[[ $CONNECTIONS =~ ^[1-9][0-9]*$ ]] || { echo "--connections wants a positive number, not $CONNECTIONS" >&2; exit 2; }
IFS=, read -r -a SIZES <<< "$RES"
for r in "${SIZES[@]}"; do
    [[ $r =~ ^[1-9][0-9]*x[1-9][0-9]*$ ]] || { echo "--res wants WxH[,WxH...], not $RES" >&2; exit 2; }
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
    # shellcheck disable=SC2086  # "SCRIPT ARGS": the words are meant to split
    out=$("$GUEST_SRC"/$2 2> >(tee -a "$WORK/prepare.log" >&2)); rc=$?
    if [ $rc = $SKIP ]; then echo "NEEP-E2E SKIP reason=\"$(cat "$NEEP_SKIP_REASON_FILE")\""; exit $SKIP; fi
    [ $rc = 0 ] || { echo "NEEP-E2E FAIL reason=\"$2 failed, see $WORK/prepare.log\""; exit 1; }
    printf -v "$1" %s "$out"
}
[ "$(uname -m)" = x86_64 ] || { echo "NEEP-E2E SKIP reason=\"the demo guest is x86_64, this is $(uname -m)\""; exit $SKIP; }
for b in "${BACKENDS[@]}"; do
    [ "$b" != neep ] || "$PROJECT/neep" help 2>/dev/null | grep -q '^ *serve ' ||
        { echo "NEEP-E2E SKIP reason=\"./neep has no serve command\""; exit $SKIP; }
done
if [ $GL = 1 ]; then prepare GUEST "build.sh --3d"; else prepare GUEST build.sh; fi
prepare QDIR qemu.sh
QEMU_VERSION=$("$QDIR/qemu-system-x86_64" --version | sed -n '1s/.*version \([^ ]*\).*/\1/p')

QEMU_PID= BACKEND_PID= CRUN=
stop_all() {
    if [ -n "$QEMU_PID" ] && kill -0 "$QEMU_PID" 2>/dev/null; then
        python3 "$GUEST_SRC/qmp.py" "$CRUN/qmp.sock" quit >/dev/null 2>&1
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
    until grep -qE "$1" "$CRUN/serial.log" 2>/dev/null; do
        kill -0 "$QEMU_PID" 2>/dev/null || return 2
        kill -0 "$BACKEND_PID" 2>/dev/null || return 3
        [ "$(date +%s)" -lt $deadline ] || return 1
        sleep 0.1
    done
}

FAILED=0
declare -A FPS=()
run_one() {  # run_one BACKEND -> prints the NEEP-E2E line(s)
    local name=$1 cmd
    case "$1" in
    neep) cmd="$PROJECT/neep serve --socket {sock}${NEEP_ARGS:+ $NEEP_ARGS}"
          # the 3D guest needs a backend with virgl contexts; --neep-args may name another
          [ $GL = 1 ] && cmd="$PROJECT/neep serve --socket {sock} --backend virgl${NEEP_ARGS:+ $NEEP_ARGS}" ;;
    qemu) cmd="$QDIR/vhost-user-gpu --socket-path={sock}"
          [ $GL = 1 ] && cmd+=" --virgl" ;;
    *) cmd=$1; name=custom ;;
    esac
    RUN=$WORK/$name
    [ "$ROUNDS" -gt 1 ] && RUN=$WORK/$name-$ROUND
    rm -rf "$RUN"; mkdir -p "$RUN"
    local sock=$RUN/gpu.sock head="backend=$name qemu=$QEMU_VERSION res=$RES"
    [ $GL = 1 ] && head+=" guest=3d"
    [ "$name" = neep ] && [ -n "$NEEP_ARGS" ] && head+=" neep_args=\"$NEEP_ARGS\""
    CRUN=$RUN
    fail() { echo "NEEP-E2E FAIL $head $* workdir=$CRUN"; FAILED=1; stop_all; }

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

    local c
    for c in $(seq "$CONNECTIONS"); do
        if [ "$CONNECTIONS" -gt 1 ]; then
            CRUN=$RUN/connection-$c
            mkdir -p "$CRUN"
        fi
        connect_guest "$sock" "$head" "$c" || return
    done
    CRUN=$RUN
    stop_all
    if [ "$CONNECTIONS" -gt 1 ] && [ "$name" = neep ]; then
        # the backend served every connection and was stopped: a clean teardown logs no error
        local bad
        bad=$(grep -E ' ERROR |context not found' "$RUN/backend.log" | head -3 | cut -c1-200 | tr '\n"' "  ")
        if [ -n "$bad" ]; then
            echo "NEEP-E2E FAIL $head connections=$CONNECTIONS reason=\"the backend logged: $bad\" workdir=$RUN"
            FAILED=1
        else
            echo "NEEP-E2E PASS $head connections=$CONNECTIONS backend_log=clean workdir=$RUN"
        fi
    fi
}

# One QEMU run against the backend that listens on SOCK: boots the guest, waits for the
# pattern, checks the screen, prints the NEEP-E2E line; with --connections, QEMU then quits
# (the front end leaves) and the backend must still be there. Returns 1 after a failure.
connect_guest() {  # connect_guest SOCK HEAD CONNECTION
    local sock=$1 head=$2 c=$3 tag=
    local res=${SIZES[$(( (c - 1) % ${#SIZES[@]} ))]}
    [ "$CONNECTIONS" -gt 1 ] && tag="connection=$c/$CONNECTIONS "
    [ ${#SIZES[@]} -gt 1 ] && tag+="size=$res "
    local t0 load; t0=$(date +%s.%N) load=$(cut -d' ' -f1 /proc/loadavg)
    local bench_args=() drawn=NEEP-PATTERN-DRAWN
    [ "$BENCH" -gt 0 ] && bench_args=(--bench "$BENCH")
    [ $GL = 1 ] && bench_args=(--3d --kmscube "$KMSCUBE" --glmark2 "$GLMARK2") drawn=NEEP-GL3D-SHOWN
    "$GUEST_SRC/run.sh" --guest "$GUEST" --qemu "$QDIR" --socket "$sock" --qmp "$CRUN/qmp.sock" \
        --serial "$CRUN/serial.log" --res "$res" "${bench_args[@]}" > "$CRUN/qemu.log" 2>&1 &
    QEMU_PID=$!

    local rc why
    # a guest that reports an error stops the wait: its own message is the reason
    wait_console "$drawn|NEEP-GUEST-ERROR" "$TIMEOUT"; rc=$?
    local t_drawn; t_drawn=$(since "$t0")
    case $rc in
    1) why="no $drawn after ${TIMEOUT}s" ;;
    2) why="QEMU exited: $(tail -2 "$CRUN/qemu.log" | tr '\n"' "  ")" ;;
    3) why="backend exited: $(tail -2 "$RUN/backend.log" | tr '\n"' "  ")" ;;
    esac
    [ $rc = 0 ] || { fail "${tag}reason=\"$why\" t=${t_drawn}s"; return 1; }
    grep -q 'NEEP-GUEST-ERROR' "$CRUN/serial.log" &&
        { fail "${tag}reason=\"$(grep -m1 -o 'NEEP-GUEST-ERROR.*' "$CRUN/serial.log" | tr -d '\r"')\""; return 1; }

    local extra= scene=2d
    if [ $GL = 1 ]; then
        scene=3d
        extra=$(gl3d_results) || { fail "${tag}reason=\"$extra\""; return 1; }
    fi
    if [ "$BENCH" -gt 0 ]; then
        # the benchmark starts right after the pattern, so the screen is checked after it,
        # when the guest has painted the pattern again
        wait_console 'NEEP-BENCH-DONE' "$TIMEOUT" || { fail "reason=\"benchmark did not finish\""; return 1; }
        local fps; fps=$(sed -n 's/.*NEEP-BENCH .*fps=\([0-9.]*\).*/\1/p' "$CRUN/serial.log" | head -1)
        [ -n "$fps" ] || { fail "reason=\"kmsbench printed no result\""; return 1; }
        FPS[$name]="${FPS[$name]:-} $fps"
        extra="bench_frames=$BENCH fps=$fps"
    fi
    local verdict
    verdict=$(python3 "$GUEST_SRC/qmp.py" "$CRUN/qmp.sock" expect-pattern "$CRUN/screen.ppm" --size "$res" --timeout 15 \
        --scene $scene 2>&1)
    rc=$?
    local t_visible; t_visible=$(since "$t0")
    echo "$verdict" > "$CRUN/screen.check"
    [ $rc = 0 ] || { fail "${tag}t_drawn=${t_drawn}s reason=\"$(echo "$verdict" | tail -1 | cut -c1-200 | tr -d '"')\" $extra"; return 1; }
    [ $GL = 1 ] && extra="readback=pixel-exact $extra load_before=$load"
    echo "NEEP-E2E PASS $head ${tag}t_drawn=${t_drawn}s t_visible=${t_visible}s screen=pixel-exact${extra:+ $extra} workdir=$CRUN"
    if [ "$CONNECTIONS" -gt 1 ]; then
        # QEMU quits: the front end leaves, and the backend must serve the next one
        python3 "$GUEST_SRC/qmp.py" "$CRUN/qmp.sock" quit >/dev/null 2>&1
        stop_pid "$QEMU_PID"
        wait "$QEMU_PID" 2>/dev/null
        QEMU_PID=
        sleep 1
        kill -0 "$BACKEND_PID" 2>/dev/null ||
            { fail "${tag}reason=\"the backend exited when the front end left: $(tail -2 "$RUN/backend.log" | tr '\n"' "  ")\""; return 1; }
    fi
}

# What the 3D guest said on its console: its readback verdict, kmscube's frame rate and
# glmark2's score, as words for the NEEP-E2E line; or, exit 1, why they are missing.
gl3d_results() {
    local log=$CRUN/serial.log readback fps score
    readback=$(grep -m1 -o 'NEEP-GL3D-READBACK ok.*' "$log" | tr -d '\r')
    [ -n "$readback" ] || { echo "the guest printed no NEEP-GL3D-READBACK ok"; return 1; }
    local out="renderer=\"$(echo "$readback" | sed -n 's/.*renderer="\([^"]*\)".*/\1/p')\""
    if [ "$KMSCUBE" -gt 0 ]; then
        # "Rendered F frames in S sec (R fps)": kmscube counts from its second frame
        fps=$(sed -n 's/^NEEP-KMSCUBE Rendered \([0-9]*\) frames in [0-9.]* sec (\([0-9.]*\) fps).*/\1 \2/p' "$log" | head -1)
        [ -n "$fps" ] || { echo "kmscube printed no frame rate"; return 1; }
        out+=" kmscube_frames=${fps% *} kmscube_fps=$(printf '%.1f' "${fps#* }")"
    fi
    if [ "$GLMARK2" -gt 0 ]; then
        score=$(sed -n 's/^NEEP-GLMARK2 *glmark2 Score: *\([0-9]*\).*/\1/p' "$log" | head -1)
        [ -n "$score" ] || { echo "glmark2 printed no score"; return 1; }
        out+=" glmark2_score=$score"
    fi
    echo "$out"
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

#!/usr/bin/env bash
# The display path's benchmark (what `./neep bench` runs; BENCHMARKS.md shows its results):
# the project's own vhost-user front end and guest driver against `./neep serve` and against
# QEMU's C vhost-user-gpu, rounds interleaved, medians; then the real guest's drmbench of both
# through guest/e2e.sh --bench, in the same run.
#
#   bench/run.sh [--rounds R] [--frames N] [--flushes N] [--soak N] [--guest-frames N] [--no-guest]
#                [--also NAME=COMMAND]...
#
# --also adds a back end to the same rounds ({sock} stands for the socket path; words split at
# spaces), e.g. neep with other JVM options, to compare variants against each other in one run.
set -euo pipefail

ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
rounds=3 frames=300 flushes=20000 soak=20000 guest_frames=300 guest=1 also=()
while [ $# -gt 0 ]; do
    case "$1" in
    --rounds) rounds=$2; shift 2 ;;
    --frames) frames=$2; shift 2 ;;
    --flushes) flushes=$2; shift 2 ;;
    --soak) soak=$2; shift 2 ;;
    --guest-frames) guest_frames=$2; shift 2 ;;
    --no-guest) guest=0; shift ;;
    --also) also+=("$2"); shift 2 ;;
    *) echo "bench: unknown option $1" >&2; exit 2 ;;
    esac
done

work="$(mktemp -d "${TMPDIR:-/tmp}/neep-bench.XXXXXX")"
echo "bench: work directory $work" >&2
qemu_dir="$("$ROOT/guest/qemu.sh")"

# The benchmark is test support of vhost-user-gpu: its test classes and their class path.
(cd "$ROOT" && mvn -B -o -q -pl bundles/vhost-user-gpu -am test-compile dependency:build-classpath \
    -Dmdep.includeScope=test -Dmdep.outputFile="$work/classpath")
cp="$ROOT/bundles/vhost-user-gpu/target/test-classes:$ROOT/bundles/vhost-user-gpu/target/classes:$(cat "$work/classpath")"

java -cp "$cp" dev.neep.vhostuser.gpu.internal.DisplayBench --workdir "$work" --rounds "$rounds" \
    --frames "$frames" --flushes "$flushes" --soak "$soak" \
    "neep=$ROOT/neep serve --socket {sock}" \
    "qemu=$qemu_dir/vhost-user-gpu --socket-path={sock}" ${also[@]+"${also[@]}"}

if [ "$guest" = 1 ]; then
    "$ROOT/guest/e2e.sh" --bench "$guest_frames" --rounds "$rounds" --workdir "$work/guest"
fi

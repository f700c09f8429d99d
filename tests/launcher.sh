#!/usr/bin/env bash
# tests/launcher.sh   (run by `./neep test`, after the Maven build made runtime-config/target/neep.jar)
# The launcher as a user meets it: help, and every bad input to `./neep serve` refused at once
# (within seconds, before any JVM starts) with exit status 1 and exactly one line naming the
# cause, no stack trace; then two real `./neep serve`s: one that keeps the framework cache for the
# next runs (without its configuration), and one, from that cache, that starts only the sinks it
# was asked for.
# Prints one "ok"/"FAIL" line per case; exits 1 if any failed.
set -uo pipefail
ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
NEEP="$ROOT/neep"
TMP="$(mktemp -d "${TMPDIR:-/tmp}/neep-launcher-test.XXXXXX")"
PIDS=()
cleanup() { local p; for p in "${PIDS[@]}"; do kill -- "$p" 2>/dev/null; done; wait 2>/dev/null; rm -rf "$TMP"; }
trap cleanup EXIT
failed=0
ok() { echo "ok   $*"; }
fail() { echo "FAIL $*"; failed=1; }

# refused DESCRIPTION EXPECTED_TEXT ARGS...: exit 1, one stderr line containing EXPECTED_TEXT,
# nothing on stdout, no stack trace, within 10 s
refused() {
    local what=$1 expected=$2; shift 2
    local rc=0
    timeout 10 "$NEEP" "$@" > "$TMP/out" 2> "$TMP/err" || rc=$?
    local lines; lines=$(wc -l < "$TMP/err")
    if [ $rc = 1 ] && [ "$lines" = 1 ] && [ ! -s "$TMP/out" ] && grep -qF -- "$expected" "$TMP/err" &&
        ! grep -q 'Exception\|^\s*at ' "$TMP/err"; then
        ok "$what: $(cat "$TMP/err")"
    else
        fail "$what: exit $rc (want 1), $lines line(s) on stderr (want 1 with \"$expected\"):"
        sed 's/^/       /' "$TMP/err" "$TMP/out" | head -20
    fi
}

for h in help -h --help; do
    if "$NEEP" "$h" > "$TMP/out" 2>&1 && grep -q '^usage: ./neep COMMAND' "$TMP/out" &&
        grep -q -- '--web-port' "$TMP/out"; then
        ok "./neep $h prints the usage"
    else
        fail "./neep $h: $(head -3 "$TMP/out")"
    fi
done
if "$NEEP" serve --help > "$TMP/out" 2>&1 && grep -q '^usage:' "$TMP/out"; then ok "./neep serve --help prints the usage"
else fail "./neep serve --help: $(head -3 "$TMP/out")"; fi
if "$NEEP" no-such-command > "$TMP/out" 2>&1; then fail "an unknown command exits 0"
else ok "an unknown command exits non-zero"; fi

S="$TMP/gpu.sock"
refused "socket in a directory that does not exist" "directory /nonexistent/dir does not exist" \
    serve --socket /nonexistent/dir/x.sock
touch "$TMP/file"
refused "socket path that is a regular file" "exists and is not a socket" serve --socket "$TMP/file"
refused "socket path too long" "longer than a unix socket path" serve --socket "$TMP/$(printf 'x%.0s' {1..120}).sock"
mkdir "$TMP/ro"; chmod 0555 "$TMP/ro"
if [ "$(id -u)" != 0 ]; then
    refused "socket in a directory not writable" "is not writable" serve --socket "$TMP/ro/x.sock"
else
    echo "skip socket in a directory not writable: root writes anywhere"
fi
refused "web port not a number" "--web-port abc is not a port number" serve --socket "$S" --web-port abc
refused "web port out of range" "--web-port 70000 is not a port number" serve --socket "$S" --web-port=70000
refused "no socket and no fd" "give exactly one of --socket PATH and --fd N" serve
refused "both socket and fd" "give exactly one of --socket PATH and --fd N" serve --socket "$S" --fd 3
refused "fd not a number" "--fd x is not a descriptor number" serve --fd x
refused "unknown option" "unknown option --nope" serve --socket "$S" --nope
refused "bad --set" "is not PID:KEY=VALUE" serve --socket "$S" --set nonsense
refused "png directory that cannot be created" "--png-dir $TMP/file/png cannot be created" \
    serve --socket "$S" --png-dir "$TMP/file/png"

# A value a component refuses is only known once the runtime runs: serve then stops with exit
# status 1, the refusal (PID, property, value, rule) its last line on stderr.
refused_at_start() {
    local what=$1 expected=$2; shift 2
    local rc=0
    timeout 120 "$NEEP" "$@" > "$TMP/out" 2> "$TMP/err" || rc=$?
    if [ $rc = 1 ] && [ "$(tail -1 "$TMP/err")" = "$expected" ]; then
        ok "$what: $(tail -1 "$TMP/err")"
    else
        fail "$what: exit $rc (want 1), last line on stderr \"$(tail -1 "$TMP/err")\" (want \"$expected\")"
    fi
}
refused_at_start "a device setting the device refuses" \
    "neep: configuration refused: dev.neep.gpu: max_outputs=99: must be 1..16" \
    serve --socket "$S" --set dev.neep.gpu:max_outputs=99
refused_at_start "a sink setting the sink refuses" \
    "neep: configuration refused: dev.neep.display.png: keep=-3: must be 0 or more snapshots" \
    serve --socket "$S" --png-dir "$TMP/png-refused" --set dev.neep.display.png:keep=-3

# a port something listens on
python3 -c '
import socket, sys, time
s = socket.socket(); s.bind(("127.0.0.1", 0)); s.listen(1)
print(s.getsockname()[1], flush=True); time.sleep(60)' > "$TMP/port" &
PIDS+=($!)
for _ in $(seq 50); do [ -s "$TMP/port" ] && break; sleep 0.1; done
taken=$(cat "$TMP/port")
refused "web port taken" "port $taken on 127.0.0.1 is taken" serve --socket "$S" --web-port "$taken"

# The framework cache ./neep serve keeps (runtime-config/target/felix-cache, written by the first
# serve after a build) must carry no configuration of the run that wrote it: a serve with
# --png-dir writes it here, and the serve below starts from it and must run no PNG sink.
CACHE="$ROOT/runtime-config/target/felix-cache"
rm -rf "$CACHE"
setsid "$NEEP" serve --socket "$S" --png-dir "$TMP/png" > "$TMP/first.log" 2>&1 &
first=$!; PIDS+=("-$first")
for _ in $(seq 600); do
    grep -q 'StatusReporter - neep runtime:' "$TMP/first.log" && break
    kill -0 "$first" 2>/dev/null || break
    sleep 0.1
done
kill -TERM -- "-$first" 2>/dev/null; wait "$first" 2>/dev/null
if grep -q 'ACTIVE *dev.neep.display.png.internal.PngDisplayComponent' "$TMP/first.log" && [ -d "$CACHE/bundle0" ] &&
    ! compgen -G "$CACHE/bundle*/data" > /dev/null; then
    ok "serve keeps its framework cache for the next runs, without any bundle's data"
else
    fail "serve with --png-dir: no kept framework cache, or one with bundle data (its log:)"
    ls -d "$CACHE"/bundle*/data 2>&1 | head -5 | sed 's/^/       /'; sed 's/^/       /' "$TMP/first.log" | head -40
fi

# A real serve with no sink option, from the cache kept above: it listens, and neither the PNG
# sink (which would write into java.io.tmpdir/neep-png) nor the window nor the web viewer runs.
mkdir "$TMP/jtmp"
JAVA_OPTS="-Djava.io.tmpdir=$TMP/jtmp" setsid "$NEEP" serve --socket "$S" > "$TMP/serve.log" 2>&1 &
serve=$!; PIDS+=("-$serve")
for _ in $(seq 600); do
    grep -q 'StatusReporter - neep runtime:' "$TMP/serve.log" && [ -S "$S" ] && break
    kill -0 "$serve" 2>/dev/null || break
    sleep 0.1
done
if [ -S "$S" ] && grep -q 'AWAITING_CONFIGURATION *dev.neep.display.png.internal.PngDisplayComponent' "$TMP/serve.log" &&
    grep -q 'AWAITING_CONFIGURATION *dev.neep.display.window.internal.WindowDisplayComponent' "$TMP/serve.log" &&
    grep -q 'AWAITING_CONFIGURATION *dev.neep.display.web.internal.WebDisplayComponent' "$TMP/serve.log" &&
    [ ! -e "$TMP/jtmp/neep-png" ]; then
    ok "serve without sink options listens on its socket and runs no PNG, window or web sink"
else
    fail "serve without sink options (its log:)"; sed 's/^/       /' "$TMP/serve.log" | head -80
fi
if grep -q 'WARN ProviderGate' "$TMP/serve.log"; then
    fail "an optional backend nobody chose is logged at WARN: $(grep 'WARN ProviderGate' "$TMP/serve.log")"
else
    ok "no WARN about an optional backend nobody chose"
fi
# The headless sink (a checksum of every frame) runs only when configured, and serve does not
# configure it: no sink lane of it on the served device.
java_pid="$(pgrep -P "$serve" java | head -1)"
headless=unknown
for _ in $(seq 50); do
    [ -n "$java_pid" ] || break
    threads="$(jcmd "$java_pid" Thread.print 2>/dev/null || true)"
    if ! grep -q '"neep-gpu-device"' <<< "$threads"; then
        headless="no thread dump of the device"
    elif grep -q '"neep-sink gpu HeadlessDisplayComponent"' <<< "$threads"; then
        headless=bound
    else
        headless=unbound; break
    fi
    sleep 0.1
done
if [ "$headless" = unbound ]; then ok "serve does not run the headless sink"
else fail "serve's device still feeds the headless sink ($headless, java pid '${java_pid}')"; fi
kill -TERM -- "-$serve" 2>/dev/null; wait "$serve" 2>/dev/null

[ $failed = 0 ] && echo "launcher tests passed" || echo "launcher tests FAILED"
exit $failed

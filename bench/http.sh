#!/bin/sh
# bench/http.sh - `qtm serve` under wrk on loopback (part of `make bench`).
#
# Three runs, each for HTTP_SECONDS (default 60):
#   reads     GET /api/desk as one operator, on a database of 100 jobs
#             spread over 5 operators (20 on the desk read), wrk -t2 -c64;
#   durable   POST claim / advance on fresh jobs (bench/wrk_advance.lua),
#             wrk -t2 -c64: every request a transition with its audit row,
#             durable before it is answered (group commit);
#   lone      the same from a single client (wrk -t1 -c1): a lone write's
#             latency, p50 and p99.
# Beside them, in the same run, raw SQLite under synchronous=FULL at one
# and ten transitions a commit (engine_bench --raw-only).
# Prints requests/s, p50/p99 latency, errors (socket errors and non-2xx),
# and the server's resident memory at the start, the middle and the end of
# each run.  Targets (issue 4, a 2-core machine): >= 5,000 reads/s,
# >= 1,000 durable transitions/s, p99 < 20 ms, zero errors, memory flat.
# Nothing is asserted.  Env: BUILD, HTTP_SECONDS, HTTP_THREADS (server
# worker threads, default one per CPU as qtm serve), HTTP_JOBS (jobs for the durable run,
# default 2,500 per second of run), HTTP_LONE_JOBS (for the lone client,
# default 1,000 per second of run).
set -u
BUILD=${BUILD:-build}
SECS=${HTTP_SECONDS:-60}
WORKERS=${HTTP_THREADS:-$(getconf _NPROCESSORS_ONLN 2>/dev/null || echo 2)}
JOBS=${HTTP_JOBS:-$((SECS * 2500))}
LONE_JOBS=${HTTP_LONE_JOBS:-$((SECS * 1000))}
QTM=$BUILD/bin/qtm
SETUP=$BUILD/bin/http_setup
DIR=$BUILD/bench/http
here=$(cd "$(dirname "$0")" && pwd)
export LC_ALL=C

die() { echo "bench/http: $*" >&2; exit 1; }
command -v wrk >/dev/null 2>&1 || die "wrk is not installed (tools/deps.sh installs it)"
[ -x "$QTM" ] && [ -x "$SETUP" ] || die "build $QTM and $SETUP first (make bench)"
rm -rf "$DIR" && mkdir -p "$DIR" || die "cannot create $DIR"

PID=
trap '[ -n "$PID" ] && kill "$PID" 2>/dev/null' EXIT INT TERM

start() {
    # no stale start line from the previous server: its URL is dead
    rm -f "$DIR/serve.out"
    # wrk's 64 connections all come from 127.0.0.1: past the default --per-ip
    "$QTM" --db "$1" serve --listen 127.0.0.1:0 --threads "$WORKERS" --per-ip 128 \
        >"$DIR/serve.out" 2>"$DIR/serve-$2.log" &
    PID=$!
    i=0
    URL=
    while [ -z "$URL" ] && [ $i -lt 100 ]; do
        URL=$(sed -n 's|^qtm serve: listening on \(http://[0-9.:]*\)/.*|\1|p' "$DIR/serve.out")
        sleep 0.05
        i=$((i + 1))
    done
    [ -n "$URL" ] || die "qtm serve did not start: $(cat "$DIR/serve-$2.log")"
}
stop() { kill -TERM "$PID" 2>/dev/null; wait "$PID" 2>/dev/null; PID=; }
rss() { awk '/^VmRSS/ {print $2}' "/proc/$PID/status" 2>/dev/null; }

# run NAME SCRIPT [THREADS CONNECTIONS]: wrk for SECS (default -t2 -c64)
# with memory sampled at 0, SECS/2 and the end
run() {
    r0=$(rss)
    wrk -t"${3:-2}" -c"${4:-64}" -d"${SECS}s" --latency -s "$2" "$URL" >"$DIR/$1.wrk" 2>&1 &
    w=$!
    sleep $((SECS / 2))
    r1=$(rss)
    wait $w
    r2=$(rss)
    rps=$(sed -n 's/^Requests\/sec: *\([0-9.]*\).*/\1/p' "$DIR/$1.wrk")
    p50=$(awk '$1 == "50%" {print $2}' "$DIR/$1.wrk")
    p99=$(awk '$1 == "99%" {print $2}' "$DIR/$1.wrk")
    sock=$(sed -n 's/.*Socket errors: \(.*\)/\1/p' "$DIR/$1.wrk")
    non2xx=$(sed -n 's/.*Non-2xx or 3xx responses: *\([0-9]*\).*/\1/p' "$DIR/$1.wrk")
    printf '%-8s %10s req/s   p50 %-9s p99 %-9s non-2xx %-6s socket errors: %s\n' "$1" \
        "${rps:-?}" "${p50:-?}" "${p99:-?}" "${non2xx:-0}" "${sock:-none}"
    printf '         server RSS: %s KiB at start, %s KiB at %ss, %s KiB at the end\n' \
        "${r0:-?}" "${r1:-?}" $((SECS / 2)) "${r2:-?}"
    grep '^durable:' "$DIR/$1.wrk" | sed 's/^/         /'
}

echo "== qtm serve under wrk (2 threads, 64 connections, ${SECS} s each; server: $WORKERS worker threads)"
echo "targets: reads >= 5000/s, durable >= 8000/s (group commit, fsynced) at p99 < 15 ms, 0 errors, flat memory"

"$SETUP" "$DIR/read.db" 100 5 >"$DIR/read.tokens" || die "setup failed"
start "$DIR/read.db" read
QTM_TOKEN=$(awk '$1 == "op0" {print $2}' "$DIR/read.tokens") run reads "$here/wrk_desk.lua"
stop

t0=$(date +%s)
"$SETUP" "$DIR/durable.db" "$JOBS" 1 >"$DIR/durable.tokens" || die "setup failed"
echo "(durable run: $JOBS fresh jobs prepared in $(( $(date +%s) - t0 )) s)"
start "$DIR/durable.db" durable
QTM_TOKEN=$(awk '$1 == "op0" {print $2}' "$DIR/durable.tokens") QTM_JOBS=$JOBS QTM_THREADS=2 \
    run durable "$here/wrk_advance.lua"
stop
"$QTM" --db "$DIR/durable.db" verify >"$DIR/verify.out" 2>&1 &&
    echo "verify after the durable run: $(cat "$DIR/verify.out")" ||
    echo "verify after the durable run FAILED: $(cat "$DIR/verify.out")"
head -n 1 "$DIR/serve.out" | sed 's/^/(/; s/$/)/'

"$SETUP" "$DIR/lone.db" "$LONE_JOBS" 1 >"$DIR/lone.tokens" || die "setup failed"
start "$DIR/lone.db" lone
QTM_TOKEN=$(awk '$1 == "op0" {print $2}' "$DIR/lone.tokens") QTM_JOBS=$LONE_JOBS QTM_THREADS=1 \
    run lone "$here/wrk_advance.lua" 1 1
stop
"$BUILD/bin/engine_bench" --dir "$DIR" --raw-only 5000 || die "engine_bench --raw-only failed"

#!/bin/sh
# bench/pg.sh - the PostgreSQL figures (part of `make bench`; alone: make bench-pg).
#
# One run on one throwaway cluster (tests/pg/cluster.sh: Unix socket in a
# temp dir, fsync=on, synchronous_commit=on: durability is what is
# measured), stopped and removed on exit.  Fixtures are built once with
# bench/http_setup (N queued event-coordination jobs, all op0's) and copied
# per part with CREATE DATABASE ... TEMPLATE, so every part starts alike.
#   1. one `qtm serve` on PostgreSQL under wrk, as bench/http.sh on SQLite:
#      durable transitions (bench/wrk_advance.lua: claim, arrive, start,
#      complete on fresh jobs, -t2 -c64) and desk reads (bench/wrk_desk.lua);
#   2. $BUILD/bin/pg_raw: libqtm at 4 writers against the raw libpq write
#      (BEGIN; UPDATE; INSERT; COMMIT), and the wait for the chain head;
#   3. three `qtm serve` on one database, a wrk (-t1 -c32) against each at
#      once on disjoint jobs: aggregate durable transitions/s, then verify;
#   4. beside them: pgbench simple-update (-N -c 4 -j 2 -M prepared, scale
#      10) and pg-boss 10.1.6 (bench/pgboss: npm ci, 4 workers fetch +
#      complete over a backlog of 1,000 jobs per second of run, inserted
#      beforehand), and qtm's durable rate over pg-boss's.
# Goals are printed beside the figures (ok / MISSED); nothing is asserted.
# Prints one "skipped" line and exits 0 without a PostgreSQL server, libpq
# (no pg_raw) or wrk; exits 1 when a step fails.  Env: BUILD, PG_SECONDS
# (each wrk run, default 12), PG_RAW_SECONDS (each pg_raw run, default 8),
# PG_OTHER_SECONDS (pgbench, pg-boss: default 10), PG_JOBS (fixture jobs,
# default 4000), HTTP_THREADS (serve worker threads, default one per CPU).
set -u
BUILD=${BUILD:-build}
SECS=${PG_SECONDS:-12}
RAW_SECS=${PG_RAW_SECONDS:-8}
OTHER_SECS=${PG_OTHER_SECONDS:-10}
JOBS=${PG_JOBS:-4000}
WORKERS=${HTTP_THREADS:-$(getconf _NPROCESSORS_ONLN 2>/dev/null || echo 2)}
QTM=$BUILD/bin/qtm
SETUP=$BUILD/bin/http_setup
RAW=$BUILD/bin/pg_raw
here=$(cd "$(dirname "$0")" && pwd)
DIR=$BUILD/bench/pg
CLUSTER=$here/../tests/pg/cluster.sh
export LC_ALL=C

die() { echo "bench/pg: $*" >&2; exit 1; }
skip() { echo "bench/pg: skipped ($*)"; exit 0; }

BIN=${PG_BIN:-$(ls -dv /usr/lib/postgresql/*/bin 2>/dev/null | tail -n 1)}
[ -n "$BIN" ] && [ -x "$BIN/initdb" ] || skip "no PostgreSQL server installed"
[ -x "$RAW" ] || skip "$RAW is not built: no libpq (make bench builds it when libpq is there)"
command -v wrk >/dev/null 2>&1 || skip "wrk is not installed"
[ -x "$QTM" ] && [ -x "$SETUP" ] || die "build $QTM and $SETUP first (make bench-pg)"
rm -rf "$DIR" && mkdir -p "$DIR" || die "cannot create $DIR"
DIR=$(cd "$DIR" && pwd)

# the socket path must stay short (cluster.sh): the cluster lives in /tmp
T=$(mktemp -d /tmp/qtm-bench-pg.XXXXXX) || die "mktemp failed"
chmod 0755 "$T"
PIDS=
cleanup() {
    for p in $PIDS; do kill "$p" 2>/dev/null; done
    "$CLUSTER" stop "$T/c" >/dev/null 2>&1
    rm -rf "$T"
}
trap cleanup EXIT
trap 'exit 1' INT TERM
PG_FSYNC=on PG_BIN=$BIN "$CLUSTER" start "$T/c" || die "the cluster did not start"

uri() { echo "postgresql:///$1?host=$T/c&user=qtm"; }
sql() { "$BIN/psql" -X -q -At -v ON_ERROR_STOP=1 "$(uri postgres)" -c "$1"; }
setting() { sql "SHOW $1"; }
goal() { if [ "$1" = 1 ]; then echo "ok    "; else echo "MISSED"; fi; }
# ge A B: 1 when the number A >= B
ge() { awk -v a="$1" -v b="$2" 'BEGIN { print (a + 0 >= b + 0) ? 1 : 0 }'; }
# ms DURATION: wrk's "850.00us", "12.34ms" or "1.20s" in ms
ms() {
    echo "$1" | awk '{ v = $0 + 0 }
        /us$/ { v /= 1000 } /[^mu]s$/ { v *= 1000 } !/s$/ { print "?"; next }
        { printf "%.2f\n", v }'
}

echo "qtm on PostgreSQL $(setting server_version) (throwaway cluster on a Unix socket; fsync=$(setting fsync)," \
     "synchronous_commit=$(setting synchronous_commit), wal_sync_method=$(setting wal_sync_method))"
echo "($(getconf _NPROCESSORS_ONLN 2>/dev/null || echo '?') cpus; before: $(uptime | sed 's/^ *//');" \
     "$(date -u '+%Y-%m-%d %H:%M UTC'))"

# --- fixtures ------------------------------------------------------------------
# http_setup opens relaxed (synchronous_commit off) for its untimed setup;
# the copies serve durably
t0=$(date +%s)
sql "CREATE DATABASE fixture" && sql "CREATE DATABASE desk" || die "createdb failed"
"$SETUP" "$(uri fixture)" "$JOBS" 1 >"$DIR/fixture.tokens" || die "setup of $JOBS jobs failed"
"$SETUP" "$(uri desk)" 100 5 >"$DIR/desk.tokens" || die "setup of the desk failed"
for d in one raw2 qtm2 three; do
    sql "CREATE DATABASE $d TEMPLATE fixture" || die "cannot copy the fixture to $d"
done
sql "CHECKPOINT" || die "checkpoint failed"
TOKEN=$(awk '$1 == "op0" {print $2}' "$DIR/fixture.tokens")
DESK_TOKEN=$(awk '$1 == "op0" {print $2}' "$DIR/desk.tokens")
echo "(fixtures: $JOBS queued jobs for op0, copied per part; a desk of 100 jobs over 5 operators;" \
     "built in $(( $(date +%s) - t0 )) s)"
echo

# serve DB NAME: starts qtm serve on DB in the background; sets URL, adds the pid to PIDS
serve() {
    out=$DIR/serve-$2.out
    : >"$out"
    "$QTM" --db "$1" serve --listen 127.0.0.1:0 --threads "$WORKERS" --per-ip 256 \
        >"$out" 2>"$DIR/serve-$2.log" &
    PIDS="$PIDS $!"
    i=0
    URL=
    while [ -z "$URL" ] && [ $i -lt 200 ]; do
        URL=$(sed -n 's|^qtm serve: listening on \(http://[0-9.:]*\)/.*|\1|p' "$out")
        [ -n "$URL" ] || sleep 0.05
        i=$((i + 1))
    done
    [ -n "$URL" ] || die "qtm serve did not start: $(cat "$DIR/serve-$2.log")"
}
stop_all() {
    for p in $PIDS; do kill -TERM "$p" 2>/dev/null; wait "$p" 2>/dev/null; done
    PIDS=
}
# figures NAME: "rps p50_ms p99_ms non2xx socket_errors durable_per_s" from NAME.wrk
figures() {
    f=$DIR/$1.wrk
    rps=$(sed -n 's/^Requests\/sec: *\([0-9.]*\).*/\1/p' "$f")
    p50=$(ms "$(awk '$1 == "50%" {print $2}' "$f")")
    p99=$(ms "$(awk '$1 == "99%" {print $2}' "$f")")
    non2xx=$(sed -n 's/.*Non-2xx or 3xx responses: *\([0-9]*\).*/\1/p' "$f")
    sock=$(sed -n 's/.*Socket errors: connect \([0-9]*\), read \([0-9]*\), write \([0-9]*\), timeout \([0-9]*\).*/\1 \2 \3 \4/p' "$f" |
           awk '{ print $1 + $2 + $3 + $4 }')
    dur=$(sed -n 's/^durable: .* = \([0-9]*\)\/s.*/\1/p' "$f")
    echo "${rps:-0} ${p50:-?} ${p99:-?} ${non2xx:-0} ${sock:-0} ${dur:-0}"
}
verify() {
    if "$QTM" --db "$(uri "$1")" verify >"$DIR/verify-$1.out" 2>&1; then
        echo "   after the run, qtm $(head -n 1 "$DIR/verify-$1.out")"
    else
        echo "   after the run, qtm verify FAILED: $(head -c 400 "$DIR/verify-$1.out")"
    fi
}

# --- 1. one qtm serve ----------------------------------------------------------------
echo "1. one qtm serve on PostgreSQL under wrk ($WORKERS worker threads, one connection each;" \
     "wrk -t2 -c64, ${SECS} s a run)"
serve "$(uri one)" one
QTM_TOKEN=$TOKEN QTM_JOBS=$JOBS QTM_THREADS=2 \
    wrk -t2 -c64 -d"${SECS}s" --latency -s "$here/wrk_advance.lua" "$URL" >"$DIR/durable.wrk" 2>&1
stop_all
read -r _ d_p50 d_p99 d_non d_sock ONE <<EOT
$(figures durable)
EOT
ok=$(ge "$ONE" 1000)
p99ok=$(awk -v p="$d_p99" 'BEGIN { print (p != "?" && p + 0 < 25) ? 1 : 0 }')
[ "$((d_non + d_sock))" = 0 ] && errok=1 || errok=0
printf '   %-30s %8s/s   %s goal >= 1,000/s\n' "durable transitions" "$ONE" "$(goal "$ok")"
printf '   %-30s p50 %s ms, p99 %s ms   %s goal p99 < 25 ms\n' "latency" "$d_p50" "$d_p99" \
    "$(goal "$p99ok")"
printf '   %-30s non-2xx %s, socket errors %s   %s goal 0\n' "errors" "$d_non" "$d_sock" \
    "$(goal "$errok")"
grep '^durable:' "$DIR/durable.wrk" | sed 's/^/   (wrk_advance.lua) /'
verify one
serve "$(uri desk)" desk
QTM_TOKEN=$DESK_TOKEN wrk -t2 -c64 -d"${SECS}s" --latency -s "$here/wrk_desk.lua" "$URL" \
    >"$DIR/desk.wrk" 2>&1
stop_all
read -r r_rps r_p50 r_p99 r_non r_sock _ <<EOT
$(figures desk)
EOT
printf '   %-30s %8.0f/s   %s goal >= 3,000/s  (p50 %s ms, p99 %s ms, non-2xx %s, socket errors %s)\n' \
    "desk reads (GET /api/desk)" "$r_rps" "$(goal "$(ge "$r_rps" 3000)")" "$r_p50" "$r_p99" \
    "$r_non" "$r_sock"
echo

# --- 2. libqtm against the raw write ---------------------------------------------------
"$RAW" --raw "$(uri raw2)" --qtm "$(uri qtm2)" --threads 4 --seconds "$RAW_SECS" --jobs "$JOBS" ||
    die "pg_raw failed"
echo

# --- 3. three qtm serve on one database --------------------------------------------------
echo "3. three qtm serve on one database ($WORKERS worker threads each), a wrk -t1 -c32 against" \
     "each at once on a third of the jobs, ${SECS} s"
urls=
for n in 0 1 2; do
    serve "$(uri three)" "three$n"
    urls="$urls $URL"
done
n=0
wpids=
for u in $urls; do
    QTM_TOKEN=$TOKEN QTM_JOBS=$JOBS QTM_THREADS=1 QTM_PARTS=3 QTM_PART=$n \
        wrk -t1 -c32 -d"${SECS}s" --latency -s "$here/wrk_advance.lua" "$u" >"$DIR/three$n.wrk" 2>&1 &
    wpids="$wpids $!"
    n=$((n + 1))
done
for p in $wpids; do wait "$p"; done
stop_all
agg=0 errs=0
for n in 0 1 2; do
    read -r _ p50 p99 non sock dur <<EOT
$(figures "three$n")
EOT
    printf '   serve %d: %6s durable transitions/s, p50 %s ms, p99 %s ms, non-2xx %s, socket errors %s\n' \
        "$n" "$dur" "$p50" "$p99" "$non" "$sock"
    agg=$((agg + dur))
    errs=$((errs + non + sock))
done
printf '   %-30s %8s/s   %s goal >= one serve (%s/s)\n' "aggregate durable transitions" "$agg" \
    "$(goal "$(ge "$agg" "$ONE")")" "$ONE"
printf '   %-30s %8s     %s goal 0\n' "errors" "$errs" "$(goal "$([ "$errs" = 0 ] && echo 1)")"
verify three
echo
# --- 4. pgbench and pg-boss, same cluster ---------------------------------------------------
echo "4. beside them, on the same cluster"
sql "CREATE DATABASE pgbench" || die "createdb pgbench failed"
"$BIN/pgbench" -i -q -s 10 "$(uri pgbench)" >"$DIR/pgbench-init.log" 2>&1 ||
    die "pgbench -i failed: $(tail -n 3 "$DIR/pgbench-init.log")"
"$BIN/pgbench" -N -c 4 -j 2 -T "$OTHER_SECS" -M prepared "$(uri pgbench)" >"$DIR/pgbench.log" 2>&1 ||
    die "pgbench failed: $(tail -n 3 "$DIR/pgbench.log")"
tps=$(sed -n 's/^tps = \([0-9.]*\) (without initial connection time).*/\1/p' "$DIR/pgbench.log")
printf '   %-30s %8.0f tps  (-N -c 4 -j 2 -T %s -M prepared, scale 10: UPDATE, SELECT, INSERT a tx)\n' \
    "pgbench simple-update" "${tps:-0}" "$OTHER_SECS"

# pg-boss from the pinned lock file, installed under the build tree
boss_rate=
BOSS=$DIR/pgboss
if ! command -v node >/dev/null 2>&1 || ! command -v npm >/dev/null 2>&1; then
    echo "   pg-boss: skipped (node or npm is not installed)"
else
    mkdir -p "$BOSS" && cp "$here/pgboss/package.json" "$here/pgboss/package-lock.json" \
        "$here/pgboss/bench.js" "$BOSS/" || die "cannot copy bench/pgboss"
    if ! (cd "$BOSS" && timeout 180 npm ci --no-audit --no-fund >npm.log 2>&1); then
        echo "   pg-boss: skipped (npm ci failed: $(grep -v '^npm notice' "$BOSS/npm.log" | tail -n 1))"
    else
        sql "CREATE DATABASE pgboss" || die "createdb pgboss failed"
        if (cd "$BOSS" && timeout $((OTHER_SECS + 120)) node bench.js "$T/c" pgboss qtm "$OTHER_SECS" \
                $((OTHER_SECS * 1000)) 4) >"$DIR/pgboss.out" 2>&1; then
            boss_rate=$(sed -n 's/.* jobs\/s, \([0-9]*\) transitions\/s.*/\1/p' "$DIR/pgboss.out")
            sed 's/^/   /' "$DIR/pgboss.out"
        else
            echo "   pg-boss: FAILED: $(tail -n 2 "$DIR/pgboss.out")"
        fi
    fi
fi
if [ -n "$boss_rate" ] && [ "$boss_rate" -gt 0 ]; then
    r=$(awk -v a="$ONE" -v b="$boss_rate" 'BEGIN { printf "%.2f", a / b }')
    printf '   %-30s %8s     %s goal >= 2  (one serve %s/s, pg-boss %s/s)\n' \
        "ratio qtm/pg-boss transitions" "$r" "$(goal "$(ge "$r" 2)")" "$ONE" "$boss_rate"
fi
echo "(after: $(uptime | sed 's/^ *//'))"

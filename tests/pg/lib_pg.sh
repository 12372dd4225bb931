# tests/pg/lib_pg.sh - helpers of the PostgreSQL suites in tests/pg/ (bash;
# sourced after tests/scenario/lib.sh, never run).
#
# pg_cluster [own]: the server the suite runs on.  QTM_TEST_PG's (the PG
# leg's cluster) unless it is unset or the suite asks for its own ("own":
# it crashes or restarts the server, or wants PG_FSYNC=on); its own cluster
# (tests/pg/cluster.sh) lives in PGC, outside $T (the postgres user must
# reach it), and is stopped and removed on every exit.  A qtm built without
# libpq, or no server installed, ends the suite at once with one line and
# "0 passed, 0 failed".  PGC is empty on the leg's server: a suite that
# stops the server needs its own.
#
# bg_start NAME CMD... / bg_kill NAME SIG: processes of the suite, killed
# at exit too.  ms: the time in milliseconds.  psql_db SQL: like db_sql,
# errors on stderr.  http_batch: many requests in one curl.  serve_up NAME:
# a `qtm serve` on a free port.  pool_jobs N OP: N queued pool-race jobs.

PGC=""                          # this suite's own cluster, if it has one
PG_LOG=""                       # its server log
declare -A BG=()                # NAME -> pid of what bg_start started

pg_cleanup() {
    local n
    for n in "${!BG[@]}"; do kill -KILL "${BG[$n]}" 2>/dev/null; done
    for n in "${!BG[@]}"; do wait "${BG[$n]}" 2>/dev/null; done
    [ -n "$PGC" ] && tests/pg/cluster.sh restart "$PGC" >/dev/null 2>&1
    lib_cleanup
    [ -n "$PGC" ] && tests/pg/cluster.sh stop "$PGC"
}
trap pg_cleanup EXIT

pg_skip() {
    echo "skipped: $*"
    echo "0 passed, 0 failed"
    exit 0
}

pg_cluster() {
    "$QTM" --db 'postgresql:///qtm_probe?host=/nonexistent' verify >"$T/pgprobe" 2>&1
    grep -q 'not built in' "$T/pgprobe" && pg_skip "no PostgreSQL (qtm was built without libpq)"
    if [ "${1:-}" != own ] && [ -n "${QTM_TEST_PG:-}" ]; then
        return 0
    fi
    PGC=$(mktemp -d "${TMPDIR:-/tmp}/qtm-pgt.XXXXXX")
    local st
    tests/pg/cluster.sh start "$PGC" 2>"$T/pgstart"
    st=$?
    if [ $st -ne 0 ]; then
        rm -rf "$PGC"
        PGC=""
        [ $st -eq 3 ] && pg_skip "no PostgreSQL ($(head -n 1 "$T/pgstart"))"
        bad "the cluster did not start (exit $st): $(oneline <"$T/pgstart")"
        finish
    fi
    PG_LOG=$PGC/log
    eval "$(tests/pg/cluster.sh env "$PGC")"
    command -v psql >/dev/null 2>&1 || { bad "psql is not installed"; finish; }
}

ms() { date +%s%3N; }

psql_db() { psql -X -A -t -q -v ON_ERROR_STOP=1 "$DB" -c "$1"; }

bg_start() {
    local name=$1
    shift
    "$@" &
    BG[$name]=$!
}

bg_kill() {
    kill -"$2" "${BG[$1]}" 2>/dev/null
    [ "$2" = STOP ] || [ "$2" = CONT ] && return 0
    wait "${BG[$1]}" 2>/dev/null
    unset "BG[$1]"
}

# http_batch FILE [codes]: one curl process sends every request of FILE in
# order on one kept-alive connection per server (lines METHOD URL TOKEN
# [BODY], the body JSON without blanks, "-" for no token); prints one line
# per request: its answer's body (one line of JSON), with "codes" followed
# by a tab, the status and the URL
http_batch() {
    awk -v codes="${2:-}" '{
        if (NR > 1) print "next"
        printf "request = \"%s\"\nurl = \"%s\"\nsilent\n", $1, $2
        if ($3 != "-") printf "header = \"Authorization: Bearer %s\"\n", $3
        if ($4 != "") {
            body = $4
            gsub(/"/, "\\\"", body)
            printf "header = \"Content-Type: application/json\"\ndata-binary = \"%s\"\n", body
        }
        if (codes != "") print "write-out = \"\\t%{http_code} %{url}\\n\""
        else print "write-out = \"\\n\""
    }' "$1" >"$1.cfg"
    if [ -z "${2:-}" ]; then curl -K "$1.cfg"; return; fi
    # a body's own newline: its status line joins it
    curl -K "$1.cfg" | awk '/^\t/ { print body $0; body = ""; next } { body = body $0 }'
}

# serve_up NAME [OPTIONS...]: a `qtm serve` on $DB on a free loopback port,
# in BG[NAME]; its base URL in URL[NAME] (empty if it did not start: one
# check)
declare -A URL=()
serve_up() {
    local name=$1 i u=""
    shift
    bg_start "$name" "$QTM" --db "$DB" serve --listen 127.0.0.1:0 "$@" >"$T/$name.out" 2>"$T/$name.err"
    for ((i = 0; i < 200; i++)); do
        u=$(sed -n 's|^qtm serve: listening on \(http://127.0.0.1:[0-9]*\)/.*|\1|p' "$T/$name.out")
        [ -n "$u" ] && break
        sleep 0.05
    done
    URL[$name]=$u
    if [ -n "$u" ]; then ok; else bad "$name: qtm serve did not start: $(oneline <"$T/$name.err")"; fi
}

# pool_jobs N OP: N queued pool-race jobs whose tasks are assigned to OP,
# set up through one `qtm serve` and curl (4 requests a job in 4 curl
# processes: the CLI would fork 4N); the ids in $T/ids.  Needs the admin
# actor and qtm-test's pool-race surface.  Two checks.
pool_jobs() {
    local n=$1 op=$2 i tok u out
    tok=$("$QTM" --db "$DB" token issue admin 2>"$T/pj.err")
    serve_up pj --intake-rate 1000000 --intake-burst 1000000
    u=${URL[pj]}
    for ((i = 0; i < n; i++)); do echo "POST $u/api/requests/pool-race - {\"job\":{\"title\":\"race\"}}"; done >"$T/pj.1"
    http_batch "$T/pj.1" | jq -r '.task' >"$T/pj.tasks"
    awk -v u="$u" -v t="$tok" '{ print "POST " u "/api/tasks/" $1 "/approve " t }' "$T/pj.tasks" >"$T/pj.2"
    http_batch "$T/pj.2" >/dev/null
    awk -v u="$u" -v t="$tok" -v op="$op" '{ print "POST " u "/api/tasks/" $1 "/assign " t " {\"to\":\"" op "\"}" }' \
        "$T/pj.tasks" >"$T/pj.3"
    http_batch "$T/pj.3" >/dev/null
    awk -v u="$u" -v t="$tok" '{ print "POST " u "/api/tasks/" $1 "/job " t }' "$T/pj.tasks" >"$T/pj.4"
    http_batch "$T/pj.4" | jq -r '.job' >"$T/ids"
    bg_kill pj TERM
    out=$(psql_db "SELECT count(*) FROM jobs WHERE state = 'queued' AND owner_id IS NULL" 2>&1)
    if [ "$out" = "$n" ] && [ "$(grep -c '^[0-9][0-9]*$' "$T/ids")" = "$n" ]; then ok; else
        bad "pool_jobs: $out queued jobs, $(grep -c '^[0-9][0-9]*$' "$T/ids") ids, want $n: $(oneline <"$T/pj.err")"
    fi
}

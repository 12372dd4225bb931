#!/usr/bin/env bash
# tests/pg/retry.sh - the forced retry paths of the PostgreSQL driver.
#
# On a cluster of its own (its log tells which session failed how: the
# log line prefix names the application), with `qtm job claim` as the
# write, each case checks the answer, the audit rows the claim added (as
# many as an undisturbed claim adds, or none) and that the job's owner is
# right:
#   lock timeout   psql holds the chain head FOR UPDATE 4 s: the claim's
#                  first try times out (3 s), the next succeeds; held 17 s:
#                  every try times out, busy (exit 10), the database unchanged
#   deadlock       psql locks the job, qtm takes the head and waits for the
#                  job, psql asks for the head: the server kills qtm's wait
#                  (40P01), qtm runs the claim again and it wins
#   lost COMMIT    QTM_PG_FAULT=drop-after-commit: the answer is lost after
#                  the server committed: exit 0, claimed once;
#                  drop-before-commit (every try): busy, nothing written
#                  drop-in-transaction (every try): busy, nothing written
# Same-key submits are race.sh's.  QTM: qtm-test (the pool-race surface).
. "$(dirname "$0")/../scenario/lib.sh"
. "$ROOT/tests/pg/lib_pg.sh"
pg_cluster own
fresh retry
run "init" init
run "actor add admin" actor add admin --role admin
run "actor add op1" actor add op1 --role operator
pool_jobs 6 op1
mapfile -t J <"$T/ids"
psql -X -q "$QTM_TEST_PG" -c "ALTER SYSTEM SET log_line_prefix = '%m [%p] %a: '" \
    -c "SELECT pg_reload_conf()" >/dev/null
sleep 0.2

# rows J: audit rows about job J
rows() { count audit "job_id = $1"; }
# log_since MARK: the server log after byte MARK
log_mark() { stat -c %s "$PG_LOG"; }
log_since() { tail -c +"$(($1 + 1))" "$PG_LOG"; }
# hold NAME SQL...: a psql session in the background running the SQL
# statements in order (a line "-- mark" touches $T/NAME.mark there); returns
# once the statements before the mark ran
hold() {
    local name=$1 s
    shift
    rm -f "$T/$name.mark"
    for s in "$@"; do
        if [ "$s" = "-- mark" ]; then echo "\\! touch $T/$name.mark"; else echo "$s;"; fi
    done >"$T/$name.sql"
    bg_start "$name" psql -X -q -v ON_ERROR_STOP=1 "$DB" -f "$T/$name.sql" >"$T/$name.out" 2>&1
    local i
    for ((i = 0; i < 200; i++)); do [ -e "$T/$name.mark" ] && return 0; sleep 0.02; done
    bad "$name: the psql session never got its locks: $(oneline <"$T/$name.out")"
}
held_done() {
    wait "${BG[$1]}"
    local st=$?
    unset "BG[$1]"
    if [ $st -eq 0 ] && ! grep -q ERROR "$T/$1.out"; then ok; else
        bad "$1: the psql session failed (exit $st): $(oneline <"$T/$1.out")"
    fi
}
claim() {
    local t0
    t0=$(ms)
    QTM_PG_FAULT=${FAULT:-} "$QTM" --db "$DB" --as op1 job claim "$1" >"$T/out" 2>"$T/err"
    rc=$?
    took=$(($(ms) - t0))
}
HEAD_LOCK="SELECT id FROM chain_head WHERE id = 1 FOR UPDATE"

# --- an undisturbed claim: how many audit rows one adds ------------------------
before=$(rows "${J[0]}")
claim "${J[0]}"
is "plain: claim exits 0" 0 "$rc"
PER=$(($(rows "${J[0]}") - before))
if [ "$PER" -ge 1 ]; then ok; else bad "plain: the claim added $PER audit rows"; fi

# --- lock timeout: released within the retries ----------------------------------
before=$(rows "${J[1]}")
m=$(log_mark)
hold lock4 "BEGIN" "$HEAD_LOCK" "-- mark" "SELECT pg_sleep(4)" "COMMIT"
claim "${J[1]}"
held_done lock4
echo "# lock held 4 s: the claim answered in $took ms"
is "lock 4 s: the claim succeeds after its retry" 0 "$rc"
is "lock 4 s: it added one claim's audit rows" "$PER" "$(($(rows "${J[1]}") - before))"
is "lock 4 s: op1 owns the job" op1 "$(sql "SELECT a.slug FROM jobs j JOIN actors a ON a.id = j.owner_id WHERE j.id = ${J[1]}")"
log_since "$m" >"$T/log.lock4"
is "lock 4 s: the server cancelled one of qtm's waits for the head" 1 \
    "$(grep -c '] qtm: ERROR: *canceling statement due to lock timeout' "$T/log.lock4")"
if [ "$took" -ge 3500 ] && [ "$took" -lt 8000 ]; then ok; else
    bad "lock 4 s: the claim took $took ms, want 3.5 to 8 s (one 3 s timeout, then the lock)"
fi

# --- lock timeout: held past every retry -> busy, nothing written ---------------
dump "$T/before"
m=$(log_mark)
hold lock17 "BEGIN" "$HEAD_LOCK" "-- mark" "SELECT pg_sleep(17)" "COMMIT"
claim "${J[2]}"
dump "$T/after"
held_done lock17
echo "# lock held 17 s: the claim answered busy in $took ms"
is "lock 17 s: busy (exit 10)" 10 "$rc"
has "lock 17 s: the message says it" "$T/err" "lock timeout"
if cmp -s "$T/before" "$T/after"; then ok; else
    bad "lock 17 s: the database changed: $(diff "$T/before" "$T/after" | oneline)"
fi
is "lock 17 s: one timeout per try (5)" 5 \
    "$(log_since "$m" | grep -c '] qtm: ERROR: *canceling statement due to lock timeout')"
run "lock 17 s: the claim afterwards succeeds" --as op1 job claim "${J[2]}"

# --- deadlock: 40P01 for qtm, retried, wins -------------------------------------
before=$(rows "${J[3]}")
m=$(log_mark)
hold dl "BEGIN" "SELECT id FROM jobs WHERE id = ${J[3]} FOR UPDATE" "-- mark" \
    "SELECT pg_sleep(0.5)" "$HEAD_LOCK" "SELECT pg_sleep(0.5)" "ROLLBACK"
claim "${J[3]}"
held_done dl
echo "# deadlock: the claim answered in $took ms"
is "deadlock: the claim succeeds" 0 "$rc"
is "deadlock: one claim's audit rows" "$PER" "$(($(rows "${J[3]}") - before))"
is "deadlock: op1 owns the job" op1 "$(sql "SELECT a.slug FROM jobs j JOIN actors a ON a.id = j.owner_id WHERE j.id = ${J[3]}")"
log_since "$m" >"$T/log.dl"
n=$(grep -c '] qtm: ERROR: *deadlock detected' "$T/log.dl")
echo "# deadlock: $n detected in qtm's session"
if [ "$n" -ge 1 ]; then ok; else bad "deadlock: none detected in qtm's session: $(oneline <"$T/log.dl")"; fi
is "deadlock: none in psql's" 0 "$(grep -c '] psql: ERROR' "$T/log.dl")"

# --- a lost COMMIT: the server committed, the answer never came -------------------
before=$(rows "${J[4]}")
FAULT=drop-after-commit claim "${J[4]}"
is "drop-after-commit: exit 0 (the server says it committed)" 0 "$rc"
is "drop-after-commit: no message" "" "$(oneline <"$T/err")"
is "drop-after-commit: one claim's audit rows" "$PER" "$(($(rows "${J[4]}") - before))"
is "drop-after-commit: op1 owns the job" op1 "$(sql "SELECT a.slug FROM jobs j JOIN actors a ON a.id = j.owner_id WHERE j.id = ${J[4]}")"

# --- the connection lost before COMMIT, on every try: busy, nothing written ---------
before=$(rows "${J[5]}")
dump "$T/before"
# three times five tries: each asks the server what became of its
# transaction, which must not answer while the old session still holds it
for k in 1 2 3; do
    FAULT=drop-before-commit claim "${J[5]}"
    is "drop-before-commit ($k): busy (exit 10)" 10 "$rc"
    has "drop-before-commit ($k): nothing was committed, it says" "$T/err" \
        "nothing was committed); nothing was stored: try again (tried 5 times)"
done
# the connection lost in the middle of the transaction: the command
# answers busy; in a server's batch every later call of that transaction
# does too (503, never a 500, never a statement in autocommit on the next
# connection)
FAULT=drop-in-transaction claim "${J[5]}"
is "drop-in-transaction: busy (exit 10)" 10 "$rc"
has "drop-in-transaction: nothing was stored, it says" "$T/err" "nothing was stored: try again"
OP1_TOKEN=$("$QTM" --db "$DB" token issue op1 2>/dev/null)
dump "$T/before"
export QTM_PG_FAULT=drop-in-transaction
serve_up faulty
unset QTM_PG_FAULT
code=$(curl -s -o "$T/claim.body" -D "$T/claim.head" -w '%{http_code}' -X POST \
       -H "Authorization: Bearer $OP1_TOKEN" "${URL[faulty]}/api/jobs/${J[5]}/claim")
is "drop-in-transaction, serve: 503" 503 "$code$([ "$code" = 503 ] || echo " $(oneline <"$T/claim.body")")"
has "drop-in-transaction, serve: Retry-After" "$T/claim.head" "Retry-After: 1"
# eight at once share batches: the calls after the one that lost the
# connection answer busy too
pids=""
for k in 1 2 3 4 5 6 7 8; do
    curl -s -o /dev/null -w '%{http_code}\n' -X POST -H "Authorization: Bearer $OP1_TOKEN" \
        "${URL[faulty]}/api/jobs/${J[5]}/claim" >"$T/par.$k" &
    pids="$pids $!"
done
# shellcheck disable=SC2086
wait $pids
is "drop-in-transaction, serve: eight at once, all 503" "503 503 503 503 503 503 503 503" \
    "$(cat "$T"/par.* | tr '\n' ' ' | sed 's/ $//')"
bg_kill faulty TERM
dump "$T/after"
if cmp -s "$T/before" "$T/after"; then ok; else
    bad "drop-before-commit, drop-in-transaction: the database changed: $(diff "$T/before" "$T/after" | oneline)"
fi
run "drop-before-commit: the claim afterwards succeeds" --as op1 job claim "${J[5]}"
is "drop-before-commit: then one claim's audit rows" "$PER" "$(($(rows "${J[5]}") - before))"

is "every claim's job is active" 6 "$(count jobs "state = 'active'")"
is "audit ids gap-free" "$(count audit)" "$(sql "SELECT max(id) FROM audit")"
run "verify" verify
finish

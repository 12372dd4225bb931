#!/usr/bin/env bash
# tests/pg/race.sh - concurrent claims and same-key submits on PostgreSQL.
#
# Eight `qtm request submit` at once with one --key: all succeed, one
# request.  Then RACE_JOBS (default 1000) pool-race jobs (set up through a
# `qtm serve`: lib_pg.sh pool_jobs) claimed by four `qtm` processes, four
# operators, each trying every job in its own order: exactly one claim per
# job wins (exit 0), every other is a conflict (exit 6) naming the real
# owner, one claim audit row per job, audit ids gap-free (the chain's
# positions), the chain head at the last row, verify passes.  Runs on
# QTM_TEST_PG's server, or a cluster of its own.  QTM: qtm-test (pool-race).
. "$(dirname "$0")/../scenario/lib.sh"
. "$ROOT/tests/pg/lib_pg.sh"
QTM=${QTM_RACE:-$QTM}
pg_cluster
N=${RACE_JOBS:-1000}
OPS="op1 op2 op3 op4"

# --- 8 same-key submits ------------------------------------------------------
fresh small
run "small: init" init
# together CMD...: 8 processes run qtm CMD at once; K's status in r.K, stdout o.K
together() {
    local k
    rm -f "$T/small/go" "$T/small"/[reo].*
    for ((k = 1; k <= 8; k++)); do
        (
            while [ ! -e "$T/small/go" ]; do sleep 0.005; done
            "$QTM" --db "$DB" "$@" >"$T/small/o.$k" 2>"$T/small/e.$k"
            echo $? >"$T/small/r.$k"
        ) &
    done
    sleep 0.2
    touch "$T/small/go"
    wait
}
statuses() { cat "$T/small"/r.* | sort | uniq -c | awk '{ printf "%s:%s ", $2, $1 }'; }
W=$EX/event-coordination-wedding.json
together --json request submit event-coordination --intake "$W" --key same-key
is "small: 8 same-key submits all exit 0" "0:8 " "$(statuses)"
is "small: one request and task in every answer" 1 "$(cat "$T/small"/o.* | jq -c '{request, task}' | sort -u | wc -l)"
is "small: one stored, seven replays" "false:1 true:7 " \
    "$(cat "$T/small"/o.* | jq -r .replayed | sort | uniq -c | awk '{ printf "%s:%s ", $2, $1 }')"
is "small: one request" 1 "$(count requests)"
is "small: one task" 1 "$(count tasks)"
is "small: one submit audit row" 1 "$(count audit "entity = 'request'")"
is "small: no message on stderr" "" "$(cat "$T/small"/e.* | oneline)"
run "small: verify" verify

# --- 4 x N claims ---------------------------------------------------------------
"$QTM" surfaces 2>/dev/null | grep -q '^pool-race ' || { bad "pool-race is not in $QTM (use qtm-test)"; finish; }
fresh race
run "init" init
run "actor add admin" actor add admin --role admin
for op in $OPS; do run "actor add $op" actor add "$op" --role operator; done
t0=$(ms)
pool_jobs "$N" op1
t1=$(ms)
cp "$T/ids" "$T/order.op1"
sort -rn "$T/ids" >"$T/order.op2"
shuf "$T/ids" >"$T/order.op3"
shuf "$T/ids" >"$T/order.op4"
claimer() {
    local op=$1 id
    while [ ! -e "$T/go" ]; do sleep 0.005; done
    while read -r id; do
        "$QTM" --db "$DB" --as "$op" job claim "$id" >/dev/null 2>>"$T/race.err.$op"
        echo "$op $id $?"
    done <"$T/order.$op"
}
pids=""
for op in $OPS; do
    claimer "$op" >"$T/race.$op" &
    pids="$pids $!"
done
t2=$(ms)
touch "$T/go"
# shellcheck disable=SC2086
wait $pids
t3=$(ms)
echo "# pg race: setup of $N jobs $((t1 - t0)) ms (HTTP), $((4 * N)) concurrent claims $((t3 - t2)) ms"

cat "$T"/race.op? >"$T/race.all"
is "race: every claim ran" $((4 * N)) "$(wc -l <"$T/race.all")"
is "race: claims that won (exit 0)" "$N" "$(awk '$3 == 0' "$T/race.all" | wc -l)"
is "race: conflicts (exit 6)" $((3 * N)) "$(awk '$3 == 6' "$T/race.all" | wc -l)"
cat "$T"/race.err.op? | grep -v 'is already claimed by op[1-4]$' >"$T/race.odd"
is "race: no other message" "" "$(sort "$T/race.odd" | uniq -c | sort -rn | head -3 | oneline)"
awk '$3 == 0 { print $2, $1 }' "$T/race.all" | sort -n >"$T/winners"
is "race: each job won once" "$N" "$(cut -d' ' -f1 "$T/winners" | uniq | wc -l)"
sql "SELECT j.id || ' ' || a.slug FROM jobs j JOIN actors a ON a.id = j.owner_id ORDER BY j.id" >"$T/owners"
if cmp -s "$T/winners" "$T/owners"; then ok; else
    bad "race: the owners are not the winners: $(diff "$T/winners" "$T/owners" | head -6)"
fi
is "race: every job active with one owner" "$N" "$(count jobs "state = 'active' AND owner_id IS NOT NULL")"
is "race: one claim audit row per job" "$N" "$(count audit "entity = 'job' AND action = 'claim'")"
is "race: one ServiceEvent claim row per job" "$N" "$(count audit "entity = 'service_event' AND action = 'claim'")"
is "race: one claim row per job id" "$N" \
    "$(sql "SELECT count(DISTINCT entity_id) FROM audit WHERE entity = 'job' AND action = 'claim'")"
is "race: audit ids are 1..n with no gap" "$(count audit)" "$(sql "SELECT max(id) FROM audit")"
is "race: the chain head holds the last row's hash" t \
    "$(sql "SELECT h.hash = a.hash AND h.seq = a.id FROM chain_head h, audit a WHERE a.id = (SELECT max(id) FROM audit)")"
is "race: no session left in a transaction" 0 \
    "$(sql "SELECT count(*) FROM pg_stat_activity WHERE datname = current_database() AND state LIKE 'idle in%'")"
run "race: verify" verify
read -r wid wop <<<"$(head -1 "$T/winners")"
loser=op1
[ "$wop" = op1 ] && loser=op2
refuse "race: a loser cannot finish the job" 4 "is claimed by $wop" --as "$loser" job advance "$wid" finish
run "race: the winner finishes it" --as "$wop" job advance "$wid" finish
run "race: verify after" verify
finish

#!/usr/bin/env bash
# tests/scenario/race.sh - concurrent claims under pool ownership.
#
# RACE_JOBS (default 1000) jobs of the test-only surface pool-race
# (tests/surfaces/pool-race.qsm, compiled into the binary under test) are
# created through `qtm` and assigned to op1; then four processes, as four
# different operators, each try to claim every job, each in its own order.
# Exactly one claim per job may win (exit 0), every other one is a conflict
# (exit 6), each job ends with exactly one owner, the one whose claim won,
# the audit log has exactly one job claim row per job, and `qtm verify`
# passes.  First, smaller races on event-coordination: 8 processes at once
# submitting with one idempotency key, creating the job of one task,
# claiming, advancing and paying one job.  QTM (default $BUILD/bin/qtm) is
# the binary under test.
. "$(dirname "$0")/lib.sh"
N=${RACE_JOBS:-1000}
SETUP_WORKERS=${RACE_SETUP_WORKERS:-2}
OPS="op1 op2 op3 op4"

# --- small races on the real surfaces (8 processes at once) ---------------------------
fresh small
run "small: init" init
setup_actors
EC=event-coordination
W=$EX/event-coordination-wedding.json
# at SECONDS_GO all start together; each writes "rc" then its stdout to $T/small/K
together() {
    local k
    rm -f "$T/small/go" "$T/small"/r.*
    for ((k = 1; k <= 8; k++)); do
        (
            while [ ! -e "$T/small/go" ]; do [ -d "$T" ] || exit 1; sleep 0.01; done
            "$QTM" --db "$DB" "$@" >"$T/small/o.$k" 2>"$T/small/e.$k"
            echo $? >"$T/small/r.$k"
        ) &
    done
    touch "$T/small/go"
    wait
}
statuses() { cat "$T/small"/r.* | sort | uniq -c | awk '{ printf "%s:%s ", $2, $1 }'; }

together --json request submit $EC --intake "$W" --key same-key
is "small: 8 concurrent submits with one --key all succeed" "0:8 " "$(statuses)"
is "small: they return one request and task" 1 "$(cat "$T/small"/o.* | jq -c '{request, task}' | sort -u | wc -l)"
is "small: one stored it, seven were told it was a replay" "false:1 true:7 " \
    "$(cat "$T/small"/o.* | jq -r .replayed | sort | uniq -c | awk '{ printf "%s:%s ", $2, $1 }')"
is "small: one request stored" 1 "$(count requests)"
is "small: one task stored" 1 "$(count tasks)"
task=$(sql "SELECT id FROM tasks")
run "small: approve" --as admin task approve "$task"
run "small: assign" --as admin task assign "$task" --to ana
together --as admin job create --task "$task"
is "small: 8 concurrent job creates: one wins, 7 conflicts" "0:1 6:7 " "$(statuses)"
is "small: one job" 1 "$(count jobs)"
job=$(sql "SELECT id FROM jobs")
together --as ana job claim "$job"
is "small: 8 concurrent claims by the assignee all exit 0" "0:8 " "$(statuses)"
is "small: one claim in the audit log" 1 "$(count audit "entity = 'job' AND action = 'claim'")"
together --as ana job advance "$job" arrive
is "small: 8 concurrent arrives by the owner: one moves, 7 refused" "0:1 5:7 " "$(statuses)"
is "small: one arrive phase change" 1 "$(count audit "entity = 'service_event' AND action = 'arrive'")"
together --as ana settle "$job" --amount 10 --method cash
is "small: 8 concurrent payments all recorded" "0:8 " "$(statuses)"
run "small: settlement" --json job show "$job"
jqt "small: the ledger adds up to 80.00" '.settlement.paid == "80.00" and .settlement.payment_count == 8 and (.settlement.payments | length) == 5'
run "small: the ledger" --json settlement payments "$job"
jqt "small: the ledger holds the 8 payments" '(.payments | length) == 8 and ([.payments[].amount] | unique) == ["10.00"] and .next_after == null'
run "small: verify" verify

"$QTM" surfaces 2>/dev/null | grep -q '^pool-race ' || {
    bad "surface pool-race is not compiled into $QTM: the build must compile tests/surfaces/pool-race.qsm too"
    finish
}

fresh race
run "init" init
run "actor add admin" actor add admin --role admin
for op in $OPS; do run "actor add $op" actor add "$op" --role operator; done
printf '{"job": {"title": "race"}}\n' >"$T/intake.json"

# A connection held open during the setup spares every short-lived qtm the
# WAL checkpoint of the last connection to close (the setup is 4N
# commands); PostgreSQL has no such cost
holder=""
if ! on_pg; then
    mkfifo "$T/hold"
    sqlite3 "$DB" <"$T/hold" >/dev/null 2>&1 &
    holder=$!
    exec 9>"$T/hold"
    echo 'SELECT count(*) FROM jobs;' >&9
fi

# setup worker K: the jobs i = K, K + W, ... (submit, approve, assign, create);
# output goes through a file, not $(...), to spare a fork per command
setup_worker() {
    local k=$1 i line task o=$T/setup.out.$1
    for ((i = k; i < N; i += SETUP_WORKERS)); do
        if ! "$QTM" --db "$DB" request submit pool-race --intake "$T/intake.json" >"$o" 2>&1; then
            echo "submit: $(oneline <"$o")"
            continue
        fi
        read -r line <"$o"
        task=${line#*task }
        task=${task%% *}
        "$QTM" --db "$DB" --as admin task approve "$task" >"$o" 2>&1 || echo "approve $task: $(oneline <"$o")"
        "$QTM" --db "$DB" --as admin task assign "$task" --to op1 >"$o" 2>&1 || echo "assign $task: $(oneline <"$o")"
        "$QTM" --db "$DB" --as admin job create --task "$task" >"$o" 2>&1 || echo "create $task: $(oneline <"$o")"
    done
}

t0=$SECONDS
spids=""
for ((k = 0; k < SETUP_WORKERS; k++)); do
    setup_worker "$k" >"$T/setup.$k" &
    spids="$spids $!"
done
# shellcheck disable=SC2086
wait $spids
t1=$SECONDS
if [ -n "$holder" ]; then
    exec 9>&-
    wait "$holder"
fi
cat "$T"/setup.[0-9]* >"$T/setup.err"
if [ -s "$T/setup.err" ]; then
    bad "setup: $(wc -l <"$T/setup.err") commands failed, first: $(head -1 "$T/setup.err")"
else ok; fi
is "setup: $N queued pool-race jobs" "$N" "$(count jobs "surface = 'pool-race' AND state = 'queued' AND owner_id IS NULL")"
is "setup: every job's task is assigned to op1" "$N" \
    "$(sql "SELECT count(*) FROM jobs j JOIN tasks t ON t.id = j.task_id JOIN actors a ON a.id = t.assignee_id WHERE a.slug = 'op1'")"

# --- the race ------------------------------------------------------------------
sql "SELECT id FROM jobs ORDER BY id" >"$T/ids"
sort -rn "$T/ids" >"$T/order.op2"
cp "$T/ids" "$T/order.op1"
shuf "$T/ids" >"$T/order.op3"
shuf "$T/ids" >"$T/order.op4"

claimer() {
    local op=$1 id
    while [ ! -e "$T/go" ]; do [ -d "$T" ] || exit 1; sleep 0.01; done
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
t2=$SECONDS
touch "$T/go"
# shellcheck disable=SC2086
wait $pids
t3=$SECONDS
echo "# race: setup of $N jobs $((t1 - t0)) s, $((4 * N)) concurrent claims $((t3 - t2)) s"

cat "$T"/race.op? >"$T/race.all"
is "race: every claim attempt ran" $((4 * N)) "$(wc -l <"$T/race.all")"
is "race: claims that won (exit 0)" "$N" "$(awk '$3 == 0' "$T/race.all" | wc -l)"
is "race: claims refused as conflicts (exit 6)" $((3 * N)) "$(awk '$3 == 6' "$T/race.all" | wc -l)"
others=$(awk '$3 != 0 && $3 != 6 { n[$3]++ } END { for (s in n) printf "exit %s: %d; ", s, n[s] }' "$T/race.all")
cat "$T"/race.err.op? | grep -v 'is already claimed by op[1-4]$' >"$T/race.odd"
if [ -z "$others" ] && [ ! -s "$T/race.odd" ]; then ok; else
    bad "race: other outcomes: ${others:-none}; messages: $(sort "$T/race.odd" | uniq -c | sort -rn | head -3)"
fi
# who won each job, by the exit statuses and by the database
awk '$3 == 0 { print $2, $1 }' "$T/race.all" | sort -n >"$T/winners"
is "race: each job won exactly once" "$N" "$(cut -d' ' -f1 "$T/winners" | uniq | wc -l)"
sql "SELECT j.id || ' ' || a.slug FROM jobs j JOIN actors a ON a.id = j.owner_id ORDER BY j.id" >"$T/owners"
if cmp -s "$T/winners" "$T/owners"; then ok; else
    bad "race: the owners in the database are not the winners: $(diff "$T/winners" "$T/owners" | head -6)"
fi
is "race: every job active with one owner" "$N" "$(count jobs "state = 'active' AND owner_id IS NOT NULL")"
is "race: one ServiceEvent per job, run by its owner" "$N" \
    "$(sql "SELECT count(DISTINCT s.job_id) FROM service_events s JOIN jobs j ON j.id = s.job_id WHERE s.operator_id = j.owner_id AND s.phase = 'claimed'")"
is "race: no other ServiceEvent" "$N" "$(count service_events)"
is "race: one claim phase change per job" "$N" "$(count audit "entity = 'service_event' AND action = 'claim'")"
is "race: audit rows entity=job action=claim" "$N" "$(count audit "entity = 'job' AND action = 'claim'")"
is "race: audit rows of ServiceEvent claims" "$N" "$(count audit "entity = 'service_event' AND action = 'claim'")"
is "race: claims per operator add up" "$N" \
    "$(sql "SELECT sum(n) FROM (SELECT count(*) AS n FROM jobs GROUP BY owner_id) AS per_owner")"
on_pg || is "race: integrity_check" ok "$(sql 'PRAGMA integrity_check')"   # SQLite's own
run "race: verify" verify

# the winners own their jobs: a loser cannot move one, the winner can
read -r wid wop <<<"$(head -1 "$T/winners")"
loser=op1
[ "$wop" = op1 ] && loser=op2
refuse "race: a loser cannot finish a job it lost" 4 "is claimed by $wop" --as "$loser" job advance "$wid" finish
run "race: the winner finishes it" --as "$wop" job advance "$wid" finish
run "race: verify after" verify

finish

#!/usr/bin/env bash
# tests/scenario/crash.sh - crash safety.
#
# Several workload processes (each: submit, approve, assign, create, claim,
# advance through every phase, complete, settle fresh event-coordination
# jobs, in a loop) are killed with SIGKILL at a random moment, CRASH_KILLS
# times (default 32).  After every kill the database must pass
# `PRAGMA integrity_check` and `qtm verify` (the audit chain and the
# cross-layer invariants), and the workload must be able to go on.
. "$(dirname "$0")/lib.sh"
KILLS=${CRASH_KILLS:-32}
WORKERS=${CRASH_WORKERS:-3}
EC=event-coordination
W=$EX/event-coordination-wedding.json

fresh crash
run "init" init
run "actor add admin" actor add admin --role admin
for ((k = 1; k <= WORKERS; k++)); do run "actor add w$k" actor add "w$k" --role operator; done

# worker OP: fresh jobs, one after the other, each carried as far as it gets
worker() {
    local op=$1 o=$T/crash/out.$1 line task job e
    while [ -d "$T/crash" ]; do
        "$QTM" --db "$DB" request submit $EC --intake "$W" >"$o" 2>&1 || continue
        read -r line <"$o"
        task=${line#*task }
        task=${task%% *}
        "$QTM" --db "$DB" --as admin task approve "$task" >/dev/null 2>&1 || continue
        "$QTM" --db "$DB" --as admin task assign "$task" --to "$op" >/dev/null 2>&1 || continue
        "$QTM" --db "$DB" --as admin job create --task "$task" >"$o" 2>&1 || continue
        read -r line <"$o"
        job=${line#job }
        job=${job%% *}
        "$QTM" --db "$DB" --as "$op" job claim "$job" >/dev/null 2>&1 || continue
        "$QTM" --db "$DB" --as "$op" participant add "$job" --name "Vendor $job" --role vendor >/dev/null 2>&1
        for e in arrive start complete; do
            "$QTM" --db "$DB" --as "$op" job advance "$job" $e >/dev/null 2>&1 || continue 2
        done
        "$QTM" --db "$DB" --as "$op" job complete "$job" >/dev/null 2>&1 || continue
        "$QTM" --db "$DB" --as "$op" settle "$job" --amount 120.50 --method card >/dev/null 2>&1
    done
}

# Job control: every background worker leads its own process group, so one
# kill reaches the worker and the qtm it is running, whatever it is doing.
# (its notices of killed jobs go to stderr, silenced for the loop)
exec 3>&2 2>/dev/null
# A trap ends the workers too if this script is interrupted.
pids=""
trap 'for p in $pids; do kill -KILL -- "-$p" 2>/dev/null; done; rm -rf "$T"' EXIT
trap 'exit 130' INT TERM
set -m
inside=0
t0=$SECONDS
for ((round = 1; round <= KILLS; round++)); do
    pids=""
    for ((k = 1; k <= WORKERS; k++)); do
        worker "w$k" </dev/null &
        pids="$pids $!"
    done
    # a random moment: 0.05 to 1.2 s into the round
    sleep "$((RANDOM % 2)).$(printf '%02d' $((5 + RANDOM % 95)))"
    for p in $pids; do
        # count the kills that land while a qtm process is running
        pgrep -g "$p" -x "$(basename "$QTM" | cut -c1-15)" >/dev/null 2>&1 && inside=$((inside + 1))
        kill -KILL -- "-$p" 2>/dev/null
    done
    for p in $pids; do wait "$p" 2>/dev/null; done
    pids=""
    is "after kill $round: integrity_check" ok "$(sql 'PRAGMA integrity_check')"
    q verify
    if [ "$rc" -eq 0 ]; then ok; else
        bad "after kill $round: qtm verify: exit $rc: $(oneline <"$T/out") $(oneline <"$T/err")"
    fi
done
set +m
exec 2>&3 3>&-
t1=$SECONDS
echo "# crash: $KILLS rounds of $WORKERS workers killed in $((t1 - t0)) s; $inside of $((KILLS * WORKERS)) kills hit a running qtm;" \
    "$(count jobs "state = 'complete'") jobs completed, $(count jobs) created, $(count audit) audit rows"

if [ "$inside" -gt 0 ]; then ok; else bad "crash: no kill landed while a qtm process was running"; fi
# the workload made progress and the database still takes work
done_jobs=$(count jobs "state = 'complete'")
if [ "$done_jobs" -gt 0 ]; then ok; else bad "crash: no job was ever completed ($(count jobs) created)"; fi
new_job $EC "$W" w1
run "after the kills: claim" --as w1 job claim "$JOB"
for e in arrive start complete; do run "after the kills: $e" --as w1 job advance "$JOB" $e; done
run "after the kills: job complete" --as w1 job complete "$JOB"
run "after the kills: record" --json record show --job "$JOB"
jqt "after the kills: the record has its hash" '.hash | test("^[0-9a-f]{64}$")'
run "after the kills: verify" verify
# every completed ServiceEvent has exactly its one record
is "every complete ServiceEvent has its record" 0 \
    "$(sql "SELECT count(*) FROM service_events s LEFT JOIN records r ON r.se_id = s.id WHERE s.complete = 1 AND r.id IS NULL")"
is "no record without a complete ServiceEvent" 0 \
    "$(sql "SELECT count(*) FROM records r JOIN service_events s ON s.id = r.se_id WHERE s.complete = 0")"
is "no active or complete job without its ServiceEvent" 0 \
    "$(sql "SELECT count(*) FROM jobs j LEFT JOIN service_events s ON s.job_id = j.id WHERE j.state != 'queued' AND s.id IS NULL")"

finish

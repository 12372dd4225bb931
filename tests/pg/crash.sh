#!/usr/bin/env bash
# tests/pg/crash.sh - clients and the PostgreSQL server killed mid-workload.
#
# On a cluster of its own with fsync on (PG_FSYNC=on): three `qtm` clients,
# operators op1..op3, each claim, finish and settle their share of
# CRASH_JOBS (default 120) pool-race jobs, one command at a time, logging
# every write acknowledged (exit 0) with its job; a command that answers
# busy or a storage failure (exit 10) is tried again.  Client 3 is SIGKILLed
# mid-way (with the qtm it is running), then the server is killed with
# `pg_ctl -m immediate stop` while the other two run, and restarted.  Then
# every acknowledged write is there (the job's owner, its ServiceEvent done,
# its payments), verify passes, and a `qtm serve` started before the crash
# answers /readyz within 5 s of the restart (printed).  QTM: qtm-test.
. "$(dirname "$0")/../scenario/lib.sh"
. "$ROOT/tests/pg/lib_pg.sh"
export PG_FSYNC=on
pg_cluster own
N=${CRASH_JOBS:-120}
fresh crash
run "init" init
run "actor add admin" actor add admin --role admin
for k in 1 2 3; do run "actor add op$k" actor add "op$k" --role operator; done
pool_jobs "$N" op1
serve_up s0 --threads 2

# client.sh K: op K's share (job ids i with i mod 3 = K - 1), each job
# claimed, finished, settled; "ack STEP JOB" for every exit 0, "gave up"
# after 100 busy tries, "exit S STEP JOB" for any other answer
cat >"$T/client.sh" <<EOF
k=\$1
step() {
    local tries=0 st
    while :; do
        "$QTM" --db "$DB" --as op\$k "\$@" >/dev/null 2>>"$T/client.err.\$k"
        st=\$?
        [ \$st -ne 10 ] && break
        tries=\$((tries + 1))
        [ \$tries -ge 100 ] && { echo "gave up \$*"; return 1; }
        sleep 0.1
    done
    if [ \$st -eq 0 ]; then echo "ack \$1 \$2 \$3"; else echo "exit \$st \$1 \$2 \$3"; fi
}
awk -v k=\$k 'NR % 3 == k - 1' "$T/ids" | while read -r id; do
    step job claim \$id
    step job advance \$id finish
    step settle \$id --amount 10 --method cash
done
echo done
EOF
for k in 1 2 3; do
    setsid bash "$T/client.sh" "$k" >"$T/log.$k" 2>&1 &
    BG[c$k]=$!
done
# client 3 dies mid-way, with the qtm it runs
sleep 1.5
kill -KILL -- -"${BG[c3]}" 2>/dev/null
wait "${BG[c3]}" 2>/dev/null
unset "BG[c3]"
sleep 1.5
acked_before=$(cat "$T"/log.? | grep -c '^ack ')
tests/pg/cluster.sh crash "$PGC"
tcrash=$(ms)
sleep 1
tests/pg/cluster.sh restart "$PGC"
t0=$(ms)
got=""
while [ $(($(ms) - t0)) -lt 10000 ]; do
    got=$(curl -s -o "$T/ready.body" -m 2 -w '%{http_code}' "${URL[s0]}/readyz")
    [ "$got" = 200 ] && break
    sleep 0.05
done
tready=$(($(ms) - t0))
echo "# pg crash: $acked_before writes acknowledged before the server was killed; down $((t0 - tcrash)) ms; /readyz 200 $tready ms after the restart"
is "restart: /readyz 200" 200 "$got"
if [ "$tready" -le 5000 ]; then ok; else bad "restart: /readyz 200 only after $tready ms, want <= 5 s"; fi
for k in 1 2; do wait "${BG[c$k]}"; unset "BG[c$k]"; done
bg_kill s0 TERM

cat "$T"/log.? >"$T/log"
is "clients 1 and 2 finished their share" 2 "$(grep -c '^done$' "$T/log")"
is "client 3 was killed before its share was done" 0 "$(grep -c '^done$' "$T/log.3")"
is "no client gave up" "" "$(grep '^gave up' "$T/log" | head -3 | oneline)"
echo "# pg crash: $(grep -c '^ack ' "$T/log") writes acknowledged in all; other answers: $(grep '^exit' "$T/log" | cut -d' ' -f1-4 | sort | uniq -c | oneline)"
if [ "$(grep -c '^ack ' "$T/log")" -gt "$acked_before" ] && [ "$acked_before" -gt 0 ]; then ok; else
    bad "writes were acknowledged before and after the crash: $acked_before before, $(grep -c '^ack ' "$T/log") in all"
fi
# every acknowledged write is there
for k in 1 2 3; do
    awk -v op="op$k" '$1 == "ack" && $2 == "job" && $3 == "claim" { print $4, op }' "$T/log.$k"
done | sort >"$T/claims"
sql "SELECT j.id || ' ' || a.slug FROM jobs j JOIN actors a ON a.id = j.owner_id" | sort >"$T/owners"
is "every acknowledged claim is there, its owner the claimant" "" \
    "$(join -v 1 "$T/claims" "$T/owners" | head -3 | oneline)"
is "no acknowledged claim lost: owners agree" "" "$(join "$T/claims" "$T/owners" | awk '$2 != $3' | head -3 | oneline)"
awk '$1 == "ack" && $3 == "advance" { print $4 }' "$T/log" | sort >"$T/finished"
sql "SELECT job_id FROM service_events WHERE phase = 'done'" | sort >"$T/done"
is "every acknowledged finish is there" "" "$(comm -23 "$T/finished" "$T/done" | head -3 | oneline)"
awk '$1 == "ack" && $2 == "settle" { print $3 }' "$T/log" | sort | uniq -c | awk '{ print $2, $1 }' >"$T/settled"
sql "SELECT job_id || ' ' || count(*) FROM payments GROUP BY job_id" | sort >"$T/paid"
is "every acknowledged payment is there" "" \
    "$(join -a 1 -e 0 -o 0,1.2,2.2 "$T/settled" "$T/paid" | awk '$3 < $2' | head -3 | oneline)"
is "one claim audit row per claimed job" "$(count jobs "owner_id IS NOT NULL")" \
    "$(count audit "entity = 'job' AND action = 'claim'")"
is "audit ids gap-free" "$(count audit)" "$(sql "SELECT max(id) FROM audit")"
run "verify" verify
finish

#!/usr/bin/env bash
# tests/pg/hosts.sh - three `qtm serve` processes on one PostgreSQL database.
#
# On a cluster of its own: HOSTS_JOBS (default 500) pool-race jobs claimed
# by three operators at once, each through all three servers (job i of
# operator k through server (i + k) mod 3): one 200 per job, the other two
# 409, no 5xx; then each owner finishes each job through all three servers
# at once: one 200, the others refused, no 5xx; verify.  (An HTTP claim
# that lost is 403 when it reads the job after the winner committed: the
# job is another operator's now, which the read rule hides.)  Then one server is
# SIGSTOPped holding the chain head (its claim waited behind a psql lock,
# which is let go once it is stopped): the other two go on once the server
# ends its session (idle_in_transaction_session_timeout, 5 s; the stall is
# printed); SIGCONT: it answers its request, /readyz 200, the job claimed
# once, verify.  Last, the cluster killed (cluster.sh crash): /readyz 503 on
# all three; restarted: 200 on all three within 5 s (printed), writes go on,
# verify.  QTM: qtm-test (the pool-race surface).
. "$(dirname "$0")/../scenario/lib.sh"
. "$ROOT/tests/pg/lib_pg.sh"
pg_cluster own
N=${HOSTS_JOBS:-500}
SRV="s0 s1 s2"
fresh hosts
run "init" init
run "actor add admin" actor add admin --role admin
for k in 1 2 3; do run "actor add op$k" actor add "op$k" --role operator; done
declare -A TOK=()
for a in admin op1 op2 op3; do TOK[$a]=$("$QTM" --db "$DB" token issue "$a" 2>/dev/null); done
pool_jobs $((N + 4)) op1
head -n "$N" "$T/ids" >"$T/race.ids"
mapfile -t SPARE < <(tail -n 4 "$T/ids")
for s in $SRV; do serve_up "$s" --servers 3 --threads 2; done
U=("${URL[s0]}" "${URL[s1]}" "${URL[s2]}")

# code NAME URL: the status of GET URL (2 s at most)
code() { curl -s -o "$T/$1.body" -m 2 -w '%{http_code}' "$2"; }
ready_all() {
    local s out=""
    for s in 0 1 2; do out="$out$(code ready "${U[$s]}/readyz") "; done
    echo "${out% }"
}
is "/readyz on the three servers" "200 200 200" "$(ready_all)"

# --- claims: three operators, each through every server ----------------------------
for k in 1 2 3; do
    awk -v k="$k" -v a="${U[0]}" -v b="${U[1]}" -v c="${U[2]}" -v t="${TOK[op$k]}" \
        'BEGIN { u[0] = a; u[1] = b; u[2] = c } { print "POST " u[(NR + k) % 3] "/api/jobs/" $1 "/claim " t }' \
        "$T/race.ids" >"$T/claims.$k"
    [ "$k" = 2 ] && tac "$T/claims.2" >"$T/c" && mv "$T/c" "$T/claims.2"
    [ "$k" = 3 ] && shuf "$T/claims.3" >"$T/c" && mv "$T/c" "$T/claims.3"
done
t0=$(ms)
for k in 1 2 3; do
    ( http_batch "$T/claims.$k" codes | sed "s/^/op$k /" >"$T/claimed.$k" ) &
    BG[claim$k]=$!
done
for k in 1 2 3; do wait "${BG[claim$k]}"; unset "BG[claim$k]"; done
echo "# pg hosts: $((3 * N)) concurrent claims through 3 servers in $(($(ms) - t0)) ms"
cat "$T"/claimed.? >"$T/claimed"
# lines: OP BODY<tab>CODE URL -> JOB OP CODE, and the losers' messages
awk -F'\t' '{ split($1, a, " "); split($2, b, " "); n = split(b[2], p, "/");
               print p[n - 1], a[1], b[1] }' "$T/claimed" | sort -n >"$T/claims"
is "claims: every request answered" $((3 * N)) "$(wc -l <"$T/claims")"
is "claims: one 200 per job" "$N" "$(awk '$3 == 200' "$T/claims" | wc -l)"
is "claims: one winner for each job" "$N" "$(awk '$3 == 200 { print $1 }' "$T/claims" | sort -u | wc -l)"
# a loser is told 409 "already claimed" when it read the job before the
# winner committed, else 403: the job is no longer one it may see
echo "# claim losers: $(awk '$3 != 200 { print $3 }' "$T/claims" | sort | uniq -c | oneline)"
is "claims: the others 409 or 403" $((2 * N)) "$(awk '$3 == 409 || $3 == 403' "$T/claims" | wc -l)"
is "claims: no other status" "" "$(awk '$3 != 200 && $3 != 409 && $3 != 403 { print $3 }' "$T/claims" | sort | uniq -c | oneline)"
grep -vE $'\t(200|403|409) ' "$T/claimed" | head -3 >"$T/claims.odd"
grep -E $'\t(403|409) ' "$T/claimed" | cut -f1 | cut -d' ' -f2- |
    grep -vE '"message":"(job [0-9]+ is already claimed by op[1-3]|no job [0-9]+ visible to op[1-3])"' | head -3 >>"$T/claims.odd"
is "claims: the losers' messages name the conflict" "" "$(oneline <"$T/claims.odd")"
awk '$3 == 200 { print $1, $2 }' "$T/claims" >"$T/winners"
sql "SELECT j.id || ' ' || a.slug FROM jobs j JOIN actors a ON a.id = j.owner_id ORDER BY j.id" >"$T/owners"
if cmp -s "$T/winners" "$T/owners"; then ok; else
    bad "claims: the owners are not the winners: $(diff "$T/winners" "$T/owners" | head -4 | oneline)"
fi
is "claims: one claim audit row per job" "$N" "$(count audit "entity = 'job' AND action = 'claim'")"
echo "# claims won per server: $(awk -F'\t' '$2 ~ /^200 / { sub(/\/api\/.*/, "", $2); print $2 }' "$T/claimed" | sort | uniq -c | oneline)"

# --- advances: each owner finishes each job through all three servers at once ------
for s in 0 1 2; do
    awk -v u="${U[$s]}" -v t1="${TOK[op1]}" -v t2="${TOK[op2]}" -v t3="${TOK[op3]}" \
        'BEGIN { t["op1"] = t1; t["op2"] = t2; t["op3"] = t3 }
         { print "POST " u "/api/jobs/" $1 "/advance " t[$2] " {\"event\":\"finish\"}" }' \
        "$T/winners" >"$T/adv.$s"
done
t0=$(ms)
for s in 0 1 2; do
    ( http_batch "$T/adv.$s" codes >"$T/advanced.$s" ) &
    BG[adv$s]=$!
done
for s in 0 1 2; do wait "${BG[adv$s]}"; unset "BG[adv$s]"; done
echo "# pg hosts: $((3 * N)) concurrent advances through 3 servers in $(($(ms) - t0)) ms"
cat "$T"/advanced.? | awk -F'\t' '{ split($2, b, " "); n = split(b[2], p, "/"); print p[n - 1], b[1] }' |
    sort -n >"$T/advs"
is "advances: every request answered" $((3 * N)) "$(wc -l <"$T/advs")"
is "advances: one 200 per job" "$N" "$(awk '$2 == 200 { print $1 }' "$T/advs" | sort -u | wc -l)"
is "advances: no second 200" "$N" "$(awk '$2 == 200' "$T/advs" | wc -l)"
echo "# advances refused: $(awk '$2 != 200 { print $2 }' "$T/advs" | sort | uniq -c | oneline)"
is "advances: the others refused (409 or 422), no 5xx" "" \
    "$(awk '$2 != 200 && $2 != 409 && $2 != 422 { print $2 }' "$T/advs" | sort | uniq -c | oneline)"
is "advances: every ServiceEvent done" "$N" "$(count service_events "phase = 'done'")"
grep -vE $'\t200 ' "$T"/advanced.? | cut -d: -f2- | cut -f1 | sort | uniq -c | sort -rn | head -3 >"$T/advs.odd"
echo "# advance losers' messages: $(sed -E 's/job [0-9]+/job N/g' "$T/advs.odd" | oneline | cut -c1-200)"
run "verify after the races" verify

# --- one server stopped while it holds the chain head ---------------------------------
X=${SPARE[0]}
hold_head() {
    printf 'BEGIN;\nSELECT id FROM chain_head WHERE id = 1 FOR UPDATE;\n\\! touch %s\nSELECT pg_sleep(%s);\nCOMMIT;\n' \
        "$T/held" "$1" >"$T/hold.sql"
    rm -f "$T/held"
    bg_start hold psql -X -q -v ON_ERROR_STOP=1 "$DB" -f "$T/hold.sql" >"$T/hold.out" 2>&1
    while [ ! -e "$T/held" ]; do sleep 0.01; done
}
hold_head 1.5
curl -s -o "$T/x.body" -w '%{http_code}' -X POST -H "Authorization: Bearer ${TOK[op1]}" \
    "${U[0]}/api/jobs/$X/claim" >"$T/x.code" &
xpid=$!
# s0's claim is waiting for the head: stop s0 there
for ((i = 0; i < 100; i++)); do
    w=$(psql_db "SELECT count(*) FROM pg_stat_activity WHERE application_name = 'qtm' AND wait_event_type = 'Lock'")
    [ "$w" -ge 1 ] && break
    sleep 0.02
done
is "stop: s0's claim waits for the head" 1 "$w"
bg_kill s0 STOP
wait "${BG[hold]}"
unset "BG[hold]"
# now s0's session holds the head, its process stopped
tstop=$(ms)
sleep 0.2
is "stop: s0's session holds the head, idle in its transaction" 1 \
    "$(psql_db "SELECT count(*) FROM pg_stat_activity WHERE application_name = 'qtm' AND state = 'idle in transaction'")"
# the other two servers write: a claim each
for s in 1 2; do
    ( t=$(ms); c=$(curl -s -o "$T/y$s.body" -m 20 -w '%{http_code}' -X POST \
        -H "Authorization: Bearer ${TOK[op$((s + 1))]}" "${U[$s]}/api/jobs/${SPARE[$s]}/claim")
      echo "$c $(($(ms) - t)) $(($(ms) - tstop))" >"$T/y$s" ) &
    BG[y$s]=$!
done
for s in 1 2; do wait "${BG[y$s]}"; unset "BG[y$s]"; done
read -r c1 d1 e1 <"$T/y1"
read -r c2 d2 e2 <"$T/y2"
echo "# stall with s0 stopped holding the head: s1 answered after $d1 ms, s2 after $d2 ms ($e1 / $e2 ms after the stop)"
is "stop: s1 and s2 go on (200 200)" "200 200" "$c1 $c2"
if [ "$e1" -lt 7000 ] && [ "$e2" -lt 7000 ]; then ok; else
    bad "stop: s1/s2 waited $e1/$e2 ms after the stop, want < 7 s (the 5 s session timeout)"
fi
is "stop: the server ended s0's session" 0 \
    "$(psql_db "SELECT count(*) FROM pg_stat_activity WHERE application_name = 'qtm' AND state LIKE 'idle in transaction%'")"
bg_kill s0 CONT
wait "$xpid"
echo "# s0 resumed: its claim answered $(cat "$T/x.code"): $(oneline <"$T/x.body" | cut -c1-120)"
is "cont: s0's claim is answered 200 (run again on a new connection)" 200 "$(cat "$T/x.code")"
is "cont: /readyz on s0" 200 "$(code ready "${U[0]}/readyz")"
is "cont: job $X claimed once" 1 "$(count audit "entity = 'job' AND action = 'claim' AND entity_id = $X")"
is "cont: job $X owned by op1" op1 "$(sql "SELECT a.slug FROM jobs j JOIN actors a ON a.id = j.owner_id WHERE j.id = $X")"
run "verify after the stop" verify

# --- the cluster killed and restarted -------------------------------------------
tests/pg/cluster.sh crash "$PGC"
is "crash: /readyz 503 on the three" "503 503 503" "$(ready_all)"
has "crash: the answer says why" "$T/ready.body" '"category":"storage","message":"not ready: '
sleep 1
is "crash: still 503" "503 503 503" "$(ready_all)"
tests/pg/cluster.sh restart "$PGC"
t0=$(ms)
got=""
while [ $(($(ms) - t0)) -lt 10000 ]; do
    got=$(ready_all)
    [ "$got" = "200 200 200" ] && break
    sleep 0.1
done
t1=$(ms)
echo "# the cluster restarted: /readyz 200 on all three after $((t1 - t0)) ms"
is "restart: /readyz 200 on the three" "200 200 200" "$got"
if [ $((t1 - t0)) -le 5000 ]; then ok; else bad "restart: ready after $((t1 - t0)) ms, want <= 5 s"; fi
c=$(curl -s -o "$T/z.body" -w '%{http_code}' -X POST -H "Authorization: Bearer ${TOK[op2]}" "${U[0]}/api/jobs/${SPARE[3]}/claim")
is "restart: s0 writes again (a claim)" 200 "$c$([ "$c" = 200 ] || echo " $(oneline <"$T/z.body")")"
c=$(curl -s -o "$T/z.body" -w '%{http_code}' -X POST -H "Authorization: Bearer ${TOK[op2]}" \
    -H 'Content-Type: application/json' --data '{"event":"finish"}' "${U[1]}/api/jobs/${SPARE[3]}/advance")
is "restart: s1 writes again (the finish)" 200 "$c$([ "$c" = 200 ] || echo " $(oneline <"$T/z.body")")"
is "restart: s2 answers the job" 200 "$(curl -s -o "$T/z.body" -w '%{http_code}' -H "Authorization: Bearer ${TOK[op2]}" "${U[2]}/api/jobs/${SPARE[3]}")"
for s in $SRV; do bg_kill "$s" TERM; done
is "no 5xx in the servers' logs but /readyz's" "" \
    "$(cat "$T"/s?.err | grep -E '" 5[0-9][0-9] ' | grep -v '"GET /readyz" 503' | head -3 | oneline)"
run "verify at the end" verify
finish

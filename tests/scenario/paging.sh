#!/usr/bin/env bash
# tests/scenario/paging.sh - every list of `qtm` and `qtm serve` pages: each
# list command (--limit/--after) and route (?limit=&after=) is walked along
# next_after to its end; the ids seen are the table's, in order, no page past
# its limit.  Bad limits and afters are refused as usage (2, HTTP 400), the
# database unchanged; a job with 300 payments answers job show and settle
# with a bounded ledger summary, its ledger paged on its own route.
. "$(dirname "$0")/lib.sh"
command -v curl >/dev/null 2>&1 || { bad "curl is not installed (tools/deps.sh installs it)"; finish; }
W=$EX/event-coordination-wedding.json
SRV_PID=
trap '[ -n "$SRV_PID" ] && kill "$SRV_PID" 2>/dev/null; lib_cleanup' EXIT

# ids TABLE [WHERE] : the table's ids in order, blank-separated
ids() { sql "SELECT id FROM $1${2:+ WHERE $2} ORDER BY id" | tr '\n' ' ' | sed 's/ *$//'; }

# page_of LIST NEXT : "rows next_after ids" of the JSON page in $T/out
page_of() {
    jq -r --arg k "$1" "\"\\(.[\$k] | length) \\($2 // \"-\") \\([.[\$k][].id] | map(tostring) | join(\" \"))\"" "$T/out"
}

# walk NAME LIST NEXT LIMIT WANT FETCH... : runs `FETCH... AFTER` (it must
# answer 0 / 200 with a page in $T/out) from after 0 along NEXT (a jq path
# to next_after) until it is null; every page holds at most LIMIT rows and
# the ids of all pages, in order, are WANT.
walk() {
    local name=$1 list=$2 next=$3 limit=$4 want=$5 after=0 seen="" pages=0 n nx rest
    shift 5
    while :; do
        "$@" "$after"
        if [ "$rc" != 0 ] && [ "$rc" != 200 ]; then
            bad "$name: after $after: status $rc: $(oneline <"$T/err") $(oneline <"$T/out")"
            return
        fi
        read -r n nx rest <<<"$(page_of "$list" "$next")"
        if [ "$n" -gt "$limit" ]; then bad "$name: a page of $n rows (limit $limit)"; return; fi
        seen="$seen $rest"
        pages=$((pages + 1))
        [ "$nx" = - ] && break
        if [ "$pages" -ge 500 ]; then bad "$name: no end after 500 pages"; return; fi
        after=$nx
    done
    is "$name: every row once, in id order" "$want" "$(echo $seen)"
}

# the CLI: cli_page LIMIT ARGS... AFTER
cli_page() {
    local limit=$1
    shift
    local after=${*: -1}
    set -- "${@:1:$#-1}"
    q --json "$@" --limit "$limit" --after "$after"
}

echo "# a database with lists longer than a page"
fresh paging
run "init" init
setup_actors
for i in 1 2 3 4 5 6; do
    q request submit event-coordination --intake "$W"
done
for t in 1 2 3 4 5; do
    q --as admin task approve $t
    q --as admin task assign $t --to ana
    q --as admin job create --task $t
done
for jb in 1 2 3; do
    q --as ana job claim $jb
    for ev in arrive start complete; do q --as ana job advance $jb $ev; done
    q --as ana job complete $jb
done
q --as ana job claim 5
run "job 3 completed" record show --job 3
for a in admin ana bo vic cli; do q token issue $a; done
for i in $(seq 1 60); do q actor add "guest$i" --role client; done   # a log past 100 rows
is "more than 100 audit rows" 1 "$(($(count audit) > 110))"
# a long ledger: one payment through qtm (the settlement row), 299 written
# straight into the table, then one more through qtm, which derives the
# status from them all
run "first payment through qtm" --as ana settle 5 --amount 1.00 --method cash
sql "WITH RECURSIVE n(i) AS (SELECT 1 UNION ALL SELECT i + 1 FROM n WHERE i < 299)
     INSERT INTO payments(job_id, amount, currency, method, note, actor_id, at)
     SELECT 5, 100, 'USD', 'cash', 'p' || i, 2, '2026-01-01T00:00:00Z' FROM n" >/dev/null
run "settle through qtm" --as ana settle 5 --amount 1.00 --method zelle
is "301 payments" 301 "$(count payments)"

echo "# qtm: every list command pages"
walk "actor list" actors .next_after 7 "$(ids actors)" cli_page 7 actor list
walk "task list" tasks .next_after 2 "$(ids tasks)" cli_page 2 task list
walk "task list --state assigned" tasks .next_after 1 "$(ids tasks "state = 'assigned'")" \
    cli_page 1 task list --state assigned
walk "record list" records .next_after 2 "$(ids records)" cli_page 2 record list
walk "token list" tokens .next_after 2 "$(ids tokens)" cli_page 2 token list
walk "log" log .next_after 9 "$(ids audit)" cli_page 9 log
walk "log --job 2" log .next_after 3 "$(ids audit "job_id = 2")" cli_page 3 log --job 2
walk "desk --list completed" completed .next_after.completed 2 "$(ids jobs "state = 'complete'")" \
    cli_page 2 desk --list completed
walk "desk --list queued" queued .next_after.queued 1 "$(ids jobs "state = 'queued'")" \
    cli_page 1 desk --list queued --operator ana
walk "settlement payments" payments .next_after 1000 "$(ids payments)" \
    cli_page 1000 settlement payments 5
walk "settlement payments, small pages" payments .next_after 64 "$(ids payments)" \
    cli_page 64 settlement payments 5

q --json desk --limit 2
jqt "desk: each list one page" '(.completed | length) == 2 and .next_after.completed == 2 and .next_after.queued == null and .next_after.active == null and .next_after.ready == null'
q desk --limit 2
has "desk text names the next page" "$T/out" "next: --list completed --after 2"
q log --limit 5
is "log text: the last line names the next page" "next: --after 5" "$(tail -n 1 "$T/out")"
is "log text: a page of 5 rows" 6 "$(wc -l <"$T/out")"
q log --after 5
is "log text: the default page is 100 rows, then next" "next: --after 105" "$(tail -n 1 "$T/out")"
q --json settlement payments 5
jqt "payments: the default page" '(.payments | length) == 100 and .next_after == .payments[99].id'
q settlement payments 5 --after "$(sql 'SELECT max(id) - 1 FROM payments')"
is "payments text: the last page has no next line" 1 "$(wc -l <"$T/out")"
q --json log --after 100000
jqt "after beyond the end: an empty last page" '.log == [] and .next_after == null'

for bad in 0 1001 abc -1 "" 10x; do
    refuse "log --limit '$bad'" 2 "--limit takes a whole number from 1 to 1000" log --limit "$bad"
done
for cmd in "actor list" "task list" "record list" "token list" "desk" "settlement payments 5" \
    "log --job 2"; do
    # shellcheck disable=SC2086
    refuse "$cmd --limit 1001" 2 "--limit takes a whole number from 1 to 1000" $cmd --limit 1001
    # shellcheck disable=SC2086
    refuse "$cmd --after abc" 2 "--after takes a whole number" $cmd --after abc
done
refuse "desk --list done" 2 "unknown desk list 'done'" desk --list done
refuse "desk --after without a list" 2 "needs a list" desk --after 2
refuse "payments of no job" 3 "no job 99" settlement payments 99

echo "# qtm: a long ledger is summarised"
q --json job show 5
jqt "job show: the summary" '.settlement.payment_count == 301 and (.settlement.payments | length) == 5 and .settlement.paid == "301.00" and .settlement.payments[4].method == "zelle"'
# the request (its intake, laid out and raw) is about 3.6 KB of it
is "job show stays small" 1 "$(($(wc -c <"$T/out") < 12000))"
q --json --as ana settle 5 --amount 2.00 --method card
jqt "settle answers the summary" '.settlement.payment_count == 302 and (.settlement.payments | length) == 5'

echo "# qtm serve: every list route pages"
"$QTM" --db "$DB" serve --listen 127.0.0.1:0 >"$T/srv.out" 2>"$T/srv.err" &
SRV_PID=$!
U=
for i in $(seq 1 100); do
    U=$(sed -n 's|^qtm serve: listening on \(http://127.0.0.1:[0-9]*\)/.*|\1|p' "$T/srv.out")
    [ -n "$U" ] && break
    sleep 0.05
done
[ -n "$U" ] && ok || bad "the server did not start: $(oneline <"$T/srv.err")"
declare -A TOK
for a in admin ana; do
    q token issue $a
    TOK[$a]=$(cat "$T/out")
done
# http_page AS PATH LIMIT AFTER
http_page() {
    local sep='?'
    case $2 in *'?'*) sep='&' ;; esac
    rc=$(curl -s -o "$T/out" -w '%{http_code}' -H "Authorization: Bearer ${TOK[$1]}" \
        "$U$2${sep}limit=$3&after=$4")
    : >"$T/err"
}
walk "GET /api/actors" actors .next_after 9 "$(ids actors)" http_page admin /api/actors 9
walk "GET /api/tasks" tasks .next_after 2 "$(ids tasks)" http_page admin /api/tasks 2
walk "GET /api/tasks?state=review" tasks .next_after 1 "$(ids tasks "state = 'review'")" \
    http_page admin '/api/tasks?state=review' 1
walk "GET /api/log" log .next_after 50 "$(ids audit)" http_page admin /api/log 50
walk "GET /api/log?job=1" log .next_after 4 "$(ids audit "job_id = 1")" \
    http_page admin '/api/log?job=1' 4
walk "GET /api/desk?list=completed" completed .next_after.completed 2 \
    "$(ids jobs "state = 'complete'")" http_page ana '/api/desk?list=completed' 2
walk "GET /api/desk?list=active" active .next_after.active 1 "$(ids jobs "state = 'active'")" \
    http_page admin '/api/desk?list=active' 1
walk "GET /api/jobs/5/payments" payments .next_after 1000 "$(ids payments)" \
    http_page ana /api/jobs/5/payments 1000

code=$(curl -s -o "$T/out" -w '%{http_code}' -H "Authorization: Bearer ${TOK[admin]}" "$U/api/log")
jqt "GET /api/log: 100 rows by default" '(.log | length) == 100 and .next_after == 100'
code=$(curl -s -o "$T/out" -w '%{http_code}' -H "Authorization: Bearer ${TOK[ana]}" "$U/api/desk")
jqt "GET /api/desk: the four lists, each with its next" '(.queued | length) == 1 and (.completed | length) == 3 and .ready == [] and .next_after == {"queued": null, "active": null, "ready": null, "completed": null}'
code=$(curl -s -o "$T/out" -w '%{http_code}' -H "Authorization: Bearer ${TOK[ana]}" "$U/api/jobs/5")
jqt "GET /api/jobs/5: the summary" '.settlement.payment_count == 302 and (.settlement.payments | length) == 5'
is "GET /api/jobs/5 stays small" 1 "$(($(wc -c <"$T/out") < 8000))"
code=$(curl -s -o "$T/out" -w '%{http_code}' -H "Authorization: Bearer ${TOK[ana]}" \
    -H 'Content-Type: application/json' -d '{"amount":"1.00","method":"cash"}' \
    "$U/api/jobs/5/settlement")
jqt "POST settlement answers the summary" '.settlement.payment_count == 303 and (.settlement.payments | length) == 5'

for path in /api/actors /api/tasks /api/log '/api/log?job=1' /api/desk '/api/desk?list=completed' \
    /api/jobs/5/payments; do
    for bad in 0 1001 abc -1 1e3; do
        sep='?'
        case $path in *'?'*) sep='&' ;; esac
        dump "$T/before"
        code=$(curl -s -o "$T/out" -w '%{http_code}' -H "Authorization: Bearer ${TOK[admin]}" \
            "$U$path${sep}limit=$bad")
        dump "$T/after"
        is "GET $path limit=$bad" 400 "$code"
        jqt "GET $path limit=$bad: usage" '.error.category == "usage" and (.error.message | test("limit takes a whole number from 1 to 1000"))'
        cmp -s "$T/before" "$T/after" && ok || bad "GET $path limit=$bad changed the database"
    done
    code=$(curl -s -o "$T/out" -w '%{http_code}' -H "Authorization: Bearer ${TOK[admin]}" \
        "$U$path${sep}after=x")
    is "GET $path after=x" 400 "$code"
done
code=$(curl -s -o "$T/out" -w '%{http_code}' -H "Authorization: Bearer ${TOK[admin]}" \
    "$U/api/desk?list=done")
is "GET /api/desk?list=done" 400 "$code"
# the ledger is read as the settlement is: by staff, not by vendors or clients
q token issue vic
code=$(curl -s -o "$T/out" -w '%{http_code}' -H "Authorization: Bearer $(cat "$T/out")" \
    "$U/api/jobs/5/payments")
is "a vendor may not read the ledger (the one not-visible answer)" 403 "$code"
has "... no job 5 visible to vic" "$T/out" "no job 5 visible to vic"
code=$(curl -s -o "$T/out" -w '%{http_code}' "$U/api/jobs/5/payments")
is "nor anyone signed out" 401 "$code"

kill -TERM "$SRV_PID"
wait "$SRV_PID"
SRV_PID=
run "verify" verify
finish

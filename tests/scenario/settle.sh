#!/usr/bin/env bash
# tests/scenario/settle.sh - settlement, visible and correctable, still separate.
#
# Through the real binary and over HTTP: settlement status in task list,
# record list, job list and desk cards; `settlement show JOB`, `settlement
# list [--status] [--surface]` (paged) and GET /api/settlements; the
# correcting entry `settle JOB --reverse PAYMENT --reason TEXT` and POST
# /api/jobs/ID/settlement {"reverse","reason"}, with every refusal (its exit
# status / HTTP status, the database unchanged); overpayment shown as such;
# paying never moves a job, completing never pays; verify accepts reversals
# and catches a forged one.  The last line is "N passed, N failed".
. "$(dirname "$0")/lib.sh"
. "$(dirname "$0")/lib_http.sh"
EC=event-coordination
W=$EX/event-coordination-wedding.json
export QTM_FAKE_NOW=2026-05-02T10:00:00Z

fresh settle
run "init" init
setup_actors
new_job $EC "$W" ana   # job 1
new_job $EC "$W" ana   # job 2
new_job $EC "$W" bo    # job 3
run "ana claims 1" --as ana job claim 1
run "bo claims 3" --as bo job claim 3

# --- paying never moves a job --------------------------------------------------------
run "job 1 before" --json job show 1
jq 'del(.settlement)' "$T/out" >"$T/job1.before"
run "settle 1: due 150, 100 paid" --as admin settle 1 --amount 100 --method cash --due 150
run "settle 1: 80 more" --as ana settle 1 --amount 80 --method zelle
has "overpaid in text" "$T/out" "(overpaid by 30.00 USD)"
run "job 1 after" --json job show 1
jq 'del(.settlement)' "$T/out" >"$T/job1.after"
if cmp -s "$T/job1.before" "$T/job1.after"; then ok; else bad "paying moved job 1"; fi
run "settlement show 1" --json settlement show 1
jqt "paid, overpaid by 30" '.settlement.status == "paid" and .settlement.overpaid == "30.00" and .settlement.overpaid_minor == 3000'

# --- the correcting entry --------------------------------------------------------------
run "reverse payment 1" --json --as admin settle 1 --reverse 1 --reason "cheque bounced"
jqt "reversal: partial, 80 paid" '.settlement.status == "partial" and .settlement.paid == "80.00"' \
    "reversal: no longer overpaid" '.settlement.overpaid == null' \
    "reversal row" '.settlement.payments[-1] | .amount == "-100.00" and .reverses == 1 and .reason == "cheque bounced"' \
    "the reversed row says so" '.settlement.payments[0].reversed_by == 3'
is "nothing edited: payment 1 still 10000" 10000 "$(sql 'SELECT amount FROM payments WHERE id = 1')"
run "settlement show (text)" settlement show 1
has "text: status" "$T/out" "job 1 settlement: partial, paid 80.00 USD of 150.00, 3 payments"
has "text: reversal" "$T/out" "reverses payment 1: cheque bounced"
has "text: reversed" "$T/out" "(reversed by payment 3)"
run "payments ledger" --json settlement payments 1
jqt "ledger: 3 rows, one negative" '[.payments[].amount_minor] == [10000, 8000, -10000]'
run "settle 3 (bo's job)" --as bo settle 3 --amount 20 --method card
refuse "reverse twice" 5 "payment 1 was already reversed by payment 3" --as admin settle 1 --reverse 1 --reason again
refuse "reverse a reversal" 5 "payment 3 is itself the reversal of payment 1" --as admin settle 1 --reverse 3 --reason x
refuse "reverse another job's payment" 5 "payment 4 belongs to job 3, not job 1" --as admin settle 1 --reverse 4 --reason x
refuse "reverse no such payment" 3 "no payment 99" --as admin settle 1 --reverse 99 --reason x
refuse "reverse as another operator" 4 "bo cannot correct payments of job 1" --as bo settle 1 --reverse 2 --reason x
refuse "reverse as a client" 4 "cli" --as cli settle 1 --reverse 2 --reason x
refuse "reverse without a reason" 2 "usage: qtm settle JOB --reverse PAYMENT --reason TEXT" --as admin settle 1 --reverse 2
refuse "reverse with an amount" 2 "nothing else" --as admin settle 1 --reverse 2 --reason x --amount 5 --method cash
refuse "reverse, a bad id" 2 "is not a payment id" --as admin settle 1 --reverse abc --reason x
refuse "reverse, an empty reason" 7 "a reversal needs a reason" --as admin settle 1 --reverse 2 --reason ""
refuse "reverse, a reason not UTF-8" 7 "not valid UTF-8" --as admin settle 1 --reverse 2 --reason $'\xff'

# --- visible everywhere ----------------------------------------------------------------
run "task list" --json task list
jqt "task list: settlement of each task's job" '[.tasks[].settlement] == ["partial", "unpaid", "paid"]'
run "job list" --json job list
jqt "job list: settlement" '[.jobs[].settlement] == ["partial", "unpaid", "paid"]'
run "settlement list" --json settlement list
jqt "settlement list: every job" '[.settlements[].job] == [1,2,3] and .next_after == null' \
    "settlement list: row" '.settlements[0] | .status == "partial" and .paid == "80.00" and .due == "150.00" and .payment_count == 3'
run "settlement list --status unpaid" --json settlement list --status unpaid
jqt "unpaid: job 2 (nothing recorded)" '[.settlements[].job] == [2]'
run "settlement list --surface" --json settlement list --surface $EC --limit 2
jqt "paged" '[.settlements[].job] == [1,2] and .next_after == 2'
run "settlement list page 2" --json settlement list --surface $EC --limit 2 --after 2
jqt "page 2" '[.settlements[].job] == [3] and .next_after == null'
run "settlement list text" settlement list
has "text row" "$T/out" "job 1      event-coordination   partial  paid        80.00 USD of 150.00  3 payments"
run "settlement list as admin" --as admin settlement list
refuse "settlement list as an operator" 4 "only admins read the settlement list" --as ana settlement list
refuse "settlement list, bad status" 2 "unknown settlement status 'overdue'" settlement list --status overdue
refuse "settlement list, bad surface" 3 "no surface 'x'" settlement list --surface x
run "settlement show as the owner" --as ana settlement show 1
refuse "settlement show as another operator" 4 "no job 1 visible to bo" --as bo settlement show 1
refuse "settlement show, no job" 3 "no job 9" settlement show 9

# --- completing never pays -------------------------------------------------------------
run "ana arrives" --as ana job advance 1 arrive
run "ana starts" --as ana job advance 1 start
run "ana finishes" --as ana job advance 1 complete
run "ana completes 1" --as ana job complete 1
is "completing recorded no payment" 3 "$(count payments 'job_id = 1')"
run "record list" --json record list
jqt "record list: settlement" '.records[0].settlement == "partial"'
run "record show 1 (ID)" --json record show 1
jqt "record show takes the job id" '.job == 1'
run "verify with reversals" verify

# --- over HTTP ---------------------------------------------------------------------------
tokens admin ana bo cli
serve_start srv
h GET "/api/settlements" as=admin
status_is "GET /api/settlements" 200
jqt "api: every job" '[.settlements[].job] == [1,2,3]'
h GET "/api/settlements?status=paid&surface=$EC&limit=1" as=admin
jqt "api: filtered" '[.settlements[].job] == [3] and .next_after == null'
h GET "/api/jobs/1/settlement" as=ana
status_is "GET /api/jobs/1/settlement (owner)" 200
jqt "api: the owner reads it" '.job == 1 and .settlement.status == "partial"'
refused "api: settlements as an operator" 403 forbidden "may not GET" -- h GET "/api/settlements" as=ana
refused "api: bad status" 400 usage "unknown settlement status" -- h GET "/api/settlements?status=x" as=admin
refused "api: settlement of another's job" 403 "forbidden" "no job 1 visible to bo" -- h GET "/api/jobs/1/settlement" as=bo
j POST "/api/jobs/3/settlement" '{"reverse":4,"reason":"wrong card"}' as=bo
status_is "api: reverse" 200
jqt "api: reversed" '.settlement.status == "unpaid" and .settlement.payments[-1].reverses == 4'
refused "api: reverse twice" 422 refused "already reversed" -- j POST "/api/jobs/3/settlement" '{"reverse":4,"reason":"again"}' as=bo
refused "api: reverse another job's" 422 refused "belongs to job 1" -- j POST "/api/jobs/3/settlement" '{"reverse":2,"reason":"x"}' as=admin
refused "api: reverse without reason" 400 "invalid input" 'needs \"reason\"' -- j POST "/api/jobs/3/settlement" '{"reverse":2}' as=admin
refused "api: reverse with an amount" 400 "invalid input" 'a reversal takes only' -- j POST "/api/jobs/3/settlement" '{"reverse":2,"reason":"x","amount":"5"}' as=admin
refused "api: reverse a string" 400 "invalid input" "takes the id" -- j POST "/api/jobs/3/settlement" '{"reverse":"2","reason":"x"}' as=admin
refused "api: reverse as a client" 403 "forbidden" "no job 3 visible" -- j POST "/api/jobs/3/settlement" '{"reverse":5,"reason":"x"}' as=cli
serve_stop
run "verify after the HTTP reversal" verify

# --- a forged reversal -----------------------------------------------------------------
dump "$T/clean"
sql "INSERT INTO payments(job_id, amount, currency, method, actor_id, at, reversal_of, reason) VALUES(1, -1000, 'USD', 'cash', 1, 'x', 2, 'forged')" >/dev/null
q verify
is "verify catches a forged reversal: exit 1" 1 "$rc"
has "verify: the rule" "$T/out" "payment 6 of job 1 does not reverse payment 2 exactly"
has "verify: the image" "$T/out" "settlement of job 1"
finish

#!/usr/bin/env bash
# tests/scenario/outcome.sh - outcomes, reasons, summaries and intake
# problems through the real binary and over HTTP.
#
# Event coordination closed undelivered with a reason (the record carries
# outcome closed and the reason, verify passes), close without a reason
# refused (exit 7 / HTTP 400, the database unchanged), complete gives
# outcome delivered, `job advance ID` with no event lists what the actor
# may fire (exit 2), the one-line summary in task list, job show, the desk
# and their JSON/API, the desk's Ready to close list (CLI and API, paged), integer min/max and every problem of an intake packet
# at once (CLI lines, API "problems").  The last line is "N passed, N failed".
. "$(dirname "$0")/lib.sh"
command -v curl >/dev/null 2>&1 || { bad "curl is not installed (tools/deps.sh installs it)"; finish; }
EC=event-coordination
W=$EX/event-coordination-wedding.json
SUMMARY='Sat 16 May: Wedding / Ceremony at Laguna Gloria, 3809 W 35th St, Austin, TX, 140 guests'
SRV_PID=
trap '[ -n "$SRV_PID" ] && kill "$SRV_PID" 2>/dev/null; lib_cleanup' EXIT

fresh cli
run "init" init
setup_actors

# --- the summary ---------------------------------------------------------------
new_job $EC "$W" ana
q --as admin task list
has "task list shows the summary" "$T/out" "$SUMMARY"
run "task list --json" --json --as admin task list
jqt --arg s "$SUMMARY" "task list --json has the summary" '.tasks[0].summary == $s'
run "desk" desk
has "desk rows show the summary" "$T/out" "$SUMMARY"
run "desk --json" --json desk
jqt --arg s "$SUMMARY" "desk --json has the summary" '.queued[0].summary == $s'
run "job show" --as ana job show "$JOB"
has "job show prints the summary" "$T/out" "$SUMMARY"

# --- close: a reason is required -------------------------------------------------
run "claim" --as ana job claim "$JOB"
q --as ana job advance "$JOB"
is "job advance with no event exits 2" 2 "$rc"
has "... listing the events ana may fire" "$T/err" "ana may fire on job $JOB now: arrive, close (requires reason)"
refuse "close without a reason" 7 "\`close\` needs a reason (--reason TEXT)" --as ana job advance "$JOB" close
refuse "a blank reason is none" 7 "needs a reason" --as ana job advance "$JOB" close --reason "   "
refuse "another operator may not close" 4 "claimed by ana" --as bo job advance "$JOB" close --reason "not mine"
refuse "a reason past 500 bytes" 7 "longer than 500 bytes" --as ana job advance "$JOB" close \
    --reason "$(head -c 501 /dev/zero | tr '\0' x)"
run "arrive" --as ana job advance "$JOB" arrive
run "close with a reason" --json --as ana job advance "$JOB" close --reason "Venue flooded; the couple postponed"
jqt "job advance --json: the ServiceEvent's outcome" '.service_event.outcome == "closed"' \
    "... and its reason" '.service_event.reason == "Venue flooded; the couple postponed"' \
    "... in the final phase" '.phase == "complete"'
run "record show" --json record show --job "$JOB"
jqt "the record carries outcome closed" '.body.outcome.outcome == "closed"' \
    "... and the reason" '.body.outcome.reason == "Venue flooded; the couple postponed"'
run "job show text" --as ana job show "$JOB"
has "job show prints the outcome" "$T/out" "outcome: closed"
has "job show prints the reason" "$T/out" "reason: Venue flooded; the couple postponed"
# the desk: a ready job waits under Ready to close, not Active
run "desk after the close" --as ana desk
has "the desk has a Ready to close list" "$T/out" "Ready to close (1)"
has "... and Active is empty" "$T/out" "Active (0)"
run "desk --json after the close" --json --as ana desk
jqt --argjson j "$JOB" "desk --json: the ready job under ready" '[.ready[].id] == [$j]' \
    "... not under active" '.active == []' \
    "... next_after.ready" '.next_after | has("ready") and .ready == null'
run "desk --list ready" --json desk --list ready
jqt --argjson j "$JOB" "desk --list ready: that list only" '[.ready[].id] == [$j] and (has("active") | not)'
run "verify after the close" verify
is "the reason is in the audited image" 1 "$(sql "SELECT count(*) FROM service_events WHERE reason = 'Venue flooded; the couple postponed' AND outcome = 'closed'")"
sql "UPDATE service_events SET reason = 'operator was ill'" >/dev/null
q verify
is "verify catches a reason changed outside qtm" 1 "$rc"
sql "UPDATE service_events SET reason = 'Venue flooded; the couple postponed'" >/dev/null
run "verify with the reason put back" verify
run "job complete after a close" --as ana job complete "$JOB"

# --- complete: outcome delivered -----------------------------------------------
new_job $EC "$W" ana
J2=$JOB
run "claim 2" --as ana job claim "$J2"
run "arrive 2" --as ana job advance "$J2" arrive
run "start 2" --as ana job advance "$J2" start
run "complete 2" --as ana job advance "$J2" complete
run "record 2" --json record show --job "$J2"
jqt "complete gives outcome delivered" '.body.outcome.outcome == "delivered"' \
    "... with no reason" '.body.outcome.reason == null'
run "verify 2" verify

# --- intake: bounds and every problem at once ----------------------------------
refuse "guests below min" 7 "intake: event.guests: 0 is less than the minimum 1" \
    request submit $EC --intake <(jq '.event.guests = 0' "$W")
refuse "guests above max" 7 "intake: event.guests: 5001 is more than the maximum 5000" \
    request submit $EC --intake <(jq '.event.guests = 5001' "$W")
refuse "several problems" 7 "intake: contact.name: required field missing" \
    request submit $EC --intake <(jq 'del(.contact.name) | .contact.method = "fax" | .event.guests = 9000 | .zzz = 1' "$W")
is "one error line per problem" 4 "$(grep -c '^qtm: error: intake: ' "$T/err")"
has "... the unknown section" "$T/err" "qtm: error: intake: unknown section zzz"
has "... the bad choice" "$T/err" "qtm: error: intake: contact.method: \"fax\" is not one of: email, text, call"
has "... the bound" "$T/err" "qtm: error: intake: event.guests: 9000 is more than the maximum 5000"
q --json request submit $EC --intake <(jq 'del(.contact.name) | .event.guests = 9000' "$W")
jqt "--json lists the problems" '.error.problems | length == 2' \
    "... in order" '.error.problems[0] == "intake: contact.name: required field missing"'

# --- over HTTP ---------------------------------------------------------------------
declare -A TOK
for a in admin ana bo; do
    q token issue $a
    TOK[$a]=$(cat "$T/out")
done
"$QTM" --db "$DB" serve --listen 127.0.0.1:0 >"$T/srv.out" 2>"$T/srv.err" &
SRV_PID=$!
U=
for i in $(seq 1 100); do
    U=$(sed -n 's|^qtm serve: listening on \(http://127.0.0.1:[0-9]*\)/.*|\1|p' "$T/srv.out")
    [ -n "$U" ] && break
    sleep 0.05
done
if [ -n "$U" ]; then ok; else bad "serve did not start: $(oneline <"$T/srv.err")"; fi
h() {
    local method=$1 path=$2 who=$3
    shift 3
    code=$(curl -s -o "$T/out" -w '%{http_code}' -X "$method" -H "Authorization: Bearer ${TOK[$who]}" \
        -H 'Content-Type: application/json' "$@" "$U$path")
}
new_job $EC "$W" ana
J3=$JOB
h POST /api/jobs/$J3/claim ana
is "api claim" 200 "$code"
dump "$T/before"
h POST /api/jobs/$J3/advance ana --data-binary '{"event":"close"}'
dump "$T/after"
is "api close without a reason: 400" 400 "$code"
jqt "... category invalid input" '.error.category == "invalid input"' \
    "... naming the reason" '.error.message | contains("needs a reason")'
if cmp -s "$T/before" "$T/after"; then ok; else bad "api close without a reason changed the database"; fi
h POST /api/jobs/$J3/advance ana --data-binary '{"event":"close","reason":"Client cancelled by phone"}'
is "api close with a reason" 200 "$code"
jqt "api: the ServiceEvent's outcome" '.service_event.outcome == "closed"' \
    "api: its reason" '.service_event.reason == "Client cancelled by phone"'
h GET /api/jobs/$J3 ana
jqt --arg s "$SUMMARY" "GET /api/jobs/ID shows the outcome" '.service_event.outcome == "closed"' \
    "... and the summary" '.summary == $s'
h GET /api/tasks admin
jqt --arg s "$SUMMARY" "GET /api/tasks items carry the summary" '.tasks | all(.summary == $s)'
h GET /api/desk admin
jqt "GET /api/desk rows carry the summary" '[.queued[], .active[], .ready[], .completed[]] | all(.summary | startswith("Sat 16 May"))' \
    "GET /api/desk: ready jobs under ready" "[.ready[].id] == [$J2, $J3] and .active == []" \
    "... next_after.ready" '.next_after.ready == null'
h GET "/api/desk?list=ready&limit=1" admin
jqt "GET /api/desk?list=ready: one page" "[.ready[].id] == [$J2] and .next_after.ready == $J2"
h GET "/api/desk?list=ready&limit=1&after=$J2" admin
jqt "... its next page" "[.ready[].id] == [$J3] and .next_after.ready == null"
dump "$T/before"
h POST /api/requests/$EC admin --data-binary "$(jq 'del(.contact.name) | .event.guests = 0' "$W")"
dump "$T/after"
is "api intake with two problems: 400" 400 "$code"
jqt "... both listed" '.error.problems == ["intake: contact.name: required field missing", "intake: event.guests: 0 is less than the minimum 1"]'
if cmp -s "$T/before" "$T/after"; then ok; else bad "api intake refusal changed the database"; fi
kill -TERM "$SRV_PID" 2>/dev/null
wait "$SRV_PID"
SRV_PID=
q desk --list ready --limit 1
has "desk --list ready pages" "$T/out" "next: --list ready --after $J2"
run "desk --list ready --after" --json desk --list ready --after "$J2"
jqt "desk --list ready --after: the next page" "[.ready[].id] == [$J3] and .next_after.ready == null"
refuse "desk --list ready needs a known list" 2 "unknown desk list 'readyy' (queued, active, ready, completed)" desk --list readyy
run "verify at the end" verify
finish

#!/usr/bin/env bash
# tests/scenario/handover.sh - the governance of a job's work (issue 11):
# job reassign, handover, release, cancel and note add through the `qtm`
# binary and over HTTP (POST /api/jobs/ID/reassign|handover|release|cancel|
# notes): each success with its hand-off and audit rows naming the old and
# the new operator and the reason, each refusal with its exit status / HTTP
# status and the database unchanged; the states ready and cancelled; the
# request laid out and the owners in order in `job show` and GET
# /api/jobs/ID; a suspended owner's job handed over; then the seed's
# example with a hand-over in the middle, verify passing.
. "$(dirname "$0")/lib.sh"
command -v curl >/dev/null 2>&1 || { bad "curl is not installed (tools/deps.sh installs it)"; finish; }
EC=event-coordination
W=$EX/event-coordination-wedding.json
SRV_PID=
trap '[ -n "$SRV_PID" ] && kill "$SRV_PID" 2>/dev/null; lib_cleanup' EXIT
export QTM_FAKE_NOW=2026-05-16T09:00:00.000Z

# the audit row of entity ENTITY last written for job JOB: "action from to actor"
last_audit() {
    sql "SELECT action || ' ' || COALESCE(from_state, '-') || ' ' || COALESCE(to_state, '-')
         || ' ' || COALESCE(actor, '-') FROM audit WHERE job_id = $1 AND entity = '$2'
         ORDER BY id DESC LIMIT 1"
}

fresh cli
run "init" init
setup_actors
run "actor add cara" actor add cara --role operator --name "Cara Ops"

echo "# job reassign: admin, queued jobs only; the task's assignee moves too"
new_job $EC "$W" ana
JA=$JOB
refuse "reassign without --to" 2 "usage: qtm job reassign ID --to OPERATOR" --as admin job reassign $JA
refuse "reassign two ids" 2 "takes one job id" --as admin job reassign $JA 2 --to bo
refuse "reassign by an operator" 4 "only an admin can reassign job $JA" --as ana job reassign $JA --to bo
refuse "reassign by a vendor" 4 "vic is a vendor" --as vic job reassign $JA --to bo
refuse "reassign to nobody known" 3 "no actor 'zed'" --as admin job reassign $JA --to zed
refuse "reassign to a vendor" 4 "vic is a vendor; job $JA can only be reassigned to an operator" \
    --as admin job reassign $JA --to vic
refuse "reassign to the assignee" 5 "job $JA is already ana's" --as admin job reassign $JA --to ana
refuse "reassign an unknown job" 3 "no job 99" --as admin job reassign 99 --to bo
run "suspend cara" actor set cara --access suspended
refuse "reassign to a suspended operator" 4 "cara is suspended and cannot receive work" \
    --as admin job reassign $JA --to cara
run "cara active again" actor set cara --access active
run "reassign to bo" --json --as admin job reassign $JA --to bo --reason "ana is sick"
jqt "the job is bo's to claim" '.assignee == "bo" and .state == "queued" and .owner == null' \
    "... the hand-off names both and the reason" \
    '.handoffs == [{"action":"reassign","from":"ana","to":"bo","reason":"ana is sick","by":"admin","at":"2026-05-16T09:00:00.000Z"}]'
is "the hand-off's audit row names old and new operator" "reassign ana bo admin" "$(last_audit $JA handoff)"
is "the task's audit row too" "reassign ana bo admin" "$(last_audit $JA task)"
is "the task's assignee moved" bo "$(sql "SELECT a.slug FROM tasks t JOIN actors a ON a.id = t.assignee_id JOIN jobs j ON j.task_id = t.id WHERE j.id = $JA")"
refuse "the old assignee claims" 4 "(reassigned from ana to bo by admin: ana is sick); ana cannot claim it" \
    --as ana job claim $JA
refuse "the old assignee reads it" 4 "no job $JA visible to ana: reassigned to bo by admin (ana is sick)" \
    --as ana job show $JA
run "bo claims" --as bo job claim $JA
refuse "reassign after the claim" 5 "only a queued job is reassigned" --as admin job reassign $JA --to cara

echo "# job handover: admin, claimed and not complete; the single owner moves"
new_job $EC "$W" ana
JB=$JOB
refuse "handover before the claim" 5 "job $JB is not claimed yet" --as admin job handover $JB --to bo --reason x
refuse "handover without --reason" 2 "usage: qtm job handover ID --to OPERATOR --reason TEXT" \
    --as admin job handover $JA --to cara
refuse "handover without --to" 2 "usage: qtm job handover" --as admin job handover $JA --reason x
refuse "handover with a blank reason: none" 2 "a hand-over needs a reason (--reason TEXT)" \
    --as admin job handover $JA --to cara --reason "   "
refuse "handover by the owner" 4 "only an admin can hand over job $JA" --as bo job handover $JA --to cara --reason x
refuse "handover to the owner" 5 "job $JA is already bo's" --as admin job handover $JA --to bo --reason x
run "bo arrives" --as bo job advance $JA arrive
run "hand over to cara" --json --as admin job handover $JA --to cara --reason "bo twisted an ankle"
jqt "cara owns it, in the phase it was in" '.owner == "cara" and .assignee == "cara" and .phase == "arrived" and .state == "active"' \
    "... the owners in order" '[.owners[] | [.how, .operator, .from, .reason]] == [["claim","bo",null,null],["handover","cara","bo","bo twisted an ankle"]]' \
    "... the ServiceEvent keeps its phases" '[.service_event.phases[].event] == ["claim", "arrive"] and .service_event.operator == "cara"'
is "the hand-off's audit row" "handover bo cara admin" "$(last_audit $JA handoff)"
is "the job's audit row keeps its state" "handover active active admin" "$(last_audit $JA job)"
refuse "the old owner advances" 4 "handed over from bo to cara by admin: bo twisted an ankle" \
    --as bo job advance $JA start
refuse "the old owner reads it" 4 "no job $JA visible to bo: handed over to cara by admin (bo twisted an ankle)" \
    --as bo job show $JA
q --as cara job show $JA
has "job show lists the owners" "$T/out" "owner: cara (handover by admin: bo twisted an ankle"
has "job show lays out the request" "$T/out" "Venue: Laguna Gloria"
has "job show: what cara may do now" "$T/out" "cara may: start, close, note"

echo "# a suspended owner: cannot act; the admin hands the job over"
run "suspend cara" actor set cara --access suspended
refuse "a suspended owner advances" 4 "cara is suspended" --as cara job advance $JA start
refuse "a suspended owner releases" 4 "cara is suspended" --as cara job release $JA
refuse "a suspended owner adds a note" 4 "cara is suspended" --as cara note add $JA --text x
refuse "a suspended owner reads" 4 "cara is suspended" --as cara job show $JA
run "the admin hands cara's job to ana" --as admin job handover $JA --to ana --reason "cara is suspended"
run "cara active again" actor set cara --access active

echo "# job release: the owner, only in the phase the claim entered"
run "ana claims job $JB" --as ana job claim $JB
refuse "release by another operator" 4 "job $JB is claimed by ana; only its owner can release it, not bo" \
    --as bo job release $JB
refuse "release by an admin" 4 "a release is the owner's" --as admin job release $JB
refuse "release two ids" 2 "takes one job id" --as ana job release $JB $JA
run "ana releases" --json --as ana job release $JB --reason "double booked"
jqt "queued again, for its assignee" '.state == "queued" and .owner == null and .assignee == "ana" and .phase == "queued"' \
    "... the phases keep the claim and the release" '[.service_event.phases[] | .event + ":" + .to] == ["claim:claimed", "release:queued"]'
is "the release's audit row" "release ana - ana" "$(last_audit $JB handoff)"
is "the ServiceEvent's audit row" "release claimed queued ana" "$(last_audit $JB service_event)"
refuse "release a queued job" 5 "there is nothing to release" --as ana job release $JB
run "ana claims it again" --as ana job claim $JB
run "ana arrives" --as ana job advance $JB arrive
refuse "release after a later phase" 5 "released only in the phase its claim entered" --as ana job release $JB

echo "# job cancel: admin, before the claim; no record, state cancelled"
new_job $EC "$W" bo
JC=$JOB
refuse "cancel without --reason" 2 "usage: qtm job cancel ID --reason TEXT" --as admin job cancel $JC
refuse "cancel with a blank reason: none" 2 "cancelling a job needs a reason (--reason TEXT)" \
    --as admin job cancel $JC --reason " "
refuse "cancel by the assignee" 4 "only an admin can cancel job $JC" --as bo job cancel $JC --reason x
refuse "cancel after the claim" 5 "only a job nobody claimed can be cancelled" --as admin job cancel $JB --reason x
run "cancel" --json --as admin job cancel $JC --reason "the client called it off"
jqt "cancelled, no record" '.state == "cancelled" and .record == null and .next == [] and .service_event == null'
is "the job's audit row" "cancel queued cancelled admin" "$(last_audit $JC job)"
is "the hand-off names the reason" "the client called it off" "$(sql "SELECT reason FROM handoffs WHERE job_id = $JC")"
refuse "claim a cancelled job" 5 "job $JC was cancelled" --as bo job claim $JC
refuse "cancel it again" 5 "job $JC was cancelled" --as admin job cancel $JC --reason again
refuse "no record for a cancelled job" 3 "has no record" record show --job $JC
q --json desk
jqt "no desk lists a cancelled job" "[.queued[].id, .active[].id, .ready[].id, .completed[].id] | index($JC) == null"
refuse "settle a cancelled job" 5 "job $JC was cancelled; a cancelled job has no work to settle" \
    --as admin settle $JC --amount 10.00 --method cash
refuse "set a due on a cancelled job" 5 "has no work to settle" --as admin settle $JC --due 100.00
refuse "waive a cancelled job" 5 "has no work to settle" --as admin settle $JC --status waived
q --json job list --state cancelled
jqt "job list: a cancelled job has no settlement status" "[.jobs[] | select(.id == $JC) | .settlement] == [null]"
q job list --state cancelled
if grep -Eq "^#$JC +event-coordination +cancelled .* for bo +- +2026-" "$T/out"; then ok; else
    bad "job list text: the cancelled job's settlement is not shown as -: $(oneline <"$T/out")"
fi
q --json settlement list
jqt "settlement list leaves the cancelled job out" "[.settlements[].job] | index($JC) == null"
q --json settlement list --status unpaid
jqt "... unpaid too: nothing to chase" "[.settlements[].job] | index($JC) == null"
q --json --as admin task list
jqt "task list: no settlement status for it" "[.tasks[] | select(.job == $JC) | .settlement] == [null]"

echo "# note add: the owner or an admin; context, never a condition"
refuse "note without --text" 2 "usage: qtm note add JOB --text TEXT" --as ana note add $JB
refuse "note by another operator" 4 "job $JB is claimed by ana; bo cannot add notes to it" \
    --as bo note add $JB --text x
refuse "note by a vendor" 4 "notes are added by the job's owner or an admin" --as vic note add $JB --text x
refuse "an empty note: as a missing one" 2 "a note needs a text" --as ana note add $JB --text ""
refuse "a blank note is none" 2 "a note needs a text (--text TEXT)" --as ana note add $JB --text "   "
run "the owner notes" --as ana note add $JB --text "Gate code 4411; parking behind the villa"
run "an admin notes" --json --as admin note add $JB --text "Client asked for a call on Friday"
jqt "notes in order, with author and time" '[.notes[] | .author] == ["ana", "admin"] and (.notes[0] | keys) == ["at", "author", "text"]' \
    "a note moved nothing" '.phase == "arrived" and .state == "active"'
if sql "UPDATE notes SET text = 'x'" | grep -q "append-only"; then ok; else bad "notes accept UPDATE"; fi
is "... the table is as it was" "Gate code 4411; parking behind the villa" "$(sql "SELECT text FROM notes ORDER BY id LIMIT 1")"

echo "# ready: the ServiceEvent is final, job complete is next"
for e in start complete; do run "ana $e" --as ana job advance $JB $e; done
q --as ana job show $JB
has "job show says what is next" "$T/out" "next: job complete"
has "... and that ana may complete it" "$T/out" "ana may: complete"
q --json job show $JB
jqt "state ready" '.state == "ready" and .service_event.complete == true and (.record | type) == "number"'
refuse "a note once the record holds them" 5 "its record holds the notes it had" --as ana note add $JB --text late
refuse "handover once the ServiceEvent is over" 5 "the ServiceEvent is over: job complete is next" \
    --as admin job handover $JB --to bo --reason "ana left"
q --json --as admin job show $JB
jqt "... and can_handover says so" '.can_handover == false'
q --json record show --job $JB
jqt "the record carries the notes" '[.body.notes[].text] == ["Gate code 4411; parking behind the villa", "Client asked for a call on Friday"]' \
    "... and who held the job" '.body.operators == ["ana"]'
run "job complete" --as ana job complete $JB
run "verify" verify

echo "# over HTTP: the same commands, statuses as the API maps them"
fresh http
run "http: init" init
setup_actors
run "http: actor add cara" actor add cara --role operator
declare -A TOK
for a in admin ana bo cara; do
    q token issue $a
    TOK[$a]=$(cat "$T/out")
done
new_job $EC "$W" ana
H1=$JOB
new_job $EC "$W" ana
H2=$JOB
"$QTM" --db "$DB" serve --listen 127.0.0.1:0 >"$T/srv.out" 2>"$T/srv.err" &
SRV_PID=$!
U=
for i in $(seq 1 100); do
    U=$(sed -n 's|^qtm serve: listening on \(http://127.0.0.1:[0-9]*\)/.*|\1|p' "$T/srv.out")
    [ -n "$U" ] && break
    sleep 0.05
done
if [ -n "$U" ]; then ok; else bad "the server did not start: $(oneline <"$T/srv.err")"; fi
# post AS PATH JSON : $code and $T/out
post() {
    code=$(curl -s -o "$T/out" -w '%{http_code}' -X POST -H "Authorization: Bearer ${TOK[$1]}" \
        -H 'Content-Type: application/json' --data-binary "$3" "$U$2")
}
get() {
    code=$(curl -s -o "$T/out" -w '%{http_code}' -H "Authorization: Bearer ${TOK[$1]}" "$U$2")
}
# hrefuse NAME STATUS CATEGORY TEXT AS PATH JSON : the refusal, the database unchanged
hrefuse() {
    dump "$T/before"
    post "$5" "$6" "$7"
    dump "$T/after"
    is "$1: HTTP status" "$2" "$code"
    jqt --arg c "$3" "$1: error category" '.error.category == $c and (keys == ["error"])'
    has "$1: message" "$T/out" "$4"
    if cmp -s "$T/before" "$T/after"; then ok; else bad "$1: the database changed"; fi
}
hrefuse "POST reassign: no \"to\"" 400 "invalid input" 'the body needs \"to\"' admin /api/jobs/$H1/reassign '{}'
hrefuse "POST reassign: by an operator" 403 forbidden "only an admin can reassign" ana /api/jobs/$H1/reassign '{"to":"bo"}'
hrefuse "POST reassign: to a vendor" 403 forbidden "can only be reassigned to an operator" admin /api/jobs/$H1/reassign '{"to":"vic"}'
hrefuse "POST reassign: to nobody" 404 "not found" "no actor 'zed'" admin /api/jobs/$H1/reassign '{"to":"zed"}'
hrefuse "POST reassign: \"to\" not a string" 400 "invalid input" 'must be a string' admin /api/jobs/$H1/reassign '{"to":7}'
post admin /api/jobs/$H1/reassign '{"to":"bo","reason":"ana is sick"}'
is "POST reassign" 200 "$code"
jqt "... the job as it now stands" '.assignee == "bo" and .handoffs[0].reason == "ana is sick" and .can_reassign == true'
hrefuse "POST claim by the old assignee" 403 forbidden "no job $H1 visible to ana: reassigned to bo by admin (ana is sick)" \
    ana /api/jobs/$H1/claim '{}'
get ana /api/jobs/$H1
is "GET by the old assignee: 403" 403 "$code"
post bo /api/jobs/$H1/claim '{}'
is "bo claims" 200 "$code"
hrefuse "POST reassign after the claim" 422 refused "only a queued job is reassigned" admin /api/jobs/$H1/reassign '{"to":"cara"}'
hrefuse "POST cancel after the claim" 422 refused "only a job nobody claimed can be cancelled" admin /api/jobs/$H1/cancel '{"reason":"x"}'
hrefuse "POST handover before the claim" 422 refused "is not claimed yet" admin /api/jobs/$H2/handover '{"to":"bo","reason":"x"}'
hrefuse "POST handover: no reason" 400 "invalid input" 'the body needs \"reason\"' admin /api/jobs/$H1/handover '{"to":"cara"}'
hrefuse "POST handover: a blank reason" 400 usage "a hand-over needs a reason" admin /api/jobs/$H1/handover '{"to":"cara","reason":"  "}'
hrefuse "POST handover: by the owner" 403 forbidden "only an admin can hand over" bo /api/jobs/$H1/handover '{"to":"cara","reason":"x"}'
hrefuse "POST release by another operator" 403 forbidden "no job $H1 visible to cara" cara /api/jobs/$H1/release '{}'
hrefuse "POST notes: no text" 400 "invalid input" 'the body needs \"text\"' bo /api/jobs/$H1/notes '{}'
hrefuse "POST notes: a blank text" 400 usage "a note needs a text" bo /api/jobs/$H1/notes '{"text":" \t "}'
hrefuse "POST notes by another operator" 403 forbidden "no job $H1 visible to ana" ana /api/jobs/$H1/notes '{"text":"x"}'
post bo /api/jobs/$H1/notes '{"text":"Load-in at noon"}'
is "POST notes" 200 "$code"
jqt "... listed with author and time" '[.notes[] | [.text, .author, (.at | type)]] == [["Load-in at noon", "bo", "string"]]'
post bo /api/jobs/$H1/advance '{"event":"arrive"}'
hrefuse "POST release after a later phase" 422 refused "released only in the phase its claim entered" bo /api/jobs/$H1/release '{}'
post admin /api/jobs/$H1/handover '{"to":"cara","reason":"bo left early"}'
is "POST handover" 200 "$code"
jqt "... cara owns it" '.owner == "cara" and ([.owners[].operator] == ["bo", "cara"]) and .can_handover == true'
get cara /api/jobs/$H1
is "GET by the new owner" 200 "$code"
jqt "... the request laid out by sections" '[.request.sections[].name] == ["contact", "event", "request", "notes"] and (.request.sections[1].fields[] | select(.name == "venue") | .label == "Venue") and .request.id == 1' \
    "... the raw intake beside it" '.request.intake.event.guests == 140' \
    "... what cara may do" '.can_release == false and .can_note == true and .can_cancel == false and .can_reassign == false'
post cara /api/jobs/$H2/release '{}'
is "release of a job not hers: forbidden" 403 "$code"
post ana /api/jobs/$H2/claim '{}'
post ana /api/jobs/$H2/release '{"reason":"sick day"}'
is "POST release by the owner" 200 "$code"
jqt "... queued again" '.state == "queued" and .owner == null and .can_claim == true'
hrefuse "POST cancel: no reason" 400 "invalid input" 'the body needs \"reason\"' admin /api/jobs/$H2/cancel '{}'
for e in start complete; do post cara /api/jobs/$H1/advance "{\"event\":\"$e\"}"; done
jqt "cara's job is ready" '.state == "ready"'
hrefuse "POST handover once the ServiceEvent is over" 422 refused "the ServiceEvent is over: job complete is next" \
    admin /api/jobs/$H1/handover '{"to":"bo","reason":"cara left"}'
get cara /api/jobs/$H1/record
is "... cara still reads the record of her work" 200 "$code"
hrefuse "POST cancel: a blank reason" 400 usage "cancelling a job needs a reason" admin /api/jobs/$H2/cancel '{"reason":" "}'
post admin /api/jobs/$H2/cancel '{"reason":"called off"}'
is "POST cancel" 200 "$code"
jqt "... cancelled" '.state == "cancelled" and .can_cancel == false'
hrefuse "POST settlement on a cancelled job" 422 refused "a cancelled job has no work to settle" \
    admin /api/jobs/$H2/settlement '{"amount":"10.00","method":"cash"}'
kill -TERM "$SRV_PID" 2>/dev/null
wait "$SRV_PID"
SRV_PID=
run "http: verify" verify

echo "# the seed's example with a hand-over in the middle"
fresh seed
run "seed: init" init
setup_actors
run "seed: submit the wedding" --json request submit $EC --intake "$W"
TASK=$(jv .task)
run "seed: approve" --as admin task approve "$TASK"
run "seed: assign to ana" --as admin task assign "$TASK" --to ana
run "seed: create the job" --json --as admin job create --task "$TASK"
JOB=$(jv .job)
run "seed: ana claims" --as ana job claim "$JOB"
run "seed: a participant" --as ana participant add "$JOB" --name "Luis" --role "venue manager"
run "seed: ana arrives" --as ana job advance "$JOB" arrive
run "seed: hand over to bo" --as admin job handover "$JOB" --to bo --reason "ana was called away"
run "seed: bo notes" --as bo note add "$JOB" --text "Took over on site at 15:10"
run "seed: bo starts" --as bo job advance "$JOB" start
run "seed: bo completes" --as bo job advance "$JOB" complete
q --json job show "$JOB"
jqt "seed: ready, owned by bo" '.state == "ready" and .owner == "bo"' \
    "seed: the phases in order, across the hand-over" '[.service_event.phases[] | .event + " by " + .actor] == ["claim by ana", "arrive by ana", "start by bo", "complete by bo"]'
run "seed: job complete" --as bo job complete "$JOB"
q --json record show --job "$JOB"
jqt "seed: the record lists who held the job" '.body.operator == "bo" and .body.operators == ["ana", "bo"]' \
    "seed: and the note" '.body.notes[0].text == "Took over on site at 15:10"'
run "seed: settle, separately" --as admin settle "$JOB" --amount 500.00 --method card
q --json job show "$JOB"
jqt "seed: paying moved nothing" '.state == "complete"'
run "seed: verify" verify
has "seed: verify is ok" "$T/out" "verify: ok"
finish

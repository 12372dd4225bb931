#!/usr/bin/env bash
# tests/scenario/finding.sh - finding work, and the CLI made consistent.
#
# `qtm job list` with every filter (state, surface, operator, mine, phase,
# q) and keyset paging, as the holder of the file, an admin, an operator
# (their own only) and a client (refused); the same over HTTP as
# GET /api/jobs; each refusal with its exit status / HTTP status and the
# database unchanged.  Then the CLI's consistency: --db/--as/--json after
# the command, a replayed idempotency key, `--as OP desk`, `task list` with
# the job id, `record show ID`, local administration audited as --as or the
# OS user.  The last line is "N passed, N failed".
. "$(dirname "$0")/lib.sh"
. "$(dirname "$0")/lib_http.sh"
EC=event-coordination
W=$EX/event-coordination-wedding.json
export QTM_FAKE_NOW=2026-05-01T09:00:00Z

# intake VENUE NAME : the wedding packet at another venue, for another client
intake() {
    jq --arg v "$1" --arg n "$2" '.event.venue = $v | .contact.name = $n' "$W" >"$T/in.json"
}

fresh finding
run "init" init
setup_actors
# six jobs: 1-3 for ana, 4-5 for bo, 6 for ana at the Zilker garden
for i in 1 2 3 4 5 6; do
    case $i in 4 | 5) op=bo ;; *) op=ana ;; esac
    case $i in 6) intake "Zilker Botanical Garden" "Rosa Quintero" ;; *) intake "Laguna Gloria $i" "Client Okafor $i" ;; esac
    new_job $EC "$T/in.json" $op
done
run "ana claims 1" --as ana job claim 1
run "ana arrives 1" --as ana job advance 1 arrive
run "ana claims 2" --as ana job claim 2
run "bo claims 4" --as bo job claim 4

# --- the holder of the file: every job ---------------------------------------------
run "job list" --json job list
jqt "all six, by id" '[.jobs[].id] == [1,2,3,4,5,6]' \
    "no more" '.next_after == null' \
    "row keys" '.jobs[0] | keys == ["assignee","created_at","id","label","owner","phase","settlement","state","summary","surface"]' \
    "job 1 on site" '.jobs[0] | .state == "active" and .phase == "arrived" and .label == "On Site" and .owner == "ana"' \
    "job 3 queued for ana" '.jobs[2] | .state == "queued" and .phase == "queued" and .owner == null and .assignee == "ana"' \
    "settlement status in rows" '[.jobs[].settlement] | all(. == "unpaid")'
run "state=active" --json job list --state active
jqt "active: 1, 2, 4" '[.jobs[].id] == [1,2,4]'
run "state=queued" --json job list --state queued
jqt "queued: 3, 5, 6" '[.jobs[].id] == [3,5,6]'
run "state=ready (a word H2a adds)" --json job list --state ready
jqt "ready: none yet" '.jobs == []'
run "state=cancelled" --json job list --state cancelled
jqt "cancelled: none yet" '.jobs == []'
run "surface" --json job list --surface $EC
jqt "every job is event coordination" '(.jobs | length) == 6'
run "phase arrived" --json job list --phase arrived
jqt "phase arrived: 1" '[.jobs[].id] == [1]'
run "phase queued (the initial one, unclaimed)" --json job list --phase queued
jqt "phase queued: 3, 5, 6" '[.jobs[].id] == [3,5,6]'
run "phase claimed" --json job list --phase claimed
jqt "phase claimed: 2, 4" '[.jobs[].id] == [2,4]'
run "operator ana" --json job list --operator ana
jqt "ana holds 1, 2, 3, 6" '[.jobs[].id] == [1,2,3,6]'
run "operator bo queued" --json job list --operator bo --state queued
jqt "bo's queued: 5" '[.jobs[].id] == [5]'
run "q venue" --json job list --q "zilker"
jqt "q zilker: 6" '[.jobs[].id] == [6]'
run "q any case, contact name" --json job list --q "OKAFOR 4"
jqt "q okafor 4: 4" '[.jobs[].id] == [4]'
run "q with a quote" --json job list --q 'Gloria "3'
jqt "q with a quote: nothing, no error" '.jobs == []'
run "q and state" --json job list --q laguna --state queued
jqt "laguna queued: 3, 5" '[.jobs[].id] == [3,5]'

# --- paging --------------------------------------------------------------------------
run "page 1" --json job list --limit 2
jqt "page 1: 1, 2" '[.jobs[].id] == [1,2]' "page 1: next 2" '.next_after == 2'
run "page 2" --json job list --limit 2 --after 2
jqt "page 2: 3, 4" '[.jobs[].id] == [3,4]' "page 2: next 4" '.next_after == 4'
run "page 3" --json job list --limit 2 --after 4
jqt "page 3: 5, 6, the end" '[.jobs[].id] == [5,6] and .next_after == null'
run "filtered page" --json job list --operator ana --limit 3
jqt "ana page 1" '[.jobs[].id] == [1,2,3] and .next_after == 3'
run "filtered page 2" --json job list --operator ana --limit 3 --after 3
jqt "ana page 2" '[.jobs[].id] == [6] and .next_after == null'
run "text page" job list --limit 2
has "text rows" "$T/out" "#1      event-coordination   active    On Site"
has "text next" "$T/out" "next: --after 2"

# --- who lists what ------------------------------------------------------------------
run "admin lists all" --json --as admin job list
jqt "admin: six" '(.jobs | length) == 6'
run "admin --operator bo" --json --as admin job list --operator bo
jqt "admin sees bo's work" '[.jobs[].id] == [4,5]'
run "admin --mine" --json --as admin job list --mine
jqt "an admin holds no job" '.jobs == []'
run "ana lists her own" --json --as ana job list
jqt "ana: 1, 2, 3, 6" '[.jobs[].id] == [1,2,3,6]'
run "ana --mine" --json --as ana job list --mine --state queued
jqt "ana queued: 3, 6" '[.jobs[].id] == [3,6]'
run "bo lists his own" --json --as bo job list
jqt "bo: 4, 5" '[.jobs[].id] == [4,5]'
run "suspend bo" actor set bo --access suspended
refuse "a suspended operator lists nothing" 4 "bo is suspended" --as bo job list
run "admin finds suspended bo's work" --json --as admin job list --operator bo
jqt "bo's stranded jobs" '[.jobs[].id] == [4,5]'
run "reactivate bo" actor set bo --access active
refuse "an operator listing another's" 4 "lists only their own jobs" --as ana job list --operator bo
refuse "a client" 4 "the job list is for operators and admins" --as cli job list
refuse "a vendor" 4 "the job list is for operators and admins" --as vic job list
refuse "unknown reader" 3 "nobody" --as nobody job list
refuse "unknown operator" 3 "nobody" job list --operator nobody
refuse "unknown state" 2 "unknown job state 'done'" job list --state done
refuse "unknown surface" 3 "no surface 'gardening'" job list --surface gardening
refuse "unknown phase" 2 "has a phase 'landed'" job list --phase landed
refuse "q too short" 2 "q takes 3 to 200 characters" job list --q ab
refuse "q not UTF-8" 7 "not valid UTF-8" job list --q $'\xff\xfe\xfd'
refuse "--mine without --as" 2 "--mine needs --as" job list --mine
refuse "bad limit" 2 "--limit takes a whole number from 1 to 1000" job list --limit 0
refuse "bad after" 2 "--after takes a whole number" job list --after -3
refuse "an argument" 2 "job list takes no arguments" job list 4
refuse "unknown option" 2 "unknown option --owner" job list --owner ana

# --- GET /api/jobs -------------------------------------------------------------------
tokens admin ana bo cli
serve_start srv
h GET "/api/jobs" as=admin
status_is "GET /api/jobs as admin" 200
jqt "api: six, no more" '[.jobs[].id] == [1,2,3,4,5,6] and .next_after == null'
h GET "/api/jobs?state=queued&limit=2" as=admin
jqt "api: state + limit" '[.jobs[].id] == [3,5] and .next_after == 5'
h GET "/api/jobs?state=queued&limit=2&after=5" as=admin
jqt "api: the next page" '[.jobs[].id] == [6] and .next_after == null'
h GET "/api/jobs?operator=bo" as=admin
jqt "api: operator" '[.jobs[].id] == [4,5]'
h GET "/api/jobs?phase=arrived&surface=$EC" as=admin
jqt "api: phase + surface" '[.jobs[].id] == [1]'
h GET "/api/jobs?q=Zilker" as=admin
jqt "api: q" '[.jobs[].id] == [6]'
h GET "/api/jobs" as=ana
jqt "api: ana's own" '[.jobs[].id] == [1,2,3,6]'
h GET "/api/jobs?mine=1&state=active" as=ana
jqt "api: mine" '[.jobs[].id] == [1,2]'
refused "api: an operator asking for another's" 403 forbidden "lists only their own" -- \
    h GET "/api/jobs?operator=bo" as=ana
refused "api: a client" 403 forbidden "the job list is for operators and admins" -- \
    h GET "/api/jobs" as=cli
refused "api: no credential" 401 unauthorized "sign in first" -- h GET "/api/jobs"
refused "api: bad state" 400 usage "unknown job state" -- h GET "/api/jobs?state=x" as=admin
refused "api: bad mine" 400 usage "mine takes 1 or 0" -- h GET "/api/jobs?mine=yes" as=ana
refused "api: bad limit" 400 usage "limit takes" -- h GET "/api/jobs?limit=5000" as=admin
refused "api: short q" 400 usage "q takes 3 to 200" -- h GET "/api/jobs?q=ab" as=admin
refused "api: unknown surface" 404 "not found" "no surface" -- h GET "/api/jobs?surface=x" as=admin
h GET "/api/desk" as=ana
jqt "desk cards carry the settlement" '.queued[0].settlement == "unpaid" and .active[0].settlement == "unpaid"'
serve_stop

# --- the CLI, consistent -------------------------------------------------------------
run "options after the command" job list --json --db "$DB" --as ana --state queued
jqt "--json --db --as anywhere" '[.jobs[].id] == [3,6]'
run "--as between words of options" job show 1 --as ana
has "--as after the command reads as ana" "$T/out" "ana may:"
run "desk as an operator" desk --as bo
has "bo's desk has bo's job" "$T/out" "#4"
if grep -q "#1 " "$T/out"; then bad "bo's desk shows ana's job 1"; else ok; fi
run "--as bo desk" --as bo desk --json
jqt "bo's desk: only bo's" '[.queued[].id, .active[].id] | sort == [4,5]'
run "task list" task list
has "task list prints the job id" "$T/out" "job 1 "
has "task list prints the settlement" "$T/out" "settlement unpaid"
refuse "record show before the record" 3 "has no record yet" record show 1
refuse "record show ID and --job" 2 "usage: qtm record show ID" record show 1 --job 1
refuse "record show, a bad id" 2 "is not a job id" record show x
run "replayed key: first" --json request submit $EC --intake "$W" --key wedding-17
REQ=$(jv .request)
jqt "first: not replayed" '.replayed == false'
run "replayed key: again" request submit $EC --intake "$W" --key wedding-17
has "replay says so" "$T/out" "already submitted as request $REQ"
run "replayed key: --json" --json request submit $EC --intake "$W" --key wedding-17
jqt --argjson r "$REQ" "replay: the same ids, replayed" '.request == $r and .replayed == true'

# local administration: attributed to --as (an admin) or to the OS user
me=$(id -un)
run "actor add without --as" actor add zed --role operator
run "actor add --as admin" --as admin actor add yan --role operator
run "actor set --as admin" actor set yan --access limited --as admin
run "token issue" token issue yan
run "token revoke --as admin" token revoke yan --as admin
run "the audit rows" --json log --limit 1000
jqt --arg me "os:$me" "actor add without --as: the OS user" \
        '[.log[] | select(.entity == "actor" and .action == "add")] | .[-2].actor == $me' \
    "actor add --as: admin" '[.log[] | select(.entity == "actor" and .action == "add")] | .[-1].actor == "admin"' \
    "actor set --as: admin" '[.log[] | select(.action == "access")] | last.actor == "admin"' \
    "token issue: the OS user" '[.log[] | select(.entity == "token")] | last.actor == $me' \
    "token revoke --as: admin" '[.log[] | select(.action == "revoke tokens")] | last.actor == "admin"'
refuse "local administration --as an operator" 4 "only an admin administers" --as ana actor add xx --role operator
refuse "local administration --as nobody" 3 "nobody" --as nobody token issue ana
run "verify" verify
finish

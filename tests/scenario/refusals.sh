#!/usr/bin/env bash
# tests/scenario/refusals.sh - every refusal of the `qtm` command contract.
#
# Each refusal checks (1) the exit status, (2) a key part of the message on
# stderr and (3) that the database is unchanged (`sqlite3 DB .dump`, or
# pg_dump --data-only on PostgreSQL (QTM_TEST_PG), before
# and after identical).  Also: SQL-looking input is stored literally, an
# idempotent re-submit adds nothing, a repeated claim by the owner adds no
# audit row, and the storage errors (not a database, newer schema, missing
# file) exit 10; a ledger tampered past 64 bits shows "does not add up".
# The last line is "N passed, N failed".
. "$(dirname "$0")/lib.sh"
export QTM_FAKE_NOW=2026-01-01T00:00:00Z
EC=event-coordination
AD=auto-detailing
W=$EX/event-coordination-wedding.json
A=$EX/auto-detailing.json

fresh refusals
REFUSALS_DB=$DB
run "init" init
setup_actors
run "actor add cara" actor add cara --role operator
run "actor add dan" actor add dan --role operator

# jobs: J1 ana's (queued), J3 cara's and J4 dan's (queued), J5 cara's and
# J6 dan's (claimed); then cara is suspended and dan limited
new_job $EC "$W" ana
J1=$JOB T1=$TASK
P=$(photo refusal.jpg)         # a real photo: refusals below are not about the file
new_job $EC "$W" cara
J3=$JOB
new_job $EC "$W" dan
J4=$JOB
new_job $EC "$W" cara
J5=$JOB
new_job $EC "$W" dan
J6=$JOB
run "cara claims J5" --as cara job claim "$J5"
run "dan claims J6" --as dan job claim "$J6"
run "suspend cara" --json actor set cara --access suspended
jqt "cara is suspended" '.access == "suspended"'
run "limit dan" actor set dan --access limited
# an approved task nobody is assigned to yet, and one still in review
run "submit (review)" --json request submit $EC --intake "$W"
T_REVIEW=$(jv .task)
run "submit (approved)" --json request submit $EC --intake "$W"
T_APPROVED=$(jv .task)
run "approve it" --as admin task approve "$T_APPROVED"

# --- who may claim ---------------------------------------------------------------
refuse "vendor claims" 4 "vic is a vendor and cannot claim jobs" --as vic job claim "$J1"
refuse "client claims" 4 "cli is a client and cannot claim jobs" --as cli job claim "$J1"
refuse "suspended operator claims" 4 "cara is suspended" --as cara job claim "$J3"
refuse "limited operator claims" 4 "dan has limited access" --as dan job claim "$J4"
refuse "non-assignee operator claims" 4 "job $J1 is assigned to ana; bo cannot claim it" --as bo job claim "$J1"
refuse "claim without an actor" 2 "needs an actor" job claim "$J1"
refuse "admin claims" 4 "admin is an admin and cannot claim jobs" --as admin job claim "$J1"
refuse "claim through advance by the vendor" 4 "vic is a vendor" --as vic job advance "$J1" claim

# --- who may advance -------------------------------------------------------------
run "ana claims J1" --as ana job claim "$J1"
refuse "vendor advances" 4 "vic is a vendor and cannot change execution" --as vic job advance "$J1" arrive
refuse "client advances" 4 "cli is a client and cannot change execution" --as cli job advance "$J1" arrive
refuse "suspended operator advances its own job" 4 "cara is suspended" --as cara job advance "$J5" arrive
refuse "limited operator advances its own job" 4 "dan has limited access" --as dan job advance "$J6" arrive
refuse "second claim by another operator" 6 "job $J1 is already claimed by ana" --as bo job claim "$J1"
refuse "advance by a non-owner" 4 "job $J1 is claimed by ana; bo cannot advance it" --as bo job advance "$J1" arrive
refuse "admin advances" 4 "admin is an admin and cannot change execution" --as admin job advance "$J1" arrive
refuse "job complete by a non-owner" 4 "job $J1 is claimed by ana; bo cannot complete it" --as bo job complete "$J1"
refuse "vendor adds evidence" 4 "vic" --as vic evidence add "$J1" note "$P"
refuse "vendor adds a participant" 4 "vic" --as vic participant add "$J1" --name Vic --role vendor
refuse "suspended operator adds evidence" 4 "cara is suspended" --as cara evidence add "$J5" note "$P"
refuse "vendor settles" 4 "vic" --as vic settle "$J1" --amount 10 --method cash
refuse "non-owner operator settles" 4 "bo cannot record payments for job $J1" --as bo settle "$J1" --amount 10 --method cash

# --- the lifecycle ------------------------------------------------------------------
refuse "skipping a phase" 5 "job $J1 is in phase claimed (Confirmed); 'start' is not allowed there (allowed: arrive, close)" \
    --as ana job advance "$J1" start
refuse "skipping to complete" 5 "'complete' is not allowed there" --as ana job advance "$J1" complete
refuse "an event not in the surface" 5 "surface $EC has no event 'finish'" --as ana job advance "$J1" finish
refuse "a made-up event" 5 "has no event 'dance'" --as ana job advance "$J1" dance
refuse "job complete before the ServiceEvent is complete" 5 "job $J1 cannot complete: its ServiceEvent is in phase claimed" \
    --as ana job complete "$J1"
refuse "advance a queued job" 5 "job $J3 is in phase queued (Queued); 'arrive' is not allowed there (allowed: claim)" --as ana job advance "$J3" arrive
new_job $AD "$A" ana 1
J_AD=$JOB
run "ana claims the auto-detailing job" --as ana job claim "$J_AD"
refuse "unknown evidence category" 7 "surface $AD has no evidence category 'selfie'" --as ana evidence add "$J_AD" selfie "$P"
run "free-form evidence where the surface declares none" --as ana evidence add "$J1" venue-walkthrough "$P"

# a repeated claim by the owner: exit 0, no audit row (nothing changes at all)
dump "$T/before"
audit_before=$(count audit)
run "the owner claims again" --json --as ana job claim "$J1"
jqt "still ana's, still claimed" '.owner == "ana" and .phase == "claimed"'
is "a repeated claim adds no audit row" "$audit_before" "$(count audit)"
dump "$T/after"
if cmp -s "$T/before" "$T/after"; then ok; else bad "a repeated claim changed the database: $(diff "$T/before" "$T/after" | oneline)"; fi

# --- governance -------------------------------------------------------------------
refuse "job from an unapproved task" 5 "task $T_REVIEW is review; a job is created only from an approved task" \
    --as admin job create --task "$T_REVIEW"
refuse "job from an approved, unassigned task" 5 "task $T_APPROVED is approved but not assigned" \
    --as admin job create --task "$T_APPROVED"
refuse "a second job for one task" 6 "task $T1 already has job $J1; one job per task" --as admin job create --task "$T1"
refuse "operator approves a task" 4 "ana is an operator; only an admin" --as ana task approve "$T_REVIEW"
refuse "operator creates a job" 4 "ana is an operator" --as ana job create --task "$T_APPROVED"
refuse "client assigns a task" 4 "cli is a client" --as cli task assign "$T_APPROVED" --to ana
refuse "assign to a vendor" 4 "vic is a vendor; tasks are assigned to operators" --as admin task assign "$T_APPROVED" --to vic
refuse "assign to a suspended operator" 4 "cara is suspended and cannot receive work" --as admin task assign "$T_APPROVED" --to cara
refuse "assign a task in review" 5 "task $T_REVIEW is review; only an approved task" --as admin task assign "$T_REVIEW" --to ana
refuse "approve an approved task" 5 "task $T_APPROVED is approved; only a task in review" --as admin task approve "$T_APPROVED"
run "actor add boss" actor add boss --role admin
run "limit boss" actor set boss --access limited
refuse "limited admin approves" 4 "boss has limited access" --as boss task approve "$T_REVIEW"
run "suspend boss" actor set boss --access suspended
refuse "suspended admin creates a job" 4 "boss is suspended" --as boss job create --task "$T_APPROVED"
refuse "reject without a reason" 2 "--reason" --as admin task reject "$T_REVIEW"
refuse "reject with a blank reason: none" 2 "rejecting a task needs a reason" --as admin task reject "$T_REVIEW" --reason "  "

# --- unknown things -------------------------------------------------------------------
refuse "unknown job (show)" 3 "no job 999" job show 999
refuse "unknown job (claim)" 3 "no job 999" --as ana job claim 999
refuse "unknown job (advance)" 3 "no job 999" --as ana job advance 999 arrive
refuse "unknown job (settle)" 3 "no job 999" --as admin settle 999 --amount 1 --method cash
refuse "unknown job (record)" 3 "999" record show --job 999
refuse "unknown task (show)" 3 "no task 999" task show 999
refuse "unknown task (approve)" 3 "no task 999" --as admin task approve 999
refuse "unknown task (job create)" 3 "no task 999" --as admin job create --task 999
refuse "unknown actor (--as)" 3 "no actor 'ghost'" --as ghost job claim "$J3"
refuse "unknown actor (assign --to)" 3 "no actor 'ghost'" --as admin task assign "$T_APPROVED" --to ghost
refuse "unknown actor (actor set)" 3 "ghost" actor set ghost --access limited
refuse "unknown surface (submit)" 3 "no surface 'nope'" request submit nope --intake "$W"
refuse "unknown surface (show)" 3 "no surface 'nope'" surface show nope
refuse "no record before completion" 3 "job $J1 has no record yet" record show --job "$J1"

# --- actors ------------------------------------------------------------------------------
refuse "duplicate actor" 6 "actor 'ana' already exists" actor add ana --role operator
refuse "duplicate actor, other role" 6 "actor 'vic' already exists" actor add vic --role client
refuse "unknown role" 7 "unknown role 'staff'" actor add eve --role staff
refuse "invalid actor slug" 7 "is not valid" actor add "Bad Slug" --role operator
refuse "unknown access state" 7 "unknown access state 'asleep'" actor set bo --access asleep

# --- settlement input ---------------------------------------------------------------------
refuse "negative amount" 7 "must not be negative" --as ana settle "$J1" --amount -5 --method cash
refuse "non-numeric amount" 7 '"abc" is not an amount' --as ana settle "$J1" --amount abc --method cash
refuse "over-precise amount" 7 "10.001 has more decimals than USD allows" --as ana settle "$J1" --amount 10.001 --method cash
refuse "exponent amount" 7 "is not an amount" --as ana settle "$J1" --amount 1e3 --method cash
refuse "empty amount" 7 "amount" --as ana settle "$J1" --amount "" --method cash
refuse "unknown method" 7 "unknown payment method 'bitcoin'" --as ana settle "$J1" --amount 10 --method bitcoin
refuse "unknown currency" 7 "unknown currency" --as ana settle "$J1" --amount 10 --method cash --currency XYZ
refuse "negative due" 7 "negative" --as admin settle "$J1" --due -1
refuse "settle with nothing" 2 "settle needs an amount, a due or the status waived" --as admin settle "$J1"
refuse "settle --status paid" 2 "--status takes only 'waived'" --as admin settle "$J1" --status paid --amount 1 --method cash
refuse "zero amount" 7 "a payment must be more than 0" --as ana settle "$J1" --amount 0.00 --method cash
refuse "zero due" 7 "a due of 0 is no charge" --as admin settle "$J1" --due 0
# a job's ledger totals at most 10^15 minor units, the most one payment carries
run "a payment of the whole limit" --as admin settle "$J3" --amount 10000000000000.00 --method wire
refuse "a payment past the ledger limit" 7 "payments would total more than 10000000000000.00 USD" \
    --as admin settle "$J3" --amount 0.01 --method cash

# --- intake ---------------------------------------------------------------------------------
jq '.contact |= del(.name)' "$W" >"$T/missing.json"
refuse "intake: missing required field" 7 "contact.name: required field missing" request submit $EC --intake "$T/missing.json"
jq '.contact.method = "pigeon"' "$W" >"$T/enum.json"
refuse "intake: wrong enum value" 7 'contact.method: "pigeon" is not one of: email, text, call' request submit $EC --intake "$T/enum.json"
jq '.contact.email = "ana.morales.example.com"' "$W" >"$T/email.json"
refuse "intake: bad email" 7 "contact.email" request submit $EC --intake "$T/email.json"
jq '.contact.shoe_size = "42"' "$W" >"$T/unknown.json"
refuse "intake: unknown field" 7 "unknown field contact.shoe_size" request submit $EC --intake "$T/unknown.json"
jq '.garden = {"roses": "red"}' "$W" >"$T/section.json"
refuse "intake: unknown section" 7 "garden" request submit $EC --intake "$T/section.json"
printf '{"contact": {"name": "Ana",\n' >"$T/malformed.json"
refuse "intake: malformed JSON" 7 "not valid JSON" request submit $EC --intake "$T/malformed.json"
printf '[1, 2, 3]\n' >"$T/array.json"
refuse "intake: not an object" 7 "intake" request submit $EC --intake "$T/array.json"
jq --arg n "$(printf '%0201d' 0)" '.contact.name = $n' "$W" >"$T/long.json"
refuse "intake: oversized field" 7 "contact.name: text is 201 bytes, at most 200 allowed" request submit $EC --intake "$T/long.json"
jq '.event.guests = "many"' "$W" >"$T/int.json"
refuse "intake: text for an integer" 7 "event.guests" request submit $EC --intake "$T/int.json"
jq '.event.guests = 1.5' "$W" >"$T/real.json"
refuse "intake: a real number for an integer" 7 "event.guests: expected an integer" request submit $EC --intake "$T/real.json"
jq '.event.date = "2026-02-30"' "$W" >"$T/date.json"
refuse "intake: not a calendar date" 7 '"2026-02-30" is not a calendar date' request submit $EC --intake "$T/date.json"
jq '.contact = "Ana"' "$W" >"$T/notobj.json"
refuse "intake: a section that is not an object" 7 "contact: section must be a JSON object" request submit $EC --intake "$T/notobj.json"
jq '.contact.name = "   "' "$W" >"$T/blank.json"
refuse "intake: a blank required field" 7 "contact.name: required field is empty" request submit $EC --intake "$T/blank.json"
printf '{"contact": {"name": "A", "name": "B"}}\n' >"$T/dup.json"
refuse "intake: duplicate keys" 7 "duplicate object key" request submit $EC --intake "$T/dup.json"
printf '{"contact": {"name": "\xff"}}\n' >"$T/utf8.json"
refuse "intake: invalid UTF-8" 7 "not valid JSON" request submit $EC --intake "$T/utf8.json"
head -c 1100000 /dev/zero | tr '\0' ' ' >"$T/huge.json"
refuse "intake: file over 1 MiB" 7 "larger than" request submit $EC --intake "$T/huge.json"
refuse "intake: too few photos (auto-detailing)" 7 "at least 1 photo required, got 0" request submit $AD --intake "$A"
refuse "intake: planned surface" 5 "surface landscaping is planned and takes no new requests" \
    request submit landscaping --intake "$EX/landscaping.json"
refuse "intake: missing file" 2 "cannot read" request submit $EC --intake "$T/no-such.json"
refuse "intake: --photos N is gone" 2 "unknown option --photos" request submit $EC --intake "$W" --photos 1
refuse "intake: submitted by a suspended actor" 4 "cara is suspended" --as cara request submit $EC --intake "$W"

# --- SQL-looking strings are data ---------------------------------------------------------
SQLNAME="Robert'); DROP TABLE jobs;--"
SQLNOTE="1; DELETE FROM audit WHERE 1=1; --"
jq --arg n "$SQLNAME" --arg c "$SQLNOTE" '.contact.name = $n | .notes.condition = $c | .event.venue = "\" OR \"1\"=\"1"' "$W" >"$T/sql.json"
run "intake with SQL-looking strings is accepted" --json request submit $EC --intake "$T/sql.json"
T_SQL=$(jv .task)
run "task show of the SQL-looking intake" --json task show "$T_SQL"
jqt --arg n "$SQLNAME" --arg c "$SQLNOTE" \
    "the name is stored literally" '.request.intake.contact.name == $n' \
    "the condition is stored literally" '.request.intake.notes.condition == $c' \
    "the venue is stored literally" '.request.intake.event.venue == "\" OR \"1\"=\"1"'
is "the jobs table is still there" "$J_AD" "$(sql 'SELECT max(id) FROM jobs')"
run "participant with a SQL-looking name" --json --as ana participant add "$J1" --name "$SQLNAME" --role "vendor'--" --contact "x' OR '1'='1"
jqt --arg n "$SQLNAME" "the participant is stored literally" 'any(.participants[]; .name == $n and .role == "vendor'"'"'--" and .contact == "x'"'"' OR '"'"'1'"'"'='"'"'1")'
run "evidence note with a SQL-looking note" --as ana evidence add "$J1" note "$P" --note "'; DROP TABLE evidence; --"
is "the evidence is stored literally" "'; DROP TABLE evidence; --" "$(sql "SELECT note FROM evidence WHERE job_id = $J1 AND category = 'note'")"
refuse "SQL-looking actor slug" 7 "is not valid" actor add "x'; DROP TABLE actors;--" --role operator
refuse "SQL-looking job id" 2 "is not a job id" job show "1 OR 1=1"
run "verify after the SQL-looking input" verify

# --- idempotent submit --------------------------------------------------------------------
run "submit with --key" --json request submit $EC --intake "$W" --key wedding-42
R_KEY=$(jv .request) T_KEY=$(jv .task)
dump "$T/before"
run "re-submit with the same --key" --json request submit $EC --intake "$W" --key wedding-42
jqt --argjson r "$R_KEY" --argjson t "$T_KEY" "the re-submit returns the same ids" '.request == $r and .task == $t'
dump "$T/after"
if cmp -s "$T/before" "$T/after"; then ok; else bad "the re-submit changed the database: $(diff "$T/before" "$T/after" | oneline)"; fi
refuse "the same --key with another packet" 6 "idempotency key 'wedding-42' was already used for request $R_KEY with a different packet" \
    request submit $EC --intake "$T/sql.json" --key wedding-42
refuse "the same --key on another surface" 6 "idempotency key 'wedding-42'" \
    request submit $AD --intake "$A" --photo "$P" --key wedding-42
refuse "an empty --key" 7 "idempotency key must be 1 to 200 bytes" request submit $EC --intake "$W" --key ""

# --- usage errors ----------------------------------------------------------------------------
refuse "unknown command" 2 "unknown command 'frobnicate'" frobnicate
refuse "unknown two-word command" 2 "unknown command 'job explode'" job explode 1
refuse "unknown global option" 2 "unknown option --bogus" --bogus desk
refuse "unknown command option" 2 "unknown option --bogus" desk --bogus
refuse "missing job id" 2 "missing job id" --as ana job claim
refuse "missing event" 2 "usage: qtm job advance ID EVENT" --as ana job advance "$J1"
refuse "missing option value" 2 "--to needs a value" --as admin task assign "$T_APPROVED" --to
refuse "missing --to" 2 "usage: qtm task assign" --as admin task assign "$T_APPROVED"
refuse "missing --intake" 2 "usage: qtm request submit" request submit $EC
refuse "missing actor slug" 2 "usage: qtm actor add" actor add --role operator
refuse "non-numeric job id" 2 "'abc' is not a job id" job show abc
refuse "negative job id" 2 "'-3' is not a job id" job show -3
refuse "zero task id" 2 "'0' is not a task id" task show 0
refuse "non-numeric --task" 2 "is not a task id" --as admin job create --task seven
"$QTM" desk --db >"$T/out" 2>"$T/err"
is "--db without a value: exit 2" 2 "$?"
"$QTM" --db >"$T/out" 2>"$T/err"
is "global --db without a value: exit 2" 2 "$?"
has "global --db without a value: message" "$T/err" "--db needs a value"
q
is "no command: exit 2" 2 "$rc"
has "no command: usage on stderr" "$T/err" "usage: qtm"

# --json errors: one object on stdout with the category
q --json --as bo job advance "$J1" arrive
jqt "--json error: forbidden" '.error.category == "forbidden" and (.error.message | contains("bo cannot advance it"))'
q --json job show 999
jqt "--json error: not found" '.error.category == "not found" and .error.message == "no job 999"'
q --json --as ana settle "$J1" --amount 10.001 --method cash
jqt "--json error: invalid input" '.error.category == "invalid input"'
q --json frobnicate
jqt "--json error: usage" '.error.category == "usage"'

run "verify after every refusal" verify
has "verify says ok" "$T/out" "verify: ok"

# --- storage --------------------------------------------------------------------------------
# SQLite's files (not a database, missing) only; a newer schema on both (on
# PostgreSQL its version is chain_head.schema)
if ! on_pg; then
fresh storage
printf 'this is not a database, just text\n%.0s' $(seq 200) >"$DB"
cp "$DB" "$T/storage/copy"
q job show 1
is "not a database: exit 10" 10 "$rc"
has "not a database: message" "$T/err" "qtm: error: cannot open $DB: file is not a database"
if cmp -s "$DB" "$T/storage/copy"; then ok; else bad "not a database: the file was changed"; fi
q --as admin actor add x --role admin
is "not a database, a write: exit 10" 10 "$rc"
q init
is "init over a file that is not a database: exit 10" 10 "$rc"
if cmp -s "$DB" "$T/storage/copy"; then ok; else bad "init changed a file that is not a database"; fi
fi

fresh newer
run "init (for the newer schema)" init
run "actor (for the newer schema)" actor add ana --role operator
if on_pg; then sql "UPDATE chain_head SET schema = 99" >/dev/null
else sqlite3 "$DB" 'PRAGMA user_version = 99'; fi
refuse "a newer schema (read)" 10 "schema version 99" actor list
refuse "a newer schema (write)" 10 "this qtm knows up to 5" actor add bo --role operator
refuse "a newer schema (init)" 10 "schema version 99" init
refuse "a newer schema (verify)" 10 "schema version 99" verify

# a value longer than qtm's field for it (written by something else) is an
# error, never a value cut short on its way to a decision or a view
fresh toolong
run "init (for an over-long value)" init
run "actor (for an over-long value)" actor add ana --role operator
long="replace(hex(zeroblob(150)), '0', 'n')"
on_pg && long="repeat('n', 300)"
sql "UPDATE actors SET name = $long WHERE slug = 'ana'"
refuse "an over-long stored name (read)" 10 "a stored value is longer than qtm allows" --as ana desk
refuse "an over-long stored name (write)" 10 "a stored value is longer than qtm allows" \
    token issue ana

if ! on_pg; then
fresh missing
q job show 1
is "missing database: exit 10" 10 "$rc"
has "missing database: message" "$T/err" "no database at $DB (run \`qtm init\` first)"
if [ ! -e "$DB" ]; then ok; else bad "missing database: reading created $DB"; fi
q --as ana job claim 1
is "missing database, a write: exit 10" 10 "$rc"
if [ ! -e "$DB" ] && [ ! -e "$DB-wal" ]; then ok; else bad "missing database: a write created $DB"; fi
"$QTM" --db "$T/missing/no-such-dir/qtm.db" init >"$T/out" 2>"$T/err"
rc=$?
is "init in a missing directory: exit 10" 10 "$rc"
fi

# --- verify finds tampering (exit 1) -----------------------------------------------------
fresh tamper
run "tamper: init" init
setup_actors
new_job $EC "$W" ana
JT=$JOB
run "tamper: claim" --as ana job claim "$JT"
for e in arrive start complete; do run "tamper: $e" --as ana job advance "$JT" $e; done
new_job $EC "$W" bo
JQ=$JOB
run "tamper: verify before" verify
if ! sql "UPDATE audit SET actor = 'mallory' WHERE id = 3" >"$T/out"; then ok; else
    bad "tamper: the audit log took an UPDATE"
fi
if ! sql "DELETE FROM records" >"$T/out"; then ok; else
    bad "tamper: records took a DELETE"
fi
is "tamper: the record is still there" 1 "$(count records)"
GOOD=$DB
# tampered CASE SQL TEXT: a copy of the good database changed by SQL; verify
# must exit 1 and name the problem
tampered() {
    fresh_copy "tamper-$1" "$GOOD"
    sql "$2" >/dev/null
    q verify
    is "tamper ($1): verify exits 1" 1 "$rc"
    has "tamper ($1): verify names the problem" "$T/out" "$3"
    has "tamper ($1): verify says how many" "$T/err" "qtm: error: verify found"
}
tampered altered "$(untrigger audit audit_no_update); UPDATE audit SET actor = 'mallory' WHERE id = 3" \
    "problem: audit row 3 was altered"
tampered removed "$(untrigger audit audit_no_delete); DELETE FROM audit WHERE id = 4" \
    "problem: audit row 5 does not follow"
tampered record "$(untrigger records records_no_update); UPDATE records SET body = replace(body, 'ana', 'bo')" \
    "does not match its hash"
tampered job-state "UPDATE jobs SET state = 'complete' WHERE id = $JQ" \
    "job $JQ is complete but its ServiceEvent is not"
tampered phase "UPDATE service_events SET phase = 'arrived' WHERE job_id = $JT" \
    "ServiceEvent is in phase arrived but its last audit row says"
# schema v4: the columns verify could not see before, and the log's tail
tampered owner "UPDATE jobs SET owner_id = (SELECT id FROM actors WHERE slug = 'bo') WHERE id = $JT" \
    "problem: job $JT is not what its last audit row"
tampered intake "$(untrigger requests requests_no_update); UPDATE requests SET intake = replace(intake, 'a', 'o') WHERE id = 1" \
    "problem: request 1 is not what its last audit row"
tampered tail "$(untrigger audit audit_no_delete); DELETE FROM audit WHERE id = (SELECT MAX(id) FROM audit)" \
    "(rows deleted from its tail)"
q --json verify
jqt "tamper: verify --json says not ok with findings" '.ok == false and (.findings | length) >= 1'

# a ledger summed past 64 bits (rows written by hand): the text view says
# it does not add up instead of an empty amount; --json gives paid null
DB=$REFUSALS_DB
JL=$(sql "SELECT job_id FROM payments WHERE amount = 1000000000000000")   # the limit payment's
sql "INSERT INTO payments(job_id, amount, currency, method, note, actor_id, at)
     VALUES ($JL, 9000000000000000000, 'USD', 'cash', NULL, 1, '2026-01-01T00:00:00Z'),
            ($JL, 9000000000000000000, 'USD', 'cash', NULL, 1, '2026-01-01T00:00:00Z')" >/dev/null
run "job show on an overflowing ledger" job show "$JL"
has "the text view says the ledger does not add up" "$T/out" \
    "paid: (the ledger does not add up: run qtm verify), 3 payments"
run "job show --json on it" --json job show "$JL"
jqt "json: paid is null" '.settlement.paid == null and .settlement.paid_minor == null'

finish

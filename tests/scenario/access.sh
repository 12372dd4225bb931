#!/usr/bin/env bash
# tests/scenario/access.sh - who reads what: the IDOR matrix (F1, F16).
#
# Sets up, through the CLI on a fresh database, an admin, an owner (ana:
# job 1, complete, with a participant, a payment and a record), an
# assignee (bo: job 2 assigned, not claimed; job 3 a queued pool job), an
# other operator (cara), a limited one (lim), a vendor, a client and
# anonymous, with tokens; every intake carries distinctive contact strings.
# Then `qtm serve` on port 0, and every {id} route x every role x jobs
# 1, 2, 3 and 99 (none): the status, no contact string in any answer the
# role may not read, the pool job (3) read by cara and ana as a preview
# (no contact, no ledger; the address kept), and for every role that may
# not see a job one answer, identical for an existing job and for job 99
# (but for the id), with the database unchanged.  The same matrix through
# `qtm --as ROLE` (job show, record show, the settlement in job show), and
# what `qtm --as ROLE job show` says each may do now (qtm_job_actions).
# Issue 11: a role that may not see a job is forbidden (403 / exit 4),
# for job 99 alike; the governance routes (reassign, handover, release,
# cancel, notes) are in the matrix; a suspended operator reads nothing
# through the CLI either.
. "$(dirname "$0")/lib.sh"
command -v curl >/dev/null 2>&1 || { bad "curl is not installed (tools/deps.sh installs it)"; finish; }
SRV_PID=
trap '[ -n "$SRV_PID" ] && kill "$SRV_PID" 2>/dev/null; lib_cleanup' EXIT

# --- the contact strings (none may reach a reader who may not see the job) -------
NAME="Zelda Quintero"
EMAIL="zelda.q@pii.example"
PHONE="+1 555 0100 777"
ADDR="12 Preview Lane"
ACCESS="gate code 4242"
PCONTACT="pc.contact@pii.example"
LEDGER="ledger-note-pii"
CONTACTS=("$NAME" "$EMAIL" "$PHONE" "$PCONTACT" "$LEDGER")   # cut from a preview
ALL=("${CONTACTS[@]}" "$ADDR" "$ACCESS")                       # all of it: no one else

# leaks NAME FILE STRINGS... : FILE holds none of the strings
leaks() {
    local name=$1 file=$2 s
    shift 2
    for s in "$@"; do
        if grep -qF -- "$s" "$file"; then bad "$name: leaks '$s': $(oneline <"$file")"; return; fi
    done
    ok
}

# --- the server (as in api.sh) -------------------------------------------------------
serve_start() {
    "$QTM" --db "$DB" serve --listen 127.0.0.1:0 >"$T/srv.out" 2>"$T/srv.err" &
    SRV_PID=$!
    local i
    U=
    for i in $(seq 1 100); do
        U=$(sed -n 's|^qtm serve: listening on \(http://127.0.0.1:[0-9]*\)/.*|\1|p' "$T/srv.out")
        [ -n "$U" ] && break
        sleep 0.05
    done
    if [ -n "$U" ]; then ok; else bad "the server did not start: $(oneline <"$T/srv.err")"; fi
}
serve_stop() {
    kill -TERM "$SRV_PID" 2>/dev/null
    wait "$SRV_PID"
    SRV_PID=
}
# call ROLE METHOD PATH [BODY] : $code, body in $T/out (ROLE anon: no token)
call() {
    local role=$1 method=$2 path=$3 body=${4-}
    local -a args=()
    [ "$role" = anon ] || args+=(-H "Authorization: Bearer ${TOK[$role]}")
    [ -n "$body" ] && args+=(-H 'Content-Type: application/json' --data-binary "$body")
    code=$(curl -s -o "$T/out" -w '%{http_code}' -X "$method" "${args[@]}" "$U$path")
}

# --- setup through the CLI --------------------------------------------------------------
fresh access
run "init" init
run "actor add admin" actor add admin --role admin
for a in ana bo cara lim; do run "actor add $a" actor add $a --role operator; done
run "actor add vic" actor add vic --role vendor
run "actor add cli" actor add cli --role client
jq --arg n "$NAME" --arg e "$EMAIL" --arg p "$PHONE" --arg v "$ADDR" --arg a "$ACCESS" \
    '.contact.name = $n | .contact.email = $e | .contact.phone = $p | .event.venue = $v |
     .notes.access = $a' "$EX/event-coordination-wedding.json" >"$T/ec.json"
jq -n --arg n "$NAME" --arg e "$EMAIL" --arg p "$PHONE" --arg v "$ADDR" --arg a "$ACCESS" \
    '{contact: {name: $n, email: $e}, site: {address: $v, gate: $p, access: $a},
      request: {package: "small"}}' >"$T/pool.json"

new_job event-coordination "$T/ec.json" ana           # job 1: ana owns it, complete
run "claim 1" --as ana job claim 1
run "participant on 1" --as ana participant add 1 --name "Bloom" --role vendor --contact "$PCONTACT"
for e in arrive start complete; do run "advance 1 $e" --as ana job advance 1 $e; done
run "complete 1" --as ana job complete 1
run "pay 1" --as admin settle 1 --amount 100.00 --method cash --note "$LEDGER"
new_job event-coordination "$T/ec.json" bo            # job 2: assigned to bo, queued
new_job pool-intake "$T/pool.json" bo                 # job 3: a queued pool job
run "pay 3" --as admin settle 3 --amount 5.00 --method cash --note "$LEDGER"
run "limit lim" actor set lim --access limited
is "three jobs" 3 "$(count jobs)"

declare -A TOK
for a in admin ana bo cara lim vic cli; do
    q token issue $a
    TOK[$a]=$(cat "$T/out")
done

# who sees what, by role and job: full, preview or none
declare -A SEE=(
    [admin,1]=full [admin,2]=full [admin,3]=full
    [ana,1]=full [ana,2]=none [ana,3]=preview
    [bo,1]=none [bo,2]=full [bo,3]=full
    [cara,1]=none [cara,2]=none [cara,3]=preview
    [lim,1]=none [lim,2]=none [lim,3]=none
    [vic,1]=none [vic,2]=none [vic,3]=none
    [cli,1]=none [cli,2]=none [cli,3]=none
)
ROLES="admin ana bo cara lim vic cli"
# every route of a job: METHOD PATH-AFTER-/api/jobs/ID BODY
ROUTES=(
    "GET|| "
    "GET|/record| "
    "GET|/payments| "
    "POST|/claim|{}"
    "POST|/advance|{\"event\":\"finish\"}"
    "POST|/complete|{}"
    "POST|/evidence|{\"category\":\"x\",\"blob\":\"sha256:0000000000000000000000000000000000000000000000000000000000000000\"}"
    "POST|/participants|{\"name\":\"n\",\"role\":\"r\"}"
    "POST|/settlement|{\"amount\":\"1.00\",\"method\":\"cash\"}"
    "POST|/reassign|{\"to\":\"cara\"}"
    "POST|/handover|{\"to\":\"cara\",\"reason\":\"r\"}"
    "POST|/release|{}"
    "POST|/cancel|{\"reason\":\"r\"}"
    "POST|/notes|{\"text\":\"t\"}"
)

serve_start

echo "# every job route x every role that may not see the job: one answer, as for job 99"
for role in $ROLES anon; do
    dump "$T/before"
    for r in "${ROUTES[@]}"; do
        IFS='|' read -r method sub body <<<"$r"
        body=${body# }
        call $role $method "/api/jobs/99$sub" "$body"
        c99=$code
        sed 's/\b99\b/ID/g' "$T/out" >"$T/none99"
        leaks "$role $method 99$sub" "$T/out" "${ALL[@]}"
        if [ $role = anon ]; then
            is "anon $method 99$sub: sign in first" 401 "$c99"
        elif [ $role = admin ]; then
            is "admin $method 99$sub: 404" 404 "$c99"
            has "admin $method 99$sub: the precise message" "$T/out" '"no job 99"'
        else
            # forbidden (issue 11), for a job that exists as for one that does not
            is "$role $method 99$sub: 403" 403 "$c99"
            has "$role $method 99$sub: the one message" "$T/out" "\"no job 99 visible to $role\""
        fi
        for id in 1 2 3; do
            [ $role != anon ] && [ "${SEE[$role,$id]}" != none ] && continue
            call $role $method "/api/jobs/$id$sub" "$body"
            sed "s/\b$id\b/ID/g" "$T/out" >"$T/seen"
            is "$role $method $id$sub: status as for job 99" "$c99" "$code"
            if cmp -s "$T/none99" "$T/seen"; then ok; else
                bad "$role $method $id$sub: answer differs from job 99's: $(oneline <"$T/out") vs $(oneline <"$T/none99")"
            fi
            leaks "$role $method $id$sub" "$T/out" "${ALL[@]}"
        done
    done
    dump "$T/after"
    if cmp -s "$T/before" "$T/after"; then ok; else
        bad "$role: a refused call changed the database: $(diff "$T/before" "$T/after" | oneline)"
    fi
done

echo "# those who may see a job read it (and only a preview of the pool job)"
for role in admin ana bo; do
    for id in 1 2 3; do
        [ "${SEE[$role,$id]}" = full ] || continue
        call $role GET /api/jobs/$id
        is "$role reads job $id" 200 "$code"
        jqt "$role reads job $id in full, intake and all" '.access == "full" and (.intake.contact.name | type) == "string"'
    done
done
call admin GET /api/jobs/1
has "the owner's job carries the participant's contact" "$T/out" "$PCONTACT"
has "... and the ledger" "$T/out" "$LEDGER"
call ana GET /api/jobs/1/payments
is "the owner reads the ledger" 200 "$code"
jqt "... its payments" '(.payments | length) >= 1'
call cara GET /api/jobs/3/payments
is "the pool preview never shows the ledger" 403 "$code"
call ana GET /api/jobs/1/record
is "the owner reads the record" 200 "$code"
has "the record carries the client's email" "$T/out" "$EMAIL"
for role in ana cara; do
    call $role GET /api/jobs/3
    is "$role reads the pool job" 200 "$code"
    jqt "$role: a preview" '.access == "preview"' \
        "$role: no contact section" '.intake.contact == null' \
        "$role: no phone field" '.intake.site.gate == null' \
        "$role: no ledger" '.settlement.payments == null and .settlement.status == "paid"' \
        "$role: may claim it" '.can_claim == true'
    leaks "$role: pool preview" "$T/out" "${CONTACTS[@]}"
    has "$role: the preview keeps the address" "$T/out" "$ADDR"
    call $role GET /api/jobs/3/record
    is "$role: no record of the pool job yet" 404 "$code"
    has "$role: ... the precise message" "$T/out" "job 3 has no record yet"
done
call bo GET /api/jobs/3
jqt "the pool job's assignee reads it in full" '.access == "full" and .intake.contact.email == "'"$EMAIL"'"'
dump "$T/before"
call bo POST /api/jobs/1/advance '{"event":"arrive"}'
dump "$T/after"
is "another operator's write on job 1: 403" 403 "$code"
if cmp -s "$T/before" "$T/after"; then ok; else bad "a refused write changed the database"; fi
call ana POST /api/jobs/1/advance '{"event":"arrive"}'
is "the owner keeps the precise refusal" 422 "$code"
has "... saying why" "$T/out" "job 1 is complete; nothing more can happen to it"

echo "# the desk and the lists"
call cara GET /api/desk
jqt "cara's desk: only the pool job she may claim" '[.queued[].id] == [3] and .active == [] and .completed == []'
call lim GET /api/desk
jqt "a limited operator's desk: nothing to claim" '.queued == [] and .active == [] and .completed == []'
call bo GET /api/desk
jqt "bo's desk: his assignment and the pool job" '[.queued[].id] == [2, 3] and .completed == []'
call ana GET /api/desk
jqt "ana's desk: her job and the pool job" '[.queued[].id] == [3] and [.completed[].id] == [1]'
for role in vic cli; do
    call $role GET /api/desk
    is "$role has no desk" 403 "$code"
done
for role in ana bo cara lim vic cli; do
    for p in "/api/log?job=1" "/api/tasks/1" "/api/tasks"; do
        call $role GET "$p"
        is "$role GET $p: admins only" 403 "$code"
        leaks "$role GET $p" "$T/out" "${ALL[@]}"
    done
    for id in 1 99; do
        for v in approve reject assign close job; do
            call $role POST /api/tasks/$id/$v '{}'
            sed "s/\b$id\b/ID/g" "$T/out" >"$T/t$id"
        done
        call $role GET /api/tasks/$id
        sed "s/\b$id\b/ID/g" "$T/out" >>"$T/t$id"
    done
    if cmp -s "$T/t1" "$T/t99"; then ok; else
        bad "$role: task routes answer task 1 and task 99 differently: $(oneline <"$T/t1")"
    fi
done
call admin GET /api/tasks/1
is "an admin reads a task" 200 "$code"
call admin GET /api/tasks/99
is "an admin: no task 99" 404 "$code"
has "... the precise message" "$T/out" "no task 99"
for id in 1 99; do
    call anon GET /api/tasks/$id
    is "anonymous GET tasks/$id: sign in first" 401 "$code"
done
serve_stop

echo "# the CLI with --as: the same rule; without --as the file holder reads everything"
for role in $ROLES; do
    for id in 1 2 3; do
        for cmd in "job show $id" "record show --job $id"; do
            # shellcheck disable=SC2086
            q --json --as $role $cmd
            if [ "${SEE[$role,$id]}" != none ]; then
                case $cmd in record*) [ "$id" != 1 ] && continue ;; esac
                is "qtm --as $role $cmd" 0 "$rc"
                [ "${SEE[$role,$id]}" = preview ] && leaks "qtm --as $role $cmd: preview" "$T/out" "${CONTACTS[@]}"
                continue
            fi
            cp "$T/err" "$T/cli.seen"
            seen_rc=$rc
            leaks "qtm --as $role $cmd" "$T/out" "${ALL[@]}"
            leaks "qtm --as $role $cmd (stderr)" "$T/err" "${ALL[@]}"
            # shellcheck disable=SC2086
            q --json --as $role ${cmd/$id/99}
            is "qtm --as $role $cmd: exit 4, as for job 99" "4 4" "$seen_rc $rc"
            if cmp -s <(sed "s/\b$id\b/ID/g" "$T/cli.seen") <(sed 's/\b99\b/ID/g' "$T/err"); then ok; else
                bad "qtm --as $role $cmd: message differs from job 99's: $(oneline <"$T/cli.seen")"
            fi
        done
    done
done
q --as cara job show 2
has "the CLI's one message" "$T/err" "no job 2 visible to cara"
q --json --as cara job show 3
jqt "qtm --as cara: the pool job as a preview, no ledger" \
    '.access == "preview" and .intake.contact == null and .settlement.payments == null'
q --as cara job show 3
leaks "qtm --as cara job show 3 (text)" "$T/out" "${CONTACTS[@]}"
has "qtm --as cara job show 3: what she may do now" "$T/out" "cara may: claim"
q --as ana job show 1
has "qtm --as ana job show 1: nothing on a complete job" "$T/out" "ana may: nothing now"
q --json --as bo job show 2
jqt "qtm --json --as bo job show 2: the actions as the API gives them" \
    '.can_claim == true and .can_complete == false and [.actions[] | select(.claim) | .event] == ["claim"]'
q --json --as ana job show 1
jqt "qtm --as ana: her job in full, with the ledger" '.settlement.payments[0].note == "'"$LEDGER"'"'
run "the file holder reads any job" --json job show 2
jqt "... in full" '.intake.contact.email == "'"$EMAIL"'"'
run "the file holder reads any record" --json record show --job 1
q --json --as admin settle 3 --amount 1.00 --method cash
jqt "the settlement view after a payment: the admin's, in full" '(.settlement.payments | length) == 2'
for role in ana bo cara lim vic cli; do
    for cmd in "log --job 1" "record list" "task show 1" "task list" "verify"; do
        # shellcheck disable=SC2086
        q --as $role $cmd
        is "qtm --as $role $cmd: admins only" 4 "$rc"
        leaks "qtm --as $role $cmd" "$T/out" "${ALL[@]}"
    done
done
q --json --as vic desk
is "qtm --as vic desk: none" 4 "$rc"
q --json --as cara desk
jqt "qtm --as cara desk: her own" '[.queued[].id] == [3]'

echo "# a suspended operator reads nothing, through the CLI either (issue 11)"
run "suspend bo" actor set bo --access suspended
for cmd in "job show 2" "job show 99" "record show --job 1" "settlement payments 2" "desk"; do
    dump "$T/before"
    # shellcheck disable=SC2086
    q --as bo $cmd
    dump "$T/after"
    is "qtm --as bo (suspended) $cmd: exit 4" 4 "$rc"
    has "qtm --as bo (suspended) $cmd: says so" "$T/err" "bo is suspended"
    leaks "qtm --as bo (suspended) $cmd" "$T/out" "${ALL[@]}"
    if cmp -s "$T/before" "$T/after"; then ok; else bad "suspended read $cmd changed the database"; fi
done
run "bo active again" actor set bo --access active
run "verify" verify
finish

#!/usr/bin/env bash
# tests/scenario/seed.sh - the seed's example, end to end through the real
# `qtm` binary, for event-coordination and for auto-detailing: init, actors,
# request, approve, assign, the explicit job handoff, claim, every phase,
# evidence, a vendor as participant, job complete, settle, desk, record,
# log, verify.  Exit statuses and the key fields of the --json output are
# checked, and that qtm, qtmc and the man page name one version; the last
# line is "N passed, N failed".
. "$(dirname "$0")/lib.sh"
export QTM_FAKE_NOW=2026-01-01T00:00:00Z

# --- the surfaces' models ------------------------------------------------------
for s in event-coordination auto-detailing; do
    run "surface show $s" --json surface show "$s"
    jqt --arg s "$s" \
        "$s: slug" '.slug == $s' \
        "$s: phases have name,label,hint,initial,final" \
        '(.phases | length) > 1 and all(.phases[]; has("name") and has("label") and has("hint") and has("initial") and has("final"))' \
        "$s: one initial phase, queued" '[.phases[] | select(.initial) | .name] == ["queued"]' \
        "$s: final phase complete" '[.phases[] | select(.final) | .name] == ["complete"]' \
        "$s: transitions have from,to,event,by,requires" \
        '(.transitions | length) > 1 and all(.transitions[]; has("from") and has("to") and has("event") and has("by") and (.requires | type) == "array")' \
        "$s: claim is queued -> claimed by operator" \
        'any(.transitions[]; .from == "queued" and .to == "claimed" and .event == "claim" and .by == "operator")' \
        "$s: after the claim only the owner moves it" \
        'all(.transitions[] | select(.event != "claim"); .by == "owner")' \
        "$s: completing requires evidence" \
        'any(.transitions[]; .to == "complete" and .event == "complete" and .requires == ["evidence"])' \
        "$s: claim required, ownership assigned" '.execution.claim == "required" and .execution.ownership == "assigned"'
done
q --json surface show event-coordination
jqt "event-coordination: phases in order" '[.phases[].name] == ["queued","claimed","arrived","in_progress","complete"]' \
    "event-coordination: labels" '[.phases[].label] == ["Queued","Confirmed","On Site","Active","Complete"]' \
    "event-coordination: no required evidence" '.evidence.required == [] and .evidence.min_per_category == 0' \
    "event-coordination: intake photos min 0" '.intake.photos_min == 0'
q --json surface show auto-detailing
jqt "auto-detailing: phases in order" '[.phases[].name] == ["queued","claimed","arrived","in_progress","evidence","complete"]' \
    "auto-detailing: arrival, before, after at least 1 each" '.evidence.required == ["arrival","before","after"] and .evidence.min_per_category == 1' \
    "auto-detailing: intake photos min 1" '.intake.photos_min == 1'
run "surfaces" --json surfaces
jqt "surfaces lists the three seed surfaces" '[.surfaces[].slug] | contains(["auto-detailing","event-coordination","landscaping"])'

# --- walk SURFACE INTAKE PHOTOS EVENTS... : one whole seed example ------------------
# Leaves JOB, HASH (the record's hash) and the database in $T/$SURFACE.
walk() {
    local s=$1 intake=$2 photos=$3
    shift 3
    local events="$*" e n i task j body
    fresh "$s"
    run "$s: init" --json init
    jqt "$s: init reports schema 5" '.schema == 5'
    setup_actors
    run "$s: actor list" --json actor list
    jqt "$s: five actors with their roles" \
        '[.actors[] | [.slug, .role, .access]] | sort == [["admin","admin","active"],["ana","operator","active"],["bo","operator","active"],["cli","client","active"],["vic","vendor","active"]]'

    local pargs=() k
    for ((k = 1; k <= photos; k++)); do pargs+=(--photo "$(photo "$s-intake-$k.jpg")"); done
    run "$s: request submit" --json --as cli request submit "$s" --intake "$intake" "${pargs[@]}"
    jqt "$s: submit gives request and task" '(.request | type) == "number" and (.task | type) == "number"'
    task=$(jv .task)
    run "$s: task show" --json task show "$task"
    jqt --arg s "$s" "$s: the task waits for review" '.state == "review" and .request.surface == $s and .job == null'
    run "$s: task list --state review" --json task list --state review
    jqt --argjson t "$task" "$s: the task is listed in review" '[.tasks[].id] == [$t]'

    run "$s: task approve" --as admin task approve "$task"
    run "$s: task assign" --as admin task assign "$task" --to ana
    run "$s: task show after assign" --json task show "$task"
    jqt "$s: the task is assigned to ana" '.state == "assigned" and .assignee == "ana"'
    is "$s: approving and assigning create no job" 0 "$(count jobs)"

    run "$s: job create" --json --as admin job create --task "$task"
    jqt "$s: job create gives job" '(.job | type) == "number"'
    JOB=$(jv .job)
    j=$JOB
    run "$s: job show queued" --json job show "$j"
    jqt --argjson j "$j" --argjson t "$task" --arg s "$s" \
        "$s: job show has id, surface, state, phase, label, owner, task, service_event" \
        'has("id") and has("surface") and has("state") and has("phase") and has("label") and has("owner") and has("task") and has("service_event")' \
        "$s: the new job is queued, unowned, of its task" \
        '.id == $j and .surface == $s and .state == "queued" and .phase == "queued" and .owner == null and .task == $t and .assignee == "ana"' \
        "$s: the label is the surface's" '.label == (if $s == "auto-detailing" then "Awaiting technician." else "Queued" end)' \
        "$s: the next step is the claim" '[.next[].event] == ["claim"]'
    run "$s: desk" --json desk
    jqt --argjson j "$j" \
        "$s: desk has queued, active, completed" 'has("queued") and has("active") and has("completed")' \
        "$s: the job is queued on the desk" '([.queued[].id] == [$j]) and .active == [] and .completed == []'

    run "$s: ana claims" --json --as ana job claim "$j"
    jqt "$s: claimed: active, owner ana, ServiceEvent open" \
        '.state == "active" and .phase == "claimed" and .owner == "ana" and .service_event.operator == "ana" and .service_event.complete == false'
    run "$s: desk --operator ana" --json desk --operator ana
    jqt --argjson j "$j" "$s: the job is active on ana's desk" '([.active[].id] == [$j]) and .queued == []'

    run "$s: vendor recorded as participant" --json --as ana participant add "$j" --name "Vic's Flowers" --role vendor --contact "vic@example.com"
    jqt "$s: the participant is data on the job" '[.participants[] | [.name, .role]] == [["Vic'"'"'s Flowers","vendor"]]' \
        "$s: a participant changes no phase" '.phase == "claimed"'

    # shellcheck disable=SC2086
    set -- $events
    n=$#
    i=0
    for e in "$@"; do
        i=$((i + 1))
        if [ "$e" = complete ] && [ "$s" = auto-detailing ]; then
            run "$s: job show before evidence" --json job show "$j"
            jqt "$s: job show lists the missing evidence" \
                '[.evidence_missing[] | [.category, .have, .need]] == [["arrival",0,1],["before",0,1],["after",0,1]]'
            refuse "$s: complete without evidence" 5 "evidence missing: arrival (0 of 1), before (0 of 1), after (0 of 1)" \
                --as ana job advance "$j" complete
            run "$s: evidence arrival" --as ana evidence add "$j" arrival "$(photo arrival-1.jpg)" --note "driveway"
            run "$s: evidence before" --as ana evidence add "$j" before "$(photo before-1.png png)"
            refuse "$s: complete without after photos" 5 "evidence missing: after (0 of 1)" \
                --as ana job advance "$j" complete
            run "$s: evidence after" --as ana evidence add "$j" after "$(photo after-1.webp webp)"
            run "$s: evidence damage (optional)" --json --as ana evidence add "$j" damage "$(photo scratch.jpg)"
            jqt "$s: four pieces of evidence, none missing" '(.evidence | length) == 4 and .evidence_missing == []' \
                "$s: evidence items are files, by hash and type" \
                '[.evidence[] | (.ref | test("^sha256:[0-9a-f]{64}$")) and (.type | startswith("image/"))] | all' \
                "$s: each photo's type is read from its bytes" \
                '[.evidence[].type] == ["image/jpeg","image/png","image/webp","image/jpeg"]'
        fi
        if [ "$i" -eq "$n" ]; then
            refuse "$s: job complete before the ServiceEvent is complete" 5 "ServiceEvent is in phase" \
                --as ana job complete "$j"
        fi
        run "$s: advance $e" --json --as ana job advance "$j" "$e"
        if [ "$i" -lt "$n" ]; then
            jqt "$s: after $e the job is in its next phase" '.phase == .service_event.phase and .owner == "ana" and .state == "active" and .service_event.complete == false'
        fi
    done
    jqt --arg ev "$events" \
        "$s: the ServiceEvent is complete" '.phase == "complete" and .service_event.complete == true and (.service_event.completed_at | type) == "string"' \
        "$s: completing the ServiceEvent composed the record" '(.record | type) == "number"' \
        "$s: the job itself is not complete yet: ready" '.state == "ready"' \
        "$s: every phase change is stored" '[.service_event.phases[].event] == (["claim"] + ($ev | split(" ")))'
    is "$s: one record" 1 "$(count records "job_id = $j")"
    is "$s: no payment recorded by completion" 0 "$(count payments)"

    run "$s: job complete" --json --as ana job complete "$j"
    jqt "$s: the job is complete" '.state == "complete" and .phase == "complete" and (.completed_at | type) == "string"' \
        "$s: completing recorded no payment" '.settlement.status == "unpaid" and .settlement.payments == []'

    run "$s: record show" --json record show --job "$j"
    jqt --argjson j "$j" --arg s "$s" \
        "$s: record has a sha256 hash" '(.hash | test("^[0-9a-f]{64}$")) and .job == $j and .surface == $s' \
        "$s: record names the operator and the outcome" '.body.operator == "ana" and .body.outcome.phase == "complete" and .body.job == $j' \
        "$s: record carries the vendor as participant" '[.body.context.participants[].role] == ["vendor"]'
    HASH=$(jv .hash)
    body=$(jq -c .body "$T/out")

    run "$s: settle" --json --as ana settle "$j" --amount 150.00 --method zelle --note "deposit"
    jqt --argjson j "$j" "$s: settlement paid 150.00 USD" '.job == $j and .settlement.status == "paid" and .settlement.paid == "150.00" and .settlement.paid_minor == 15000 and .settlement.currency == "USD" and (.settlement.payments | length) == 1'
    run "$s: settle --due" --json --as admin settle "$j" --due 200
    jqt "$s: 150.00 of 200.00 is partial" '.settlement.status == "partial" and .settlement.paid == "150.00" and .settlement.due == "200.00" and (.settlement.payments | length) == 1'
    run "$s: settle 25.50 more" --json --as admin settle "$j" --amount 25.5 --method cash
    jqt "$s: partial, 175.50 of 200.00" '.settlement.status == "partial" and .settlement.paid == "175.50" and .settlement.due == "200.00"'
    run "$s: job show after settle" --json job show "$j"
    jqt "$s: settling changed neither the job nor its ServiceEvent" '.state == "complete" and .phase == "complete" and .service_event.complete == true'
    run "$s: record show after settle" --json record show --job "$j"
    jqt --arg h "$HASH" --arg b "$body" "$s: settling changed not the record" '.hash == $h and (.body | tojson) == $b'

    run "$s: desk at the end" --json desk
    jqt --argjson j "$j" "$s: the job is completed on the desk" '.queued == [] and .active == [] and [.completed[].id] == [$j]'
    run "$s: record list" --json record list
    jqt --argjson j "$j" "$s: one record listed" '[.records[].job] == [$j]'

    local -a want=("job create" "job claim" "service_event claim" "participant add")
    for e in $events; do want+=("service_event $e"); done
    want+=("record compose" "job ready" "job complete" "settlement payment" "settlement due" "settlement payment")
    run "$s: log --job" --json log --job "$j"
    jqt --argjson want "$(printf '%s\n' "${want[@]}" | jq -R . | jq -sc .)" \
        "$s: the job's audit trail" '[.log[] | select(.entity != "evidence") | .entity + " " + .action] == $want' \
        "$s: every audit row has its actor and time" 'all(.log[]; (.actor | type) == "string" and .at == "2026-01-01T00:00:00Z")'
    run "$s: log" log
    has "$s: the text log shows the claim" "$T/out" "ana        job           $j    claim     queued -> active"
    run "$s: verify" verify
    has "$s: verify says ok" "$T/out" "verify: ok"
    run "$s: verify --json" --json verify
    jqt "$s: verify --json: no findings" '.findings == []'
}

walk event-coordination "$EX/event-coordination-wedding.json" 0 arrive start complete
EC_HASH=$HASH
walk auto-detailing "$EX/auto-detailing.json" 2 arrive start finish complete
q --json record show --job "$JOB"
jqt "auto-detailing: the record carries the evidence" '[.body.evidence[].category] | sort == ["after","arrival","before","damage"]'

# the same inputs under QTM_FAKE_NOW give the same record, byte for byte
walk event-coordination "$EX/event-coordination-wedding.json" 0 arrive start complete
is "event-coordination: the record hash is reproducible" "$EC_HASH" "$HASH"

# one release string (QTM_VERSION): qtm, qtmc and the man page say the same
v_qtm=$("$QTM" --version | sed -n 's/^qtm \([^ ]*\) .*/\1/p')
v_qtmc=$("$BUILD/bin/qtmc" --version | sed -n 's/^qtmc \([^ ]*\) .*/\1/p')
v_man=$(sed -n 's/^\.TH QTM 1 [^ ]* "qtm \([^"]*\)".*/\1/p' runtime/cli/qtm.1)
v_src=$(sed -n 's/^#define QTM_VERSION "\([^"]*\)".*/\1/p' runtime/include/qtm/qtm_surface.h)
is "qtm --version, qtmc --version and qtm.1 name QTM_VERSION" "$v_src $v_src $v_src" \
    "$v_qtm $v_qtmc $v_man"

finish

#!/usr/bin/env bash
# tests/scenario/api.sh - `qtm serve` over real HTTP on loopback.
#
# Starts the server on a free port against a temp database, drives every
# route with curl (bearer tokens and the web desk's cookie session), and
# for every refusal checks the HTTP status, the error body
# {"error":{"category","message"}} and that the database is unchanged
# (`sqlite3 .dump` before and after identical).  Ends with the rate limit
# on public intake, a token revoked mid-session, SIGTERM shutdown and
# verify.  /healthz (liveness) and /readyz (the database answers a worker:
# 200, or 503 with Retry-After once the file is gone).  The connection
# budget (--servers) is a database server's: SQLite skips it (no line).
# The last line is "N passed, N failed".
. "$(dirname "$0")/lib.sh"
command -v curl >/dev/null 2>&1 || { bad "curl is not installed (tools/deps.sh installs it)"; finish; }
EC=event-coordination
AD=auto-detailing
W=$EX/event-coordination-wedding.json
A=$EX/auto-detailing.json
SRV_PID=
trap '[ -n "$SRV_PID" ] && kill "$SRV_PID" 2>/dev/null; lib_cleanup' EXIT

# serve_start NAME [OPTIONS...] : qtm serve on port 0; sets U (base URL)
serve_start() {
    local name=$1
    shift
    "$QTM" --db "$DB" serve --listen 127.0.0.1:0 "$@" >"$T/$name.out" 2>"$T/$name.err" &
    SRV_PID=$!
    local i
    for i in $(seq 1 100); do
        U=$(sed -n 's|^qtm serve: listening on \(http://127.0.0.1:[0-9]*\)/.*|\1|p' "$T/$name.out")
        [ -n "$U" ] && break
        sleep 0.05
    done
    if [ -n "$U" ]; then ok; else bad "$name: the server did not start: $(oneline <"$T/$name.err")"; fi
}

serve_stop() {
    kill -TERM "$SRV_PID" 2>/dev/null
    wait "$SRV_PID"
    STOP_RC=$?
    SRV_PID=
}

# h METHOD PATH [CURL ARGS...] : one request; $code is the status, the body
# is in $T/out and the response headers in $T/hdr
# (an argument as=NAME stands for NAME's bearer token)
h() {
    local method=$1 path=$2 a
    local -a args=()
    shift 2
    for a in "$@"; do
        case $a in
        as=*) args+=(-H "Authorization: Bearer ${TOK[${a#as=}]}") ;;
        *) args+=("$a") ;;
        esac
    done
    code=$(curl -s -o "$T/out" -D "$T/hdr" -w '%{http_code}' -X "$method" "${args[@]}" "$U$path")
}
# j METHOD PATH JSON [CURL ARGS...] : the same with a JSON body
j() {
    local method=$1 path=$2 body=$3
    shift 3
    h "$method" "$path" -H 'Content-Type: application/json' --data-binary "$body" "$@"
}

status_is() {
    if [ "$code" = "$2" ]; then ok; else bad "$1: HTTP $code, want $2: $(oneline <"$T/out")"; fi
}

# refused NAME STATUS CATEGORY TEXT -- (h|j) ARGS... : a refusal with that
# status and error body, no internals in it, the database unchanged.  Five
# checks.
refused() {
    local name=$1 want=$2 cat=$3 text=$4
    shift 5
    dump "$T/before"
    "$@"
    dump "$T/after"
    status_is "$name" "$want"
    jqt --arg c "$cat" "$name: error category" '.error.category == $c and (keys == ["error"])'
    has "$name: message" "$T/out" "$text"
    # never SQL, a file path or a trace in an answer
    if grep -qiE 'select |insert |update |sqlite|/tmp/|\.c:[0-9]|stack' "$T/out"; then
        bad "$name: the answer leaks internals: $(oneline <"$T/out")"
    else ok; fi
    if cmp -s "$T/before" "$T/after"; then ok; else
        bad "$name: the database changed: $(diff "$T/before" "$T/after" | oneline)"
    fi
}

fresh api
run "init" init
setup_actors
run "actor add cara" actor add cara --role operator
declare -A TOK=([bogus]=qtm_not-a-real-token)
for a in admin ana bo vic cli cara; do
    q token issue $a
    TOK[$a]=$(cat "$T/out")
    [ -n "${TOK[$a]}" ] || bad "token issue $a: $(oneline <"$T/err")"
done
is "token shape" 1 "$(printf '%s' "${TOK[ana]}" | grep -c '^qtm_[A-Za-z0-9_-]\{43\}$')"
is "only hashes are stored" 0 "$(sql "SELECT count(*) FROM tokens WHERE hash = '${TOK[ana]}'")"
is "six tokens, audited" 6 "$(count audit "entity = 'token' AND action = 'issue'")"

serve_start main --intake-rate 600 --intake-burst 100

echo "# public routes"
h GET /healthz
status_is "healthz" 200
jqt "healthz body" '. == {"ok": true}'
h GET /readyz
status_is "readyz" 200
jqt "readyz body" '. == {"ready": true}'
has "readyz is not cached" "$T/hdr" "Cache-Control: no-store"
h HEAD /readyz
status_is "readyz answers HEAD" 200
has "the banner names the database" "$T/main.out" "database $DB,"
if on_pg; then
    has "PostgreSQL: serve checks its connection budget" "$T/main.err" "qtm serve: connections: need"
elif grep -q "connections: need" "$T/main.err"; then
    bad "SQLite has no connection budget, yet serve printed one"
else ok; fi
h GET /api/surfaces
status_is "surfaces" 200
jqt "surfaces lists the compiled ones" '[.surfaces[].slug] | index("event-coordination") != null'
h GET /api/surfaces/$EC
status_is "surface show" 200
jqt "surface show is the compiled model" '.slug == "event-coordination" and (.phases | length) == 5 and (.fingerprint | startswith("sha256:"))'
refused "unknown surface" 404 "not found" "no surface 'nope'" -- h GET /api/surfaces/nope

echo "# intake"
j POST /api/requests/$EC "$(cat "$W")" -H 'Idempotency-Key: wedding-1'
status_is "submit" 201
jqt "submit answers the ids" '.request == 1 and .task == 1'
j POST /api/requests/$EC "$(cat "$W")" -H 'Idempotency-Key: wedding-1'
status_is "retry with the same key" 201
jqt "retry answers the first ids" '.request == 1 and .task == 1'
is "one request stored" 1 "$(count requests)"
refused "same key, other packet" 409 "conflict" "" -- \
    j POST /api/requests/$EC "$(jq '.event.guests = 12' "$W")" -H 'Idempotency-Key: wedding-1'
refused "intake missing a required field" 400 "invalid input" "event.venue" -- \
    j POST /api/requests/$EC "$(jq 'del(.event.venue)' "$W")"
refused "malformed JSON" 400 "invalid input" "malformed JSON at line 1" -- \
    j POST /api/requests/$EC '{"contact": '
refused "body not an object" 400 "invalid input" "must be a JSON object" -- \
    j POST /api/requests/$EC '[1, 2]'
refused "not JSON content" 415 "invalid input" "Content-Type: application/json" -- \
    h POST /api/requests/$EC -H 'Content-Type: application/x-www-form-urlencoded' --data 'a=b'
head -c 2000000 /dev/zero | tr '\0' ' ' >"$T/big"
refused "oversized body" 413 "too large" "larger than 1048576 bytes" -- \
    h POST /api/requests/$EC -H 'Content-Type: application/json' --data-binary @"$T/big"
refused "oversized chunked body" 413 "too large" "larger than 1048576 bytes" -- \
    h POST /api/requests/$EC -H 'Content-Type: application/json' -H 'Transfer-Encoding: chunked' \
    --data-binary @"$T/big"
refused "intake to an unknown surface" 404 "not found" "nope" -- j POST /api/requests/nope '{}'
refused "a photo minimum" 400 "invalid input" "at least 1 photo required, got 0" -- \
    j POST "/api/requests/$AD" "$(cat "$A")"
refused "a photo that is not stored" 400 "invalid input" "no stored file sha256:" -- \
    j POST "/api/requests/$AD" "$(jq -c '.photos = ["sha256:'"$(printf '%064d' 7)"'"]' "$A")"
h POST /api/uploads -H 'Content-Type: image/jpeg' --data-binary @"$(photo api-intake.jpg)" as=cli
status_is "a client uploads a photo" 201
PHOTO=$(jq -r .blob "$T/out")
j POST "/api/requests/$AD" "$(jq -c --arg p "$PHOTO" '.photos = [$p]' "$A")" as=cli
status_is "a signed-in client submits" 201
# ids from the answers: PostgreSQL's sequences skip the ids of refused submits
R2=$(jv .request)
TASK2=$(jv .task)
is "the request names its client" cli "$(sql "SELECT a.slug FROM requests r JOIN actors a ON a.id = r.actor_id WHERE r.id = $R2")"

echo "# credentials and roles"
refused "no token" 401 "unauthorized" "sign in first" -- h GET /api/tasks
refused "unknown token" 401 "unauthorized" "unknown or revoked token" -- h GET /api/tasks as=bogus
refused "not a bearer" 401 "unauthorized" "Bearer TOKEN" -- h GET /api/tasks -H 'Authorization: Basic YTpi'
refused "operator reads tasks" 403 "forbidden" "operator 'ana' may not GET /api/tasks" -- h GET /api/tasks as=ana
refused "client reads the desk" 403 "forbidden" "client 'cli' may not GET /api/desk" -- h GET /api/desk as=cli
refused "vendor reads a job" 403 "forbidden" "no job 1 visible to vic" -- h GET /api/jobs/1 as=vic
refused "operator approves" 403 "forbidden" "may not POST /api/tasks/1/approve" -- h POST /api/tasks/1/approve as=ana
refused "verify is for admins" 403 "forbidden" "" -- h GET /api/verify as=bo

echo "# governance"
h GET /api/tasks as=admin
status_is "task list" 200
jqt "two tasks in review" '[.tasks[].state] == ["review", "review"]'
h GET "/api/tasks?state=review" as=admin
jqt "task list by state" '(.tasks | length) == 2'
h GET /api/tasks/1 as=admin
jqt "task show carries the intake" '.request.intake.contact.email == "ana.morales@example.com"'
refused "create a job before approval" 422 "refused" "" -- h POST /api/tasks/1/job as=admin
h POST /api/tasks/1/approve as=admin
status_is "approve" 200
jqt "approved" '.state == "approved"'
refused "assign without an operator" 400 "invalid input" 'needs \"to\"' -- j POST /api/tasks/1/assign '{}' as=admin
refused "assign to a vendor" 403 "forbidden" "" -- j POST /api/tasks/1/assign '{"to":"vic"}' as=admin
j POST /api/tasks/1/assign '{"to":"ana"}' as=admin
status_is "assign" 200
jqt "assigned to ana" '.state == "assigned" and .assignee == "ana"'
h POST /api/tasks/1/job as=admin
status_is "create job" 201
jqt "job 1 of task 1" '. == {"job": 1, "task": 1}'
J=1
refused "a second job for the task" 409 "conflict" "" -- h POST /api/tasks/1/job as=admin
j POST /api/requests/$EC "$(cat "$W")"
status_is "a third request, to reject" 201
TASK3=$(jv .task)
refused "reject without a reason" 400 "invalid input" 'needs \"reason\"' -- j POST /api/tasks/$TASK3/reject '{}' as=admin
j POST /api/tasks/$TASK3/reject '{"reason":"outside the service area"}' as=admin
jqt "rejected with its reason" '.state == "rejected" and .reason == "outside the service area"'
h GET /api/actors as=admin
jqt "actors, by id" '([.actors[].slug] | sort) == ["admin","ana","bo","cara","cli","vic"] and [.actors[].id] == ([.actors[].id] | sort) and .next_after == null'

echo "# execution"
h GET /api/desk as=ana
jqt "ana's desk has the queued job" '[.queued[].id] == [1] and .active == []'
h GET /api/desk as=bo
jqt "bo's desk is empty" '.queued == [] and .active == []'
h GET /api/jobs/$J as=ana
jqt "ana may claim" '.can_claim == true and [.actions[].event] == ["claim"] and .actions[0].claim == true'
refused "bo may not see another operator's assignment" 403 "forbidden" "no job 1 visible to bo" -- \
    h GET /api/jobs/$J as=bo
h GET /api/jobs/$J as=admin
jqt "an admin has no claim" '.can_claim == false and .actions == []'
refused "another operator claims" 403 "forbidden" "no job 1 visible to bo" -- h POST /api/jobs/$J/claim as=bo
run "suspend cara" actor set cara --access suspended
refused "a suspended operator claims" 403 "forbidden" "suspended" -- h POST /api/jobs/$J/claim as=cara
refused "a suspended operator reads" 403 "forbidden" "cara is suspended" -- h GET /api/desk as=cara
refused "a suspended operator signs in" 403 "forbidden" "cara is suspended and cannot sign in" -- \
    j POST /api/session "{\"token\":\"${TOK[cara]}\"}"
h POST /api/jobs/$J/claim as=ana
status_is "claim" 200
jqt "claimed: the answer is the job" '.state == "active" and .phase == "claimed" and .owner == "ana" and [.actions[].event] == ["arrive", "close"]'
refused "claim twice by another: not theirs to see" 403 "forbidden" "no job 1 visible to bo" -- \
    h POST /api/jobs/$J/claim as=bo
refused "no record before the ServiceEvent completes" 404 "not found" "" -- h GET /api/jobs/$J/record as=ana
refused "another operator advances" 403 "forbidden" "no job 1 visible to bo" -- \
    j POST /api/jobs/$J/advance '{"event":"arrive"}' as=bo
refused "advance with no event" 400 "invalid input" 'needs \"event\"' -- j POST /api/jobs/$J/advance '{}' as=ana
refused "event not a string" 400 "invalid input" "must be a string" -- j POST /api/jobs/$J/advance '{"event":7}' as=ana
refused "duplicate keys" 400 "invalid input" "duplicate" -- j POST /api/jobs/$J/advance '{"event":"arrive","event":"start"}' as=ana
refused "an event the phase does not allow" 422 "refused" "" -- j POST /api/jobs/$J/advance '{"event":"complete"}' as=ana
refused "job complete before the ServiceEvent" 422 "refused" "ServiceEvent is in phase claimed" -- h POST /api/jobs/$J/complete as=ana
j POST /api/jobs/$J/participants '{"name":"Bloom Florals","role":"vendor","contact":"orders@bloom.example"}' as=ana
status_is "participant" 200
jqt "participant listed" '.participants[0].name == "Bloom Florals" and .participants[0].actor == "ana"'
refused "participant without a role" 400 "invalid input" 'needs \"role\"' -- j POST /api/jobs/$J/participants '{"name":"X"}' as=ana
refused "participant name not UTF-8" 400 "invalid input" "" -- \
    j POST /api/jobs/$J/participants $'{"name":"ok\xff\x9b","role":"vendor"}' as=ana
for e in arrive start complete; do
    j POST /api/jobs/$J/advance "{\"event\":\"$e\"}" as=ana
    status_is "advance $e" 200
done
jqt "the ServiceEvent is complete" '.phase == "complete" and .service_event.complete == true and .state == "ready" and .actions == [] and .can_complete == true'
h GET /api/jobs/$J as=bo
status_is "only the owner may close it: bo does not see it" 403
h POST /api/jobs/$J/complete as=ana
status_is "job complete" 200
jqt "complete, with its record" '.state == "complete" and .record == 1'
h GET /api/jobs/$J/record as=ana
status_is "record" 200
jqt "the record names the operator" '.body.operator == "ana" and .job == 1'

echo "# settlement stays separate"
refused "an operator who does not own it settles" 403 "forbidden" "no job 1 visible to bo" -- \
    j POST /api/jobs/$J/settlement '{"amount":"10.00","method":"cash"}' as=bo
refused "an unknown payment method" 400 "invalid input" "" -- \
    j POST /api/jobs/$J/settlement '{"amount":"10.00","method":"barter"}' as=admin
refused "waive must be boolean" 400 "invalid input" "true or false" -- \
    j POST /api/jobs/$J/settlement '{"waive":"yes"}' as=admin
j POST /api/jobs/$J/settlement '{"amount":"1500.00","method":"zelle","note":"deposit","due":"4500.00"}' as=admin
status_is "payment" 200
jqt "partial payment" '.job == 1 and .settlement.status == "partial" and .settlement.paid == "1500.00" and .settlement.due == "4500.00"'
refused "a payment past the job's ledger limit (10^15 minor units)" 400 "invalid input" "the most one job may carry" -- \
    j POST /api/jobs/$J/settlement '{"amount":"9999999998500.01","method":"wire"}' as=admin
refused "a zero payment" 400 "invalid input" "more than 0 (for no charge, set the status to waived)" -- \
    j POST /api/jobs/$J/settlement '{"amount":"0.00","method":"cash"}' as=admin
if grep -qF -- '--status' "$T/out"; then bad "the API's message names a CLI option: $(oneline <"$T/out")"; else ok; fi
h GET /api/jobs/$J as=admin
jqt "the job did not move" '.state == "complete" and .phase == "complete"'

echo "# evidence (auto-detailing requires it)"
h POST /api/tasks/$TASK2/approve as=admin
j POST /api/tasks/$TASK2/assign '{"to":"bo"}' as=admin
h POST /api/tasks/$TASK2/job as=admin
J2=$(jv .job)
is "a second job" 1 "$([ "$J2" -gt "$J" ] 2>/dev/null && echo 1)"
h POST /api/jobs/$J2/claim as=bo
for e in arrive start finish; do j POST /api/jobs/$J2/advance "{\"event\":\"$e\"}" as=bo; done
jqt "evidence missing listed" '.evidence_missing | length == 3'
refused "complete without evidence" 422 "refused" "evidence missing: arrival (0 of 1)" -- \
    j POST /api/jobs/$J2/advance '{"event":"complete"}' as=bo
h POST /api/uploads -H 'Content-Type: image/jpeg' --data-binary @"$(photo api-ev.jpg)" as=bo
EVP=$(jq -r .blob "$T/out")
refused "evidence of an unknown category" 400 "invalid input" "" -- \
    j POST /api/jobs/$J2/evidence "{\"category\":\"selfie\",\"blob\":\"$EVP\"}" as=bo
refused "evidence that is a text reference" 400 "invalid input" "evidence is a file" -- \
    j POST /api/jobs/$J2/evidence '{"category":"arrival","blob":"photos/x.jpg"}' as=bo
for c in arrival before after; do
    h POST /api/uploads -H 'Content-Type: image/jpeg' --data-binary @"$(photo "api-$c.jpg")" as=bo
    j POST /api/jobs/$J2/evidence "{\"category\":\"$c\",\"blob\":$(jq .blob "$T/out")}" as=bo
    status_is "evidence $c" 200
done
jqt "no evidence missing" '.evidence_missing == [] and (.evidence | length) == 3'
j POST /api/jobs/$J2/advance '{"event":"complete"}' as=bo
status_is "complete with evidence" 200

echo "# routes and static files"
refused "unknown route" 404 "not found" "no such route" -- h GET /api/nope as=admin
refused "unknown route, deeper" 404 "not found" "no such route" -- h GET /api/jobs/1/x/y/z as=admin
refused "a non-numeric id" 404 "not found" "" -- h GET /api/jobs/abc as=admin
refused "wrong method" 405 "usage" "not allowed" -- h DELETE /api/jobs/1 as=admin
refused "path traversal" 404 "not found" "no such page" -- h GET /../../etc/passwd --path-as-is
refused "encoded traversal" 404 "not found" "no such page" -- h GET /%2e%2e/%2e%2e/etc/passwd --path-as-is
refused "traversal into the tree" 404 "not found" "no such page" -- h GET /web/../Makefile --path-as-is
refused "POST to a page" 405 "usage" "" -- h POST /index.html
has "a page allows GET and HEAD" "$T/hdr" "Allow: GET, HEAD"
refused "wrong method on a read route" 405 "usage" "" -- h POST /api/surfaces
has "Allow names the route's methods" "$T/hdr" "Allow: GET, HEAD"
h HEAD /api/surfaces -I
status_is "HEAD on a read route" 200
refused "a path that is not UTF-8" 400 "invalid input" "not valid UTF-8" -- h GET /api/surfaces/%FF
refused "a query that is not UTF-8" 404 "not found" "no surface" -- h GET "/api/surfaces/x?q=%FF"
h GET "/api/desk?operator=%FF" as=admin
jqt "an operator that is not UTF-8: an answer, not a crash" '(.queued | type) == "array" or (.error.category | type) == "string"'
refused "an id past int64" 404 "not found" "no such route" -- h GET /api/jobs/99999999999999999999 as=admin
refused "the largest id" 404 "not found" "9223372036854775807" -- h GET /api/jobs/9223372036854775807 as=admin
h GET "/x%0a2026-01-01T00:00:00Z%20203.0.113.9%20admin%20%22DELETE%20/api/everything%22%20200"
status_is "a forged log line: 404" 404
head -c 12000000 /dev/zero | tr '\0' ' ' >"$T/huge"
h POST /api/requests/$EC -H 'Content-Type: application/json' -H 'Transfer-Encoding: chunked' --data-binary @"$T/huge"
# (curl reports 000, or the interim 100, when the server drops the connection)
case $code in 413 | 000 | 100) ok ;; *) bad "a huge chunked upload: HTTP $code, want 413 or a dropped connection" ;; esac
mkdir -p "$T/embed/.git" "$T/embed/sub"
echo secret >"$T/embed/.git/config"
echo x >"$T/embed/.hidden"
echo y >"$T/embed/sub/page.html"
tools/embed.sh "$T/embed" >"$T/embed.c"
has "embed.sh takes plain files" "$T/embed.c" '"/sub/page.html"'
if grep -q '"/\.' "$T/embed.c"; then bad "embed.sh embedded a hidden file: $(grep '"/\.' "$T/embed.c" | oneline)"; else ok; fi
h GET /
if [ -d web ]; then
    status_is "the desk's page" 200
    has "the page is HTML" "$T/hdr" "Content-Type: text/html"
    has "the page has a CSP" "$T/hdr" "Content-Security-Policy: default-src 'self'"
fi
h GET /api/log as=admin
jqt "no SQL, paths or traces in any answer" 'tostring | test("SELECT|sqlite|/tmp/") | not'

echo "# the web desk's session"
refused "sign in with a bad token" 401 "unauthorized" "unknown or revoked token" -- \
    j POST /api/session '{"token":"qtm_nope"}'
j POST /api/session "{\"token\":\"${TOK[ana]}\"}"
status_is "sign in" 200
jqt "signed in as ana" '.actor.slug == "ana" and .actor.role == "operator" and (.csrf | length) == 43'
CSRF=$(jv .csrf)
has "cookie is HttpOnly" "$T/hdr" "HttpOnly"
has "cookie is SameSite=Strict" "$T/hdr" "SameSite=Strict"
SID=$(sed -n 's/^Set-Cookie: qtm_session=\([^;]*\);.*/\1/p' "$T/hdr" | tr -d '\r')
is "the session id is not stored" 0 "$(sql "SELECT count(*) FROM sessions WHERE hash = '$SID'")"
C=(-H "Cookie: qtm_session=$SID")
h GET /api/session "${C[@]}"
jqt "who am I" '.actor.slug == "ana" and .csrf == "'"$CSRF"'"'
h GET /api/desk "${C[@]}"
status_is "a read needs no CSRF secret" 200
refused "a change without the CSRF secret" 403 "forbidden" "CSRF" -- \
    j POST /api/jobs/$J/participants '{"name":"Z","role":"x"}' "${C[@]}"
refused "a change with a wrong CSRF secret" 403 "forbidden" "CSRF" -- \
    j POST /api/jobs/$J/participants '{"name":"Z","role":"x"}' "${C[@]}" -H "X-CSRF-Token: x$CSRF"
refused "a change from another site" 403 "forbidden" "cross-site" -- \
    j POST /api/jobs/$J/participants '{"name":"Z","role":"x"}' "${C[@]}" -H "X-CSRF-Token: $CSRF" \
    -H "Origin: http://evil.example"
HOSTPORT=${U#http://}
j POST /api/jobs/$J2/participants '{"name":"Z","role":"helper"}' "${C[@]}" -H "X-CSRF-Token: $CSRF" -H "Origin: $U"
status_is "a change with the secret, same origin" 403
jqt "... reaches the runtime, which refuses: bo owns job $J2, ana may not see it" '.error.category == "forbidden" and .error.message == "no job '"$J2"' visible to ana"'
is "host header as sent" "127.0.0.1" "${HOSTPORT%%:*}"

echo "# revoking a token ends its sessions"
run "revoke ana" --json token revoke ana
jqt "one token revoked" '.revoked == 1'
refused "the revoked token" 401 "unauthorized" "unknown or revoked token" -- h GET /api/desk as=ana
refused "the session of a revoked token" 401 "unauthorized" "sign in first" -- h GET /api/desk "${C[@]}"
q token revoke ana
is "revoking nothing: not found" 3 "$rc"
h DELETE /api/session -H "Cookie: qtm_session=$SID"
status_is "sign out of a dead session: nothing to guard" 401

j POST /api/session "{\"token\":\"${TOK[bo]}\"}"
SIDB=$(sed -n 's/^Set-Cookie: qtm_session=\([^;]*\);.*/\1/p' "$T/hdr" | tr -d '\r')
CSRFB=$(jv .csrf)
refused "sign out without the CSRF secret" 403 "forbidden" "CSRF" -- h DELETE /api/session -H "Cookie: qtm_session=$SIDB"
h DELETE /api/session -H "Cookie: x_qtm_session=decoy; qtm_session=$SIDB" -H "X-CSRF-Token: $CSRFB"
status_is "sign out (a look-alike cookie beside it)" 200
has "the cookie is cleared" "$T/hdr" "Max-Age=0"
is "the session row is gone" 0 "$(count sessions "token_id = (SELECT t.id FROM tokens t JOIN actors a ON a.id = t.actor_id WHERE a.slug = 'bo')")"

echo "# audit"
h GET "/api/log?job=1" as=admin
jqt "the job's audit rows" '[.log[].entity] | index("service_event") != null'
refused "log with a bad job" 400 "invalid input" "" -- h GET "/api/log?job=x" as=admin
h GET /api/verify as=admin
status_is "verify" 200
jqt "verify is ok" '.ok == true and .findings == []'

echo "# the access log"
if grep -q '^2026-01-01T00:00:00Z 203.0.113.9' "$T/main.err"; then bad "a request forged an access log line"; else ok; fi
has "control bytes are escaped in the log" "$T/main.err" '"GET /x\x0a2026-01-01T00:00:00Z'

grep -c '"POST /api/jobs/1/claim" 200' "$T/main.err" >"$T/n"
is "one access line per request" 1 "$(cat "$T/n")"
has "the actor is logged" "$T/main.err" 'admin "GET /api/tasks" 200'

serve_stop
is "SIGTERM: a clean stop" 0 "$STOP_RC"
has "stopped" "$T/main.err" "qtm serve: stopped"

echo "# rate limit on public intake"
serve_start limited --intake-rate 1 --intake-burst 2
for i in 1 2; do
    j POST /api/requests/$EC "$(cat "$W")"
    status_is "intake $i within the burst" 201
done
refused "intake over the limit" 429 "rate limited" "too many requests" -- j POST /api/requests/$EC "$(cat "$W")"
has "Retry-After" "$T/hdr" "Retry-After: "
h GET /api/surfaces
status_is "reads are not limited" 200
# 127.0.188.4 hashes to 127.0.0.1's slot: it gets a bucket of its own,
# and alternating the two refills neither
for i in 1 2; do
    j POST /api/requests/$EC "$(cat "$W")" --interface 127.0.188.4
    status_is "a second address: intake $i within its burst" 201
done
for i in 1 2 3; do
    j POST /api/requests/$EC "$(cat "$W")" --interface 127.0.188.4
    a=$code
    j POST /api/requests/$EC "$(cat "$W")" --interface 127.0.0.1
    is "alternating addresses, round $i" "429 429" "$a $code"
done
serve_stop

echo "# SIGTERM under load: every answered write is durable"
serve_start loaded --intake-rate 0 --threads 4
before=$(count requests)
mkdir -p "$T/load"
cp "$W" "$T/load/packet.json"
(
    cd "$T/load" || exit 1
    seq 1 300 | xargs -P 8 -I{} sh -c \
        "curl -s -o /dev/null -w '%{http_code}\n' -X POST -H 'Content-Type: application/json' --data-binary @packet.json '$U/api/requests/$EC' >{}.code 2>/dev/null; true"
) &
loader=$!
sleep 0.4
serve_stop
wait $loader
answered=$(cat "$T"/load/*.code 2>/dev/null | grep -c '^201$')
stored=$(( $(count requests) - before ))
if [ "$answered" -gt 0 ] && [ "$answered" -lt 300 ]; then ok; else
    bad "the stop should land mid-load: $answered of 300 answered"
fi
if [ "$stored" -ge "$answered" ] && [ "$stored" -le $((answered + 8)) ]; then ok; else
    bad "answered $answered, stored $stored: an acknowledged write was lost (or too many unacknowledged)"
fi
is "SIGTERM under load: a clean stop" 0 "$STOP_RC"
on_pg || is "integrity after the stop" ok "$(sql 'PRAGMA integrity_check')"   # SQLite's own
run "verify after the stop" verify

# The body of a request comes in after the workers have stopped: its push
# is refused by the stopped queue (503), not made into freed memory.  One
# I/O thread, so /healthz answered means the held head has been read.
echo "# SIGTERM with a request body still coming: 503, a clean stop"
serve_start late --threads 1 --intake-rate 0
before=$(count requests)
exec 3<>"/dev/tcp/127.0.0.1/${U##*:}"
printf 'POST /api/requests/%s HTTP/1.1\r\nHost: 127.0.0.1\r\nContent-Type: application/json\r\nContent-Length: %s\r\nConnection: close\r\n\r\n' \
    "$EC" "$(wc -c <"$W")" >&3
h GET /healthz
status_is "late body: served while the head waits" 200
kill -TERM "$SRV_PID"
for i in $(seq 1 500); do
    grep -q "queued requests done" "$T/late.err" && break
    sleep 0.01
done
has "late body: the workers stopped with the request in hand" "$T/late.err" "queued requests done"
cat "$W" >&3
cat <&3 >"$T/late.resp"
exec 3<&-
serve_stop
is "late body: a clean stop" 0 "$STOP_RC"
has "late body: answered 503" "$T/late.resp" "HTTP/1.1 503"
has "late body: ... because the server is stopping" "$T/late.resp" "the server is stopping"
is "late body: nothing stored" "$before" "$(count requests)"

# an SQLite file can be removed under a server; a PostgreSQL database cannot
# (DROP DATABASE waits for its connections)
if ! on_pg; then
echo "# the database file removed under a running server"
cp "$DB" "$T/gone.db"
SAVED_DB=$DB
DB=$T/gone.db
serve_start gone
h GET /api/surfaces
status_is "served before" 200
rm -f "$T/gone.db" "$T/gone.db-wal" "$T/gone.db-shm"
sleep 0.5
refused_gone() {
    j POST /api/requests/$EC "$(cat "$W")"
    status_is "no write is acknowledged into a removed file" 503
    jqt "... and it says so" '.error.category == "storage" and (.error.message | test("removed or replaced"))'
}
refused_gone
h GET /readyz
status_is "readyz: the file is gone" 503
has "readyz: ... try again later" "$T/hdr" "Retry-After: 1"
jqt "readyz: ... and why" '.error.category == "storage" and (.error.message | test("^not ready: .*removed or replaced"))'
h GET /healthz
status_is "healthz: still alive" 200
serve_stop
has "the server said why" "$T/gone.err" "was removed or replaced"
DB=$SAVED_DB
fi

echo "# bad starts"
# no database: a path that does not exist, an empty PostgreSQL database
SAVED_DB=$DB
DB=$T/missing.db
on_pg && fresh missing
"$QTM" --db "$DB" serve --listen 127.0.0.1:0 >"$T/out" 2>"$T/err"
is "no database: exit 10" 10 "$?"
has "no database: message" "$T/err" "qtm init"
DB=$SAVED_DB
"$QTM" --db "$DB" serve --listen nowhere >"$T/out" 2>"$T/err"
is "bad --listen: exit 2" 2 "$?"
"$QTM" --db "$DB" serve --threads 0 >"$T/out" 2>"$T/err"
is "bad --threads: exit 2" 2 "$?"
"$QTM" --db "$DB" serve --servers 0 >"$T/out" 2>"$T/err"
is "bad --servers: exit 2" 2 "$?"
has "bad --servers: message" "$T/err" "--servers takes a whole number from 1 to"
"$QTM" serve --help >"$T/out" 2>&1
has "serve --help: --servers" "$T/out" "--servers N"
has "serve --help: /readyz" "$T/out" "GET /readyz"

run "verify after it all" verify
finish

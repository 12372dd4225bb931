#!/usr/bin/env bash
# tests/scenario/upgrade.sh - a database written by the previous release
# (commit 60d9a8a: schema 4, every shipped surface at version 1), opened by
# this one.  The fixture (fixtures/v4-release.sql, made by
# fixtures/make-v4-release.sh with that release's binary; its top comment
# says how) holds jobs in every state: queued, claimed and mid-phase, final
# but not completed, completed with a signed record, settled; tokens and a
# signing key.  Checks: the schema goes from 4 to 5 in one step on the
# first open and `verify` passes; this build retains exactly the
# fingerprints the release stored; the old jobs keep running under their
# version-1 tables (claim, advance, complete, signed with the old key),
# version 2's rules do not reach them (the release's evidence references
# no longer count: files are added), old tokens sign in to `qtm serve`;
# `qtm migrate` moves the jobs in flight to version 2 (refusals leave the
# database byte-identical), `verify` passes again, and they finish under
# version 2 (close with an outcome, the summary).
. "$(dirname "$0")/lib.sh"
FX=$ROOT/tests/scenario/fixtures
EC=event-coordination
AD=auto-detailing
LS=landscaping
export QTM_FAKE_NOW=2026-03-01T09:00:00.000Z

fresh upgrade
sqlite3 "$DB" <"$FX/v4-release.sql"
cp "$FX/v4-release.key" "$DB.key"
chmod 600 "$DB.key"
is "the fixture is schema 4" 4 "$(sql 'PRAGMA user_version')"
# the version-1 fingerprint of each surface, as the release stored it
FP1_EC=$(sql "SELECT DISTINCT fingerprint FROM jobs WHERE surface = '$EC'")
FP1_AD=$(sql "SELECT DISTINCT fingerprint FROM jobs WHERE surface = '$AD'")
is "the release ran one event-coordination spec" 1 "$(printf '%s\n' "$FP1_EC" | wc -l)"
is "... and one auto-detailing spec" 1 "$(printf '%s\n' "$FP1_AD" | wc -l)"
SIGNED0=$(count record_signatures)
is "the release signed its four records" 4 "$SIGNED0"

# --- a step that fails leaves schema 4 exactly as it was ---------------------------------
# (a table in the way of one v5 creates: the whole upgrade is one transaction)
cp "$DB" "$T/upgrade/good.db"
sql "CREATE TABLE handoffs(x)" >/dev/null
refuse "an upgrade that cannot finish changes nothing" 10 "handoffs already exists" verify
is "... still schema 4" 4 "$(sql 'PRAGMA user_version')"
cp "$T/upgrade/good.db" "$DB"

# --- the first open: schema 5 in one step, verify ---------------------------------------
run "verify on the release's database" verify
has "verify counts every job" "$T/out" "11 jobs consistent"
is "the schema is 5 after one open" 5 "$(sql 'PRAGMA user_version')"
is "jobs carry the v5 states" 1 "$(count sqlite_master "name = 'jobs' AND sql LIKE '%''ready''%'")"
is "the ServiceEvent gained outcome and reason" 2 \
    "$(sql "SELECT count(*) FROM pragma_table_info('service_events') WHERE name IN ('outcome', 'reason')")"
is "final-but-not-completed jobs became ready" "5 10" "$(sql "SELECT group_concat(id, ' ') FROM jobs WHERE state = 'ready'")"
is "... each with its audit row" 2 "$(count audit "entity = 'job' AND action = 'ready'")"
is "nothing else changed state" "active:5 complete:2 queued:2 ready:2" \
    "$(sql "SELECT group_concat(state || ':' || n, ' ') FROM (SELECT state, count(*) n FROM jobs GROUP BY state ORDER BY state)")"
run "verify again (the open changes nothing more)" verify

# --- this build retains exactly the release's specs -----------------------------------------
q --json surfaces
jqt --arg ec "$FP1_EC" --arg ad "$FP1_AD" \
    "event-coordination version 1 is retained" ".surfaces[] | select(.slug == \"$EC\") | .retained == [\$ec]" \
    "auto-detailing version 1 is retained" ".surfaces[] | select(.slug == \"$AD\") | .retained == [\$ad]" \
    "landscaping keeps one retained spec" ".surfaces[] | select(.slug == \"$LS\") | .retained | length == 1" \
    "the current specs are new" ".surfaces[] | select(.slug == \"$EC\") | .fingerprint != \$ec"
FP2_EC=$(jq -r ".surfaces[] | select(.slug == \"$EC\") | .fingerprint" "$T/out")
FP2_AD=$(jq -r ".surfaces[] | select(.slug == \"$AD\") | .fingerprint" "$T/out")

# --- old jobs keep running under version 1 ------------------------------------------------------
q --json job show 3
jqt --arg fp "$FP1_EC" "job 3 runs under version 1, phase arrived" '.fingerprint == $fp and .phase == "arrived"' \
    "... its intake in the operator's view" '.request.intake.event.venue == "Laguna Gloria"'
refuse "version 2's close does not reach a version-1 job" 5 "has no event 'close'" \
    --as ana job advance 2 close --reason "Venue flooded"
q --as ana job advance 4
is "job advance with no event: exit 2" 2 "$rc"
has "... lists version 1's events only" "$T/err" "may fire on job 4 now: complete (requires evidence)"
run "job 1 (queued) is claimed under version 1" --as ana job claim 1
is "... its ServiceEvent opens in v1's claimed" claimed "$(sql 'SELECT phase FROM service_events WHERE job_id = 1')"
is "... and the job keeps version 1" "$FP1_EC" "$(sql 'SELECT fingerprint FROM jobs WHERE id = 1')"
run "job 4 completes its v1 ServiceEvent" --as ana job advance 4 complete
q --json job show 4
jqt "... ready, with no outcome (v1 has none)" '.state == "ready" and .service_event.outcome == null'
run "job 4 complete" --as ana job complete 4
run "job 5 (ready since the open) complete" --as ana job complete 5
# evidence the release recorded is a text reference, not a file: since v5
# it no longer counts toward a contract (store_sqlite.c, the v5 step), so a
# job the release left waiting on its evidence gate needs the files
refuse "the release's evidence references do not count" 5 \
    "evidence missing: arrival (0 of 1), before (0 of 1), after (0 of 1)" --as bo job advance 9 complete
for c in arrival before after; do
    run "job 9: $c as a file" --as bo evidence add 9 $c "$(photo $c-9.jpg)"
done
run "job 9: auto-detailing v1 evidence -> complete" --as bo job advance 9 complete
run "job 9 complete" --as bo job complete 9
run "job 10 (ready) complete" --as bo job complete 10
q --json record show --job 4
jqt "job 4's record is a version-1 record" '.body.outcome.phase == "complete" and .body.outcome.label == "Complete"'
is "new records are signed with the release's key" $((SIGNED0 + 2)) "$(count record_signatures "key_id = (SELECT id FROM keys)")"
is "one signing key still" 1 "$(count keys)"
q --json job show 11
jqt --arg fp "$FP1_AD" "job 11: complete, partly paid, version 1" '.state == "complete" and .settlement.status == "partial" and .fingerprint == $fp'
run "record export of a record the release signed" record export --job 6 --out "$T/rec6.json"
PUB=$(sql 'SELECT public_key FROM keys')
run "record check with the release's key" record check "$T/rec6.json" --key "$PUB"
# governance under the new build: tasks the release left, new jobs on version 2
run "task 12 (in review) approved" --as dana task approve 12
run "task 12 assigned" --as dana task assign 12 --to bo
run "job from task 12" --json --as dana job create --task 12
J12=$(jv .job)
run "job from task 14 (assigned by the release)" --json --as dana job create --task 14
J14=$(jv .job)
is "new jobs start on version 2" 2 "$(count jobs "id IN ($J12, $J14) AND fingerprint = '$FP2_EC'")"
refuse "task 13 stays rejected" 5 "task 13 is rejected" --as dana job create --task 13
run "verify with both versions running" verify

# --- old credentials sign in to qtm serve -----------------------------------------------------
TOK_ANA=$(sed -n 's/^ana //p' "$FX/v4-release.tokens")
"$QTM" --db "$DB" serve --listen 127.0.0.1:0 >"$T/srv.out" 2>"$T/srv.err" &
SRV_PID=$!
U=
for i in $(seq 1 100); do
    U=$(sed -n 's|^qtm serve: listening on \(http://127.0.0.1:[0-9]*\)/.*|\1|p' "$T/srv.out")
    [ -n "$U" ] && break
    sleep 0.05
done
if [ -n "$U" ]; then ok; else bad "the server did not start: $(oneline <"$T/srv.err")"; fi
code=$(curl -s -o "$T/out" -w '%{http_code}' -H "Authorization: Bearer $TOK_ANA" "$U/api/jobs/3")
is "ana's token from the release reads her job" 200 "$code"
jqt "... under version 1" '.phase == "arrived"'
code=$(curl -s -o "$T/out" -w '%{http_code}' -H "Authorization: Bearer ${TOK_ANA}x" "$U/api/jobs/3")
is "a token the release never issued is unknown" 401 "$code"
kill -TERM "$SRV_PID" 2>/dev/null
wait "$SRV_PID"

# --- qtm migrate: jobs in flight move to version 2 -------------------------------------------
q migrate --check $EC
is "migrate --check $EC exits 0" 0 "$rc"
is "--check lists the two new jobs as current" 2 "$(grep -c "^job \($J12\|$J14\) .* current (nothing to do)$" "$T/out")"
grep -v 'current (nothing to do)$' "$T/out" >"$T/got"
cat >"$T/want" <<OUT
job 1    ${FP1_EC:0:19}  claimed        migrate -> claimed
job 2    ${FP1_EC:0:19}  claimed        migrate -> claimed
job 3    ${FP1_EC:0:19}  arrived        migrate -> arrived
3 to migrate, 0 cannot migrate (current $FP2_EC)
OUT
if diff -u "$T/want" "$T/got" >"$T/diff"; then ok; else bad "migrate --check $EC: $(oneline <"$T/diff")"; fi
q --json migrate --check $AD
jqt "migrate --check $AD: jobs 7 and 8" '.migrate == 2 and .cannot == 0 and ([.jobs[].job] == [7, 8])'
q migrate --check $LS
has "landscaping had no jobs in the release (it was planned)" "$T/out" "0 to migrate, 0 cannot migrate"
refuse "migrate by an operator" 4 "only an admin can migrate" --as ana migrate $EC
run "migrate $EC" --as dana migrate $EC
has "... three jobs" "$T/out" "migrated 3 jobs to $FP2_EC"
run "migrate $AD" --as dana migrate $AD
has "... two jobs" "$T/out" "migrated 2 jobs to $FP2_AD"
is "every job in flight is on version 2" 0 \
    "$(count jobs "state IN ('queued', 'active', 'ready') AND fingerprint NOT IN ('$FP2_EC', '$FP2_AD')")"
is "completed jobs keep version 1" 6 "$(count jobs "state = 'complete' AND fingerprint IN ('$FP1_EC', '$FP1_AD')")"
is "a fingerprint audit row per moved job" 5 "$(count audit "action = 'migrate' AND entity = 'fingerprint'")"
is "a phase audit row per moved ServiceEvent" 4 "$(count audit "action = 'migrate' AND entity = 'service_event'")"
run "verify after the migration" verify
has "... every job consistent" "$T/out" "13 jobs consistent"
run "migrating again changes nothing" --as dana migrate $EC
has "... nothing to move" "$T/out" "migrated 0 jobs"

# --- they finish under version 2 --------------------------------------------------------------------
q --json job show 3
jqt "job 3 now has version 2's summary" '.summary == "Sat 16 May: Wedding / Ceremony at Laguna Gloria, 140 guests"'
run "job 3 closed undelivered (version 2)" --as ana job advance 3 close --reason "Venue flooded"
run "job 3 complete" --as ana job complete 3
q --json record show --job 3
jqt "job 3's record: outcome closed, with the reason" '.body.outcome.outcome == "closed" and .body.outcome.reason == "Venue flooded"'
for e in arrive start complete; do run "job 2 $e" --as ana job advance 2 $e; done
run "job 2 complete" --as ana job complete 2
for e in arrive start complete; do run "job 1 $e" --as ana job advance 1 $e; done
run "job 1 complete" --as ana job complete 1
q --json record show --job 1
jqt "job 1's record: outcome delivered" '.body.outcome.outcome == "delivered"'
run "job 8 finish (version 2)" --as bo job advance 8 finish
for c in arrival before after; do
    run "job 8: $c as a file" --as bo evidence add 8 $c "$(photo $c-8.jpg)"
done
run "job 8 complete" --as bo job advance 8 complete
run "job 8 complete" --as bo job complete 8
for e in claim arrive start; do run "job 7 $e (version 2)" --as bo job advance 7 $e; done
q --json job show 7
jqt --arg fp "$FP2_AD" "job 7 runs on under version 2" '.fingerprint == $fp and .phase == "in_progress"'
is "ten of the release's jobs complete" 10 "$(count jobs "state = 'complete' AND id <= 11")"
is "every record signed with the release's key" "$(count records)" "$(count record_signatures)"
run "verify at the end" verify
has "... thirteen jobs" "$T/out" "13 jobs consistent"
finish

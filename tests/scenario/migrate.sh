#!/usr/bin/env bash
# tests/scenario/migrate.sh - versioned specs: jobs created under migrate-demo
# version 1 (tests/surfaces/history/migrate-demo.v1.qsm) by a qtm built while
# it was current (qtm-test-v1), then the rebuild: qtm-test holds version 2
# (tests/surfaces/migrate-demo.qsm: renames `arrived`, splits `in_progress`)
# as current and version 1 as retained.  Checks that old jobs keep running
# under their own tables, `migrate --check` exactly, the refusals (database
# byte-identical), the migration with its audit rows (fingerprint, phase), every job
# finished under version 2, and `verify`.
# QTM (default $BUILD/bin/qtm-test) is the rebuilt binary; QTM_V1 (default
# $BUILD/bin/qtm-test-v1) the one built with version 1.
. "$(dirname "$0")/lib.sh"
QTM_V1=${QTM_V1:-$BUILD/bin/qtm-test-v1}
case $QTM_V1 in /*) ;; *) QTM_V1=$ROOT/$QTM_V1 ;; esac
V2=$QTM
S=migrate-demo
FP1=sha256:06e9a412bcd65b9d3407f1308d4419bbe7fcfb19c890c337c3acc2658e060bdf
FP2=sha256:698b611dad12f26fa6940bb1f9abf2e4a46b39ce12aed2281630efe609222b9c
export QTM_FAKE_NOW=2026-03-01T09:00:00.000Z
printf '{"job": {"title": "Move the stage"}}\n' >"$T/intake.json"

# --- version 1 is current: one job in every phase, one completed --------------------
fresh mig
QTM=$QTM_V1
run "v1: init" init
setup_actors
q --json surface show $S
is "v1: the old build runs version 1" "$FP1" "$(jv .fingerprint)"
declare -a J
for k in 1 2 3 4 5 6; do
    new_job $S "$T/intake.json" ana
    J[$k]=$JOB
done
run "v1: claim job 2" --as ana job claim "${J[2]}"
for e in claim arrive; do run "v1: job 3 $e" --as ana job advance "${J[3]}" $e; done
for e in claim arrive start; do run "v1: job 4 $e" --as ana job advance "${J[4]}" $e; done
for e in claim arrive start complete; do run "v1: job 5 $e" --as ana job advance "${J[5]}" $e; done
for e in claim arrive start complete; do run "v1: job 6 $e" --as ana job advance "${J[6]}" $e; done
run "v1: job 6 complete" --as ana job complete "${J[6]}"
is "v1: every job carries version 1" 6 "$(count jobs "fingerprint = '$FP1'")"

# --- the rebuild: version 2 current, version 1 retained -----------------------------
QTM=$V2
q --json surfaces
jqt --arg fp1 "$FP1" --arg fp2 "$FP2" \
    "v2: current is version 2" ".surfaces[] | select(.slug == \"$S\") | .fingerprint == \$fp2" \
    "v2: version 1 is retained" ".surfaces[] | select(.slug == \"$S\") | .retained == [\$fp1]"
q --json job show "${J[3]}"
is "v2: an old job still shows its version-1 phase" arrived "$(jv .phase)"
q --json job show "${J[4]}"
is "v2: ... and runs under version 1's tables" in_progress "$(jv .phase)"
q --json desk
jqt --argjson j "${J[3]}" "v2: the desk labels an old job from its own spec" \
    '.active[] | select(.id == $j) | .label == "Arrived"'

q migrate --check $S
is "migrate --check exits 0" 0 "$rc"
cat >"$T/want" <<OUT
job ${J[1]}    sha256:06e9a412bcd6  queued         migrate -> queued
job ${J[2]}    sha256:06e9a412bcd6  claimed        migrate -> claimed
job ${J[3]}    sha256:06e9a412bcd6  arrived        migrate -> on_site
job ${J[4]}    sha256:06e9a412bcd6  in_progress    migrate -> setup
job ${J[5]}    sha256:06e9a412bcd6  complete       migrate -> complete
5 to migrate, 0 cannot migrate (current $FP2)
OUT
if diff -u "$T/want" "$T/out" >"$T/diff"; then ok; else bad "migrate --check output: $(oneline <"$T/diff")"; fi
q --json migrate --check $S
jqt "--check --json: five jobs, all to migrate" '.migrate == 5 and .cannot == 0 and (.jobs | length) == 5' \
    "--check --json: the completed job is not listed" "[.jobs[].job] | index($((J[6]))) == null" \
    "--check --json: arrived goes to on_site" '.jobs[2] | .phase == "arrived" and .to == "on_site" and .action == "migrate"'

# --- refusals leave the database byte-identical --------------------------------------
refuse "migrate by an operator" 4 "only an admin can migrate" --as ana migrate $S
refuse "migrate without an actor" 2 "needs an actor" migrate $S
refuse "migrate an unknown surface" 3 "no surface 'nope'" --as admin migrate nope
refuse "migrate --check of an unknown surface" 3 "no surface 'nope'" migrate --check nope
refuse "migrate with two surfaces" 2 "one SURFACE" --as admin migrate $S $S
# a job created under a spec this binary has never seen cannot migrate: nothing moves
cp "$DB" "$T/mig/good.db"
sql "UPDATE jobs SET fingerprint = 'sha256:$(printf '0%.0s' $(seq 64))' WHERE id = ${J[2]}" >/dev/null
refuse "migrate with an unknown fingerprint among the jobs" 5 "job ${J[2]} cannot migrate" --as admin migrate $S
q migrate --check $S
has "--check names the job that cannot migrate" "$T/out" "cannot: no \`migrate from\` leads from sha256:0000"
refuse "an unknown fingerprint is never run" 5 "which this qtm was not built with" --as ana job advance "${J[2]}" arrive
cp "$T/mig/good.db" "$DB"

# --- migrate ----------------------------------------------------------------------------
run "migrate as admin" --as admin migrate $S
has "migrate reports the move" "$T/out" "migrated 5 jobs to $FP2"
is "every job in flight is on version 2" 5 "$(count jobs "fingerprint = '$FP2'")"
is "the completed job keeps version 1" "$FP1" "$(sql "SELECT fingerprint FROM jobs WHERE id = ${J[6]}")"
is "a fingerprint audit row per migrated job" 5 "$(count audit "action = 'migrate' AND entity = 'fingerprint' AND from_state = '$FP1' AND to_state = '$FP2'")"
is "a phase audit row per migrated ServiceEvent" 4 "$(count audit "action = 'migrate' AND entity = 'service_event'")"
is "arrived became on_site" on_site "$(sql "SELECT phase FROM service_events WHERE job_id = ${J[3]}")"
is "in_progress became setup" setup "$(sql "SELECT phase FROM service_events WHERE job_id = ${J[4]}")"
run "verify after the migration" verify
q migrate --check $S
has "a second --check has nothing to do" "$T/out" "0 to migrate, 0 cannot migrate"
run "migrating again changes nothing" --as admin migrate $S
is "... no new audit row" 9 "$(count audit "action = 'migrate'")"
QTM=$QTM_V1
refuse "the old build refuses a migrated job" 5 "which this qtm was not built with" --as ana job advance "${J[3]}" start
QTM=$V2

# --- finish every job under version 2 --------------------------------------------------
for e in claim arrive start run complete; do run "v2: job 1 $e" --as ana job advance "${J[1]}" $e; done
for e in arrive start run complete; do run "v2: job 2 $e" --as ana job advance "${J[2]}" $e; done
for e in start run complete; do run "v2: job 3 $e" --as ana job advance "${J[3]}" $e; done
refuse "v2: the old event sequence is gone (setup needs run)" 5 "'complete' is not allowed" \
    --as ana job advance "${J[4]}" complete
for e in run complete; do run "v2: job 4 $e" --as ana job advance "${J[4]}" $e; done
for k in 1 2 3 4 5; do run "v2: job $k complete" --as ana job complete "${J[$k]}"; done
is "every job is complete" 6 "$(count jobs "state = 'complete'")"
is "every job has its record" 6 "$(count records)"
run "verify at the end" verify
has "verify counts six jobs" "$T/out" "6 jobs consistent"
finish

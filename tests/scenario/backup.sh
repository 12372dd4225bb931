#!/usr/bin/env bash
# tests/scenario/backup.sh - backups and a full disk.
#
# `qtm backup FILE` taken again and again during a (bounded) write load:
# every copy verifies, by itself and by `qtm verify`, mode 0600, no .tmp
# left; a restored copy serves (qtm serve on it answers GET /api/jobs/ID);
# `qtm serve --backup-every 1s --backup-keep 3` keeps exactly 3 (and leaves
# other files alone); the refusals (exit 2, nothing written).  Then, as
# root, a database on a 2 MiB tmpfs filled during a write load: refused
# writes exit 10 / answer 507 "the disk is full: ...", change nothing,
# verify and integrity_check pass, reads work, and writes work again once
# space is freed.  Not root: that part prints "skipped: not root".
. "$(dirname "$0")/lib.sh"
EC=event-coordination
W=$EX/event-coordination-wedding.json
command -v curl >/dev/null 2>&1 || { bad "curl is not installed (tools/deps.sh installs it)"; finish; }

SRV_PID=
trap '[ -n "$SRV_PID" ] && kill -KILL "$SRV_PID" 2>/dev/null; [ -n "${LOAD_PIDS:-}" ] && kill $LOAD_PIDS 2>/dev/null;
      mountpoint -q "$T/full" 2>/dev/null && umount "$T/full"; rm -rf "$T"' EXIT

# serve_on DB LOG [ARGS...]: starts qtm serve on DB (any port); sets SRV_PID and U
serve_on() {
    local db=$1 log=$2 i
    shift 2
    "$QTM" --db "$db" serve --listen 127.0.0.1:0 "$@" >"$log.out" 2>"$log.err" &
    SRV_PID=$!
    U=
    for i in $(seq 1 200); do
        U=$(sed -n 's|^qtm serve: listening on \(http://127.0.0.1:[0-9]*\)/.*|\1|p' "$log.out")
        [ -n "$U" ] && break
        kill -0 "$SRV_PID" 2>/dev/null || break
        sleep 0.05
    done
    [ -n "$U" ] || bad "qtm serve on $db did not start: $(oneline <"$log.err")"
}
serve_stop() {
    kill -TERM "$SRV_PID"
    wait "$SRV_PID"
    is "serve stops cleanly" 0 "$?"
    SRV_PID=
}

# one job carried from intake to completion by operator $2 on database $1
job_through() {
    local db=$1 op=$2 line task job e
    line=$("$QTM" --db "$db" request submit $EC --intake "$W" 2>/dev/null) || return 1
    task=${line#*task }
    task=${task%% *}
    "$QTM" --db "$db" --as admin task approve "$task" >/dev/null 2>&1 || return 1
    "$QTM" --db "$db" --as admin task assign "$task" --to "$op" >/dev/null 2>&1 || return 1
    line=$("$QTM" --db "$db" --as admin job create --task "$task" 2>/dev/null) || return 1
    job=${line#job }
    job=${job%% *}
    "$QTM" --db "$db" --as "$op" job claim "$job" >/dev/null 2>&1 || return 1
    for e in arrive start complete; do
        "$QTM" --db "$db" --as "$op" job advance "$job" $e >/dev/null 2>&1 || return 1
    done
    "$QTM" --db "$db" --as "$op" job complete "$job" >/dev/null 2>&1
}

# copy_ok NAME FILE: FILE is a sound database: integrity_check and qtm verify
copy_ok() {
    is "$1: integrity_check" ok "$(sqlite3 "$2" 'PRAGMA integrity_check' 2>&1)"
    if "$QTM" --db "$2" verify >"$T/v.out" 2>&1; then ok; else bad "$1: verify: $(oneline <"$T/v.out")"; fi
}

# --- refusals ------------------------------------------------------------
fresh bk
run "init" init
run "actor add admin" actor add admin --role admin
run "actor add ana" actor add ana --role operator
run "actor add bo" actor add bo --role operator
new_job $EC "$W" ana
FIRST=$JOB
TOKEN=$("$QTM" --db "$DB" token issue admin 2>/dev/null)

echo "not a backup" >"$T/exists.db"
refuse "backup onto an existing file" 2 "exists: give another name, or --force" backup "$T/exists.db"
is "the existing file is untouched" "not a backup" "$(cat "$T/exists.db")"
refuse "backup without FILE" 2 "usage: qtm backup FILE" backup
refuse "backup into a missing directory" 10 "cannot create" backup "$T/no/such/dir/x.db"
mkdir "$T/adir"
refuse "backup --force onto a directory" 2 "is not a regular file" backup --force "$T/adir"
refuse "serve --backup-every without --backup-dir" 2 "backups need both --backup-dir" \
    serve --listen 127.0.0.1:0 --backup-every 1h
refuse "serve --backup-dir missing" 2 "is not a directory this user can write" \
    serve --listen 127.0.0.1:0 --backup-dir "$T/nodir" --backup-every 1h
refuse "serve --backup-every nonsense" 2 "--backup-every takes a duration" \
    serve --listen 127.0.0.1:0 --backup-dir "$T/adir" --backup-every often
refuse "serve --backup-keep 0" 2 "--backup-keep" \
    serve --listen 127.0.0.1:0 --backup-dir "$T/adir" --backup-every 1h --backup-keep 0
run "backup --force replaces a file" backup --force "$T/exists.db"
copy_ok "forced backup" "$T/exists.db"
refuse "backup --force onto the live database" 2 "is the database being backed up" \
    backup --force "$DB"
# a replaced backup's own -wal must not be replayed onto the new copy
"$QTM" --db "$T/exists.db" actor add zed --role client >/dev/null 2>&1
is "the old copy kept a write-ahead log" 1 "$([ -s "$T/exists.db-wal" ] && echo 1 || echo 0)"
run "backup --force over a copy with a log" backup --force "$T/exists.db"
copy_ok "forced backup over a copy with a log" "$T/exists.db"
is "... holds the live database, not the old copy's log" 0 \
    "$(sqlite3 "$T/exists.db" "SELECT count(*) FROM actors WHERE slug = 'zed'" 2>&1)"
# a database that does not verify gives no backup (exit 1, the file removed)
cp "$DB" "$T/tampered.db"
sqlite3 "$T/tampered.db" "DROP TRIGGER audit_no_update; UPDATE audit SET action = 'edited' WHERE id = 1"
"$QTM" --db "$T/tampered.db" backup "$T/of-tampered.db" >"$T/out" 2>"$T/err"
is "backup of a database that does not verify: exit" 1 "$?"
has "it says why" "$T/err" "the copy does not verify"
is "no copy is left" "" "$(ls "$T" | grep '^of-tampered')"

# --- backups during a write load -----------------------------------------
# two workers, 12 jobs each, carried to completion (bounded); backups are
# taken one after the other while they run
LOAD_PIDS=
for op in ana bo; do
    ( for i in $(seq 1 12); do job_through "$DB" $op; done ) </dev/null >/dev/null 2>&1 &
    LOAD_PIDS="$LOAD_PIDS $!"
done
n=0
mkdir "$T/copies"
while [ "$n" -lt 3 ] || { [ "$n" -lt 20 ] && kill -0 $LOAD_PIDS 2>/dev/null; }; do
    n=$((n + 1))
    q backup "$T/copies/b$n.db"
    if [ "$rc" -eq 0 ]; then ok; else bad "backup $n during the load: exit $rc: $(oneline <"$T/err")"; fi
    has "backup $n says it verified" "$T/out" "verify: ok"
done
during=$n
for p in $LOAD_PIDS; do wait "$p"; done
LOAD_PIDS=
is "no .tmp, -wal or -shm left beside the copies" "" "$(ls "$T/copies" | grep -v '^b[0-9]*\.db$')"
for ((i = 1; i <= during; i++)); do
    copy_ok "backup $i of $during" "$T/copies/b$i.db"
    is "backup $i mode" 600 "$(stat -c %a "$T/copies/b$i.db")"
done
is "the load finished: 25 jobs" 25 "$(count jobs)"
echo "# backup: $during backups taken during a load of 24 jobs"

# --- a restored backup serves --------------------------------------------
q backup "$T/final.db"
fresh restored
cp "$T/final.db" "$DB"
run "verify the restored copy" verify
is "the restored copy holds every job" 25 "$(count jobs)"
serve_on "$DB" "$T/restored"
code=$(curl -s -o "$T/out" -w '%{http_code}' -H "Authorization: Bearer $TOKEN" "$U/api/jobs/$FIRST")
is "GET a job from the restored copy" 200 "$code"
jqt --argjson id "$FIRST" "it is the job" '.id == $id'
code=$(curl -s -o "$T/out" -w '%{http_code}' -H "Authorization: Bearer $TOKEN" "$U/api/jobs/25")
is "GET the last job from the restored copy" 200 "$code"
jqt "the last job is complete" '.state == "complete"'
serve_stop

# --- serve --backup-every 1s --backup-keep 3 -----------------------------
DB=$T/bk/qtm.db
mkdir "$T/every"
echo "keep me" >"$T/every/notes.txt"
echo "keep me too" >"$T/every/qtm-latest.db"
serve_on "$DB" "$T/every" --backup-dir "$T/every" --backup-every 1s --backup-keep 3
has "serve says it backs up" "$T/every.out" "a backup every 1 s in $T/every, keeping the newest 3"
# writes meanwhile, through the server (bounded), then wait for 5 backups
before=$(count requests)
for i in $(seq 1 10); do
    curl -s -o /dev/null -H 'Content-Type: application/json' --data-binary @"$W" \
        "$U/api/requests/$EC"
done
for i in $(seq 1 300); do
    [ "$(grep -c 'verify ok' "$T/every.err")" -ge 5 ] && break
    sleep 0.1
done
serve_stop
taken=$(grep -c 'verify ok' "$T/every.err")
if [ "$taken" -ge 5 ]; then ok; else bad "serve took $taken backups, want >= 5: $(oneline <"$T/every.err")"; fi
is "no failed backup" 0 "$(grep -c 'failed' "$T/every.err")"
kept=$(ls "$T/every" | grep -cE '^qtm-[0-9]{8}T[0-9]{6}\.[0-9]{3}Z\.db$')
is "--backup-keep 3 keeps exactly 3" 3 "$kept"
is "the newest 3 are kept" "$(grep -o 'qtm-[0-9T.]*Z\.db' "$T/every.err" | tail -n 3 | tr '\n' ' ')" \
    "$(ls "$T/every" | grep -E '^qtm-[0-9]{8}T' | tr '\n' ' ')"
is "other files are left alone" "keep me|keep me too" "$(cat "$T/every/notes.txt")|$(cat "$T/every/qtm-latest.db")"
for f in "$T"/every/qtm-2*.db; do
    copy_ok "kept $(basename "$f")" "$f"
    is "kept $(basename "$f") mode" 600 "$(stat -c %a "$f")"
done
is "the last kept backup has the requests sent" $((before + 10)) \
    "$(sqlite3 "$(ls "$T"/every/qtm-2*.db | tail -n 1)" 'SELECT count(*) FROM requests')"

# restoring over the live database (as README says): the server stopped,
# the copy back, the old -wal and -shm gone; it is the backup's moment
want=$(sqlite3 "$T/final.db" 'SELECT count(*) FROM requests')
if [ "$(count requests)" -gt "$want" ]; then ok; else bad "the database did not move on after final.db"; fi
cp "$T/final.db" "$DB" && rm -f "$DB-wal" "$DB-shm"
run "verify after restoring over the database" verify
is "the restored database is the backup's moment" "$want" "$(count requests)"

# --- a full disk ---------------------------------------------------------
if [ "$(id -u)" != 0 ]; then
    echo "skipped: not root (the full-disk checks mount a tmpfs)"
    finish
fi
mkdir "$T/full"
if ! mount -t tmpfs -o size=2m tmpfs "$T/full"; then
    bad "cannot mount a 2 MiB tmpfs at $T/full"
    finish
fi
DB=$T/full/qtm.db
run "full: init" init
run "full: actor add admin" actor add admin --role admin
run "full: actor add ana" actor add ana --role operator
new_job $EC "$W" ana
FJOB=$JOB
run "full: a task to approve later" --json request submit $EC --intake "$W"
FTASK=$(jv '.task')
FTOKEN=$("$QTM" --db "$DB" token issue admin 2>/dev/null)
serve_on "$DB" "$T/fullsrv" --intake-rate 0
# a write load (bounded) while a filler takes every free block
( for i in $(seq 1 200); do
      "$QTM" --db "$DB" request submit $EC --intake "$W" >/dev/null 2>>"$T/load.err"
      echo $? >>"$T/load.rc"
  done ) </dev/null &
LOAD_PIDS=$!
for i in $(seq 1 100); do   # the filler comes once the load is under way
    [ "$(cat "$T/load.rc" 2>/dev/null | wc -l)" -ge 5 ] && break
    sleep 0.05
done
dd if=/dev/zero of="$T/full/filler" bs=4k 2>/dev/null
wait $LOAD_PIDS
LOAD_PIDS=
is "the load's writes either stored or were refused for the full disk" "" \
    "$(grep -vxE '0|10' "$T/load.rc" | sort -u | tr '\n' ' ')"
if grep -qx 10 "$T/load.rc"; then ok; else bad "full: no write of the load was refused"; fi
is "every refusal says the disk is full" "" "$(grep -v 'qtm: error: the disk is full: ' "$T/load.err" | head -n 3)"
# A full disk refuses a write only when the log must grow: the space it
# had is reused once a checkpoint restarts it, and such a write is stored.
# So each check retries (bounded) until a write is refused, and holds that
# refusal to changing nothing.
for i in $(seq 1 100); do
    dump "$T/before"
    q request submit $EC --intake "$W"
    [ "$rc" = 0 ] || break
done
dump "$T/after"
is "full: a CLI write is refused: exit" 10 "$rc"
has "full: the CLI says the disk is full" "$T/err" "qtm: error: the disk is full: "
if cmp -s "$T/before" "$T/after"; then ok; else bad "full: a refused CLI write changed the database"; fi
code=000
for i in $(seq 1 100); do
    dump "$T/before"
    code=$(curl -s -o "$T/out" -w '%{http_code}' -H 'Content-Type: application/json' \
        --data-binary @"$W" "$U/api/requests/$EC")
    [ "$code" = 201 ] || break
done
dump "$T/after"
is "full: an HTTP write answers 507" 507 "$code"
jqt "full: the 507 says the disk is full" '.error.message | startswith("the disk is full: ")' \
    "full: category storage" '.error.category == "storage"'
if cmp -s "$T/before" "$T/after"; then ok; else bad "full: a 507 changed the database"; fi
run "full: reads work (CLI)" job show "$FJOB"
code=$(curl -s -o "$T/out" -w '%{http_code}' -H "Authorization: Bearer $FTOKEN" "$U/api/jobs/$FJOB")
is "full: reads work (HTTP)" 200 "$code"
is "full: integrity_check" ok "$(sql 'PRAGMA integrity_check')"
run "full: verify" verify
is "full: no half-stored request (every request has its task)" 0 \
    "$(sql 'SELECT count(*) FROM requests r LEFT JOIN tasks t ON t.request_id = r.id WHERE t.id IS NULL')"
rm -f "$T/full/filler"
run "freed: a write works again (CLI)" request submit $EC --intake "$W"
code=$(curl -s -o "$T/out" -w '%{http_code}' -H "Authorization: Bearer $FTOKEN" -X POST \
    "$U/api/tasks/$FTASK/approve")
is "freed: a write works again (HTTP)" 200 "$code"
serve_stop
run "freed: verify" verify
is "freed: integrity_check" ok "$(sql 'PRAGMA integrity_check')"
echo "# backup: full disk: $(grep -cx 0 "$T/load.rc") writes of the load stored, $(grep -cx 10 "$T/load.rc") refused"
umount "$T/full"
finish

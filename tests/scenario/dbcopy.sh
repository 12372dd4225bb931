#!/usr/bin/env bash
# tests/scenario/dbcopy.sh - `qtm db copy FROM TO`: a database holding every
# kind of row (actors, tokens live and revoked, a web session, a signing
# key, jobs on both open surfaces with photos and evidence files, a signed
# record, a settlement with a reversal, a reassign, a hand-over, a cancel,
# notes, participants, an unreferenced upload) copied SQLite -> SQLite, its
# .dump compared with the original's; a target holding qtm data refused
# (exit 6, unchanged).  With QTM_TEST_PG (a base URI such as
# postgresql:///postgres?host=DIR&user=qtm): SQLite -> a new PostgreSQL
# database (verify passes there, job show and log give the same JSON), a
# refused second copy, PostgreSQL -> a new SQLite file whose dump is the
# original's, then a claim and an advance on the PostgreSQL copy, verify.
. "$(dirname "$0")/lib.sh"
export QTM_FAKE_NOW=2026-01-01T00:00:00Z

# The source and the SQLite copies are files whatever backend the other
# suites run on, so this suite reads them with sqlite3 itself (lite, lcount,
# lrefuse) rather than through lib.sh's sql, count and refuse.
lite() { sqlite3 -cmd '.timeout 10000' "$DB" "$1" 2>&1; }
lcount() { lite "SELECT count(*) FROM $1${2:+ WHERE $2}"; }
# lrefuse NAME STATUS TEXT ARGS...: refuse, on the SQLite file $DB
lrefuse() {
    local name=$1 want=$2 text=$3
    shift 3
    sqlite3 "$DB" .dump >"$T/before" 2>&1
    q "$@"
    sqlite3 "$DB" .dump >"$T/after" 2>&1
    is "$name: exit" "$want" "$rc"
    has "$name: message" "$T/err" "$text"
    if [ -s "$T/before" ] && cmp -s "$T/before" "$T/after"; then ok; else
        bad "$name: the database changed: $(diff "$T/before" "$T/after" | oneline)"
    fi
}
# the PostgreSQL databases this suite made, dropped at exit (with lib.sh's own)
MADE_PG=""
cleanup() {
    local d
    for d in $MADE_PG; do
        psql -qX "$QTM_TEST_PG" -c "DROP DATABASE IF EXISTS $d" >/dev/null 2>&1
    done
    if declare -F lib_cleanup >/dev/null; then lib_cleanup; else rm -rf "$T"; fi
}
trap cleanup EXIT
# newpg NAME: a new empty PostgreSQL database; its URI in PGURI
newpg() {
    psql -qX "$QTM_TEST_PG" -c "DROP DATABASE IF EXISTS $1" -c "CREATE DATABASE $1" >/dev/null 2>&1 ||
        bad "cannot create the PostgreSQL database $1"
    MADE_PG="$MADE_PG $1"
    PGURI=$(printf '%s' "$QTM_TEST_PG" | sed -E "s#^(postgres(ql)?://[^/?]*)(/[^?]*)?#\1/$1#")
}

# --- the source: every table written through qtm ---------------------------------
mkdir -p "$T/src"
DB=$T/src/qtm.db
SRC=$DB
run "init" init
setup_actors
run "key init" key init
run "token issue ana" token issue ana --expires 90d
run "token issue bo" token issue bo
run "token revoke bo" token revoke bo
# a web session (qtm serve's login writes it; no CLI command does): sessions
# are not governed, and the copy carries them as they are
lite "INSERT INTO sessions(hash, token_id, csrf, created_at, expires_at) VALUES('$(printf '%064d' 7)', 1, 'csrf-secret', '2026-01-01T00:00:00Z', 1893456000)" >/dev/null

# job 1, auto-detailing: intake photos, evidence files, a signed record, a
# settlement with a reversal, a participant, a note
new_job auto-detailing "$EX/auto-detailing.json" ana 2
J1=$JOB
run "job 1: claim" --as ana job claim "$J1"
run "job 1: participant" --as ana participant add "$J1" --name "Vic's Flowers" --role vendor --contact vic@example.com
run "job 1: arrive" --as ana job advance "$J1" arrive
run "job 1: start" --as ana job advance "$J1" start
run "job 1: note" --as ana note add "$J1" --text "gate code 1234"
run "job 1: evidence arrival" --as ana evidence add "$J1" arrival "$(photo arrival.jpg)" --note driveway
run "job 1: evidence before" --as ana evidence add "$J1" before "$(photo before.png png)"
run "job 1: evidence after" --as ana evidence add "$J1" after "$(photo after.webp webp)"
run "job 1: finish" --as ana job advance "$J1" finish
run "job 1: complete the ServiceEvent" --as ana job advance "$J1" complete
run "job 1: job complete" --as ana job complete "$J1"
run "job 1: settle 100 of 150" --as admin settle "$J1" --amount 100 --method cash --due 150
run "job 1: settle 80 more" --as ana settle "$J1" --amount 80 --method zelle
run "job 1: reverse payment 1" --as admin settle "$J1" --reverse 1 --reason "cheque bounced"
# job 2, event-coordination: reassigned while queued, claimed, handed over
new_job event-coordination "$EX/event-coordination-wedding.json" ana
J2=$JOB
run "job 2: reassign to bo" --as admin job reassign "$J2" --to bo --reason "ana is away"
run "job 2: bo claims" --as bo job claim "$J2"
run "job 2: arrive" --as bo job advance "$J2" arrive
run "job 2: hand over to ana" --as admin job handover "$J2" --to ana --reason "bo is ill"
run "job 2: note" --as admin note add "$J2" --text "the florist comes at noon"
# job 3: cancelled before the claim
new_job event-coordination "$EX/event-coordination-wedding.json" bo
J3=$JOB
run "job 3: cancel" --as admin job cancel "$J3" --reason "the client moved"
# job 4: queued, claimed later on the PostgreSQL copy
new_job event-coordination "$EX/event-coordination-wedding.json" ana
J4=$JOB
run "an unreferenced upload" --as cli blob put "$(photo loose.jpg)"
run "the source verifies" verify
for t in actors tokens sessions keys blobs blob_chunks blob_uploaders request_photos jobs evidence \
    records record_signatures payments handoffs notes participants audit; do
    if [ "$(lcount $t)" -gt 0 ]; then ok; else bad "the source has no row in $t"; fi
done
is "a revoked token" 1 "$(lcount tokens "revoked_at IS NOT NULL")"
is "a reversal" 1 "$(lcount payments "reversal_of IS NOT NULL")"
is "a signed record" 1 "$(lcount record_signatures)"

# dumpdb DB FILE: the dump, the FTS5 index's own tables left out: the copy
# rebuilds job_search from its jobs (the jobs insert trigger) in one
# transaction, so its segments are laid out otherwise; its content rows are
# compared on their own below
dumpdb() {
    sqlite3 "$1" .dump | grep -Ev "^INSERT INTO job_search_(data|idx)\b" >"$2"
}
# same_search A B NAME: the search index holds the same text per job
same_search() {
    local a b
    a=$(sqlite3 "$1" "SELECT rowid, text FROM job_search ORDER BY rowid")
    b=$(sqlite3 "$2" "SELECT rowid, text FROM job_search ORDER BY rowid")
    if [ -n "$a" ] && [ "$a" = "$b" ]; then ok; else bad "$3: the search index differs"; fi
}

# --- SQLite -> SQLite --------------------------------------------------------------
COPY1=$T/copy1.db
run "copy SQLite -> SQLite" db copy "$SRC" "$COPY1"
has "copy: the summary" "$T/out" "verify: ok"
has "copy: the chain's length" "$T/out" "audit chain of $(lcount audit) rows"
dumpdb "$SRC" "$T/src.sql"
dumpdb "$COPY1" "$T/copy1.sql"
if cmp -s "$T/src.sql" "$T/copy1.sql"; then ok; else
    bad "the copy's dump differs: $(diff "$T/src.sql" "$T/copy1.sql" | head -20)"
fi
same_search "$SRC" "$COPY1" "SQLite -> SQLite"
is "the copy's chain head" "$(lite "SELECT seq, hash, legacy_seq FROM chain_head")" \
    "$(sqlite3 "$COPY1" "SELECT seq, hash, legacy_seq FROM chain_head")"
is "the key's rowid (its audit entity id)" "$(lite "SELECT rowid, id FROM keys")" \
    "$(sqlite3 "$COPY1" "SELECT rowid, id FROM keys")"
is "the photos' order (rowid)" "$(lite "SELECT rowid, request_id, blob_id FROM request_photos")" \
    "$(sqlite3 "$COPY1" "SELECT rowid, request_id, blob_id FROM request_photos")"
is "file bytes are bytes" "$(lite "SELECT group_concat(typeof(data)) FROM (SELECT DISTINCT typeof(data) AS data FROM blob_chunks)")" \
    "$(sqlite3 "$COPY1" "SELECT group_concat(typeof(data)) FROM (SELECT DISTINCT typeof(data) AS data FROM blob_chunks)")"
q --json db copy "$SRC" "$T/copy1b.db"
cp "$T/out" "$T/copy.json"
jqt --argjson n "$(lcount audit)" \
    "copy --json: every table with its rows" '(.tables | length) == 23 and ([.tables[].rows] | add) == .rows' \
    "copy --json: the chain" '.chain == $n and .verify.ok == true and .verify.findings == []' \
    "copy --json: the blobs" '[.tables[] | select(.table == "blob_chunks") | .rows > 0] == [true]'
# every table of the schema is copied but the search index (derived): a
# table added to the schema and not to store_copy.c's list fails here
is "copy --json: the tables are the schema's" \
    "$(lite "SELECT name FROM sqlite_master WHERE type = 'table' AND name NOT LIKE 'job_search%' ORDER BY name")" \
    "$(jq -r '.tables[].table' "$T/out" | sort)"
DB=$COPY1
run "the copy serves: a job" --json --as ana job show "$J1"
jqt "the copy serves: job 1 complete" '.state == "complete" and .owner == "ana"'
run "the copy: a new claim" --as ana job claim "$J4"
run "the copy: verify after a write" verify
DB=$SRC

# --- refusals: a target that holds qtm data ---------------------------------------
DB=$T/copy1b.db
lrefuse "copy onto an existing file" 6 "exists: copy into a new file" db copy "$SRC" "$DB"
: >"$T/empty.db"
DB=$T/empty.db
lrefuse "copy onto an empty file" 6 "exists" db copy "$SRC" "$DB"
DB=$SRC
lrefuse "copy onto itself" 6 "exists" db copy "$SRC" "$SRC"
q db copy "$T/missing.db" "$T/never.db"
is "copy from no database: exit" 10 "$rc"
has "copy from no database: message" "$T/err" "no database at"
if [ ! -e "$T/never.db" ]; then ok; else bad "a failed copy left its target"; fi
q db copy "$SRC"
is "copy without TO: usage" 2 "$rc"

# --- a source that does not verify: copied as it is, the verdict says so ----------
cp "$SRC" "$T/tampered.db"
sqlite3 "$T/tampered.db" "UPDATE jobs SET state = 'queued' WHERE id = $J2"
q db copy "$T/tampered.db" "$T/copy-tampered.db"
is "copy of a tampered database: exit 1 (verify)" 1 "$rc"
has "copy of a tampered database: the verdict" "$T/out" "verify: FAILED"
has "copy of a tampered database: the findings" "$T/out" "problem: "
has "copy of a tampered database: the copy is kept" "$T/err" "kept for inspection"
is "copy of a tampered database: the copy holds the tampered row" queued \
    "$(sqlite3 "$T/copy-tampered.db" "SELECT state FROM jobs WHERE id = $J2")"

# --- PostgreSQL ---------------------------------------------------------------------
if [ -n "${QTM_TEST_PG:-}" ]; then
    # a database of our own on the test server: the base URI with another name
    newpg qtm_dbcopy_b_$$
    PGURI2=$PGURI
    newpg qtm_dbcopy_$$
    # (pg_dump 15.14 on brackets its output in \restrict KEY, a new key each run)
    pgdump() { pg_dump --data-only --no-owner "$PGURI" 2>&1 | grep -Ev '^(--|\\(un)?restrict )' >"$1"; }

    run "copy SQLite -> PostgreSQL" db copy "$SRC" "$PGURI"
    has "PostgreSQL: verify passes on the copy" "$T/out" "verify: ok"
    DB=$PGURI
    run "PostgreSQL: verify" verify
    for j in "$J1" "$J2" "$J3" "$J4"; do
        a=$("$QTM" --db "$SRC" --json job show "$j" 2>&1)
        b=$("$QTM" --db "$PGURI" --json job show "$j" 2>&1)
        is "job show $j: the same JSON on both" "$a" "$b"
    done
    a=$("$QTM" --db "$SRC" --json log --limit 1000 2>&1)
    b=$("$QTM" --db "$PGURI" --json log --limit 1000 2>&1)
    is "log: the same JSON on both" "$a" "$b"
    a=$("$QTM" --db "$SRC" --json settlement show "$J1" 2>&1)
    b=$("$QTM" --db "$PGURI" --json settlement show "$J1" 2>&1)
    is "settlement show: the same JSON on both" "$a" "$b"
    a=$("$QTM" --db "$SRC" --json record export --job "$J1" 2>&1)
    b=$("$QTM" --db "$PGURI" --json record export --job "$J1" 2>&1)
    is "record export (the signature): the same on both" "$a" "$b"
    h=sha256:$(sqlite3 "$SRC" "SELECT hash FROM blobs WHERE id = 1")
    a=$("$QTM" --db "$SRC" blob get "$h" | sha256sum)
    b=$("$QTM" --db "$PGURI" blob get "$h" | sha256sum)
    is "blob get: the same bytes on both" "$a" "$b"

    is "PostgreSQL: the tables are the copied ones and job_search" \
        "$({ jq -r '.tables[].table' "$T/copy.json"; echo job_search; } | sort)" \
        "$(psql -qXtA "$PGURI" -c "SELECT table_name FROM information_schema.tables WHERE table_schema = current_schema() AND table_type = 'BASE TABLE' ORDER BY 1" | LC_ALL=C sort)"
    pgdump "$T/pg.before"
    q db copy "$SRC" "$PGURI"
    is "copy onto PostgreSQL holding qtm data: exit" 6 "$rc"
    has "copy onto PostgreSQL holding qtm data: message" "$T/err" "already holds qtm data"
    pgdump "$T/pg.after"
    if cmp -s "$T/pg.before" "$T/pg.after"; then ok; else bad "the refused copy changed the PostgreSQL database"; fi

    # back to SQLite before any write on PostgreSQL: the original's dump
    COPY2=$T/copy2.db
    run "copy PostgreSQL -> SQLite" db copy "$PGURI" "$COPY2"
    has "PostgreSQL -> SQLite: verify" "$T/out" "verify: ok"
    dumpdb "$COPY2" "$T/copy2.sql"
    if cmp -s "$T/src.sql" "$T/copy2.sql"; then ok; else
        bad "the round trip's dump differs: $(diff "$T/src.sql" "$T/copy2.sql" | head -20)"
    fi
    same_search "$SRC" "$COPY2" "SQLite -> PostgreSQL -> SQLite"

    # a copy that fails half way leaves its target without a row, and may
    # be run again: PostgreSQL refuses a note that is not UTF-8
    cp "$SRC" "$T/bad.db"
    sqlite3 "$T/bad.db" "INSERT INTO notes(job_id, text, actor_id, at) VALUES($J2, CAST(X'61FF62' AS TEXT), 1, '2026-01-01T00:00:00Z')"
    q db copy "$T/bad.db" "$PGURI2"
    is "a failing copy: exit 10" 10 "$rc"
    has "a failing copy: names the table" "$T/err" "writing notes into the target"
    is "a failing copy: no row in the target" "0 0 0" \
        "$(psql -qXtA "$PGURI2" -c "SELECT (SELECT count(*) FROM actors) || ' ' || (SELECT count(*) FROM audit) || ' ' || (SELECT seq FROM chain_head)")"
    run "a failing copy: run again from a good source" db copy "$SRC" "$PGURI2"
    has "a failing copy: the second copy verifies" "$T/out" "verify: ok"

    # the PostgreSQL copy takes new commands: its ids go on past the copied ones
    DB=$PGURI
    run "PostgreSQL: claim job 4" --as ana job claim "$J4"
    run "PostgreSQL: advance job 4" --as ana job advance "$J4" arrive
    run "PostgreSQL: a new actor" --json actor add eve --role operator --name "Eve Ops"
    is "PostgreSQL: the new actor's id follows the copied ones" "$(($(sqlite3 "$SRC" "SELECT max(id) FROM actors") + 1))" \
        "$("$QTM" --db "$PGURI" --json actor list | jq '[.actors[] | select(.slug == "eve") | .id] | max')"
    run "PostgreSQL: a new note" --as ana note add "$J4" --text "after the copy"
    run "PostgreSQL: verify after the new commands" verify
    has "PostgreSQL: verify ok" "$T/out" "verify: ok"
    DB=$SRC
else
    echo "# dbcopy: QTM_TEST_PG is not set: the PostgreSQL part is skipped"
fi

finish

#!/usr/bin/env bash
# tests/scenario/run.sh - the CLI scenarios: the `qtm` binary end to end.
#
#   seed.sh      the seed's example for event-coordination and auto-detailing
#   refusals.sh  every refusal: exit status, message, database unchanged
#   api.sh       `qtm serve` over HTTP: every route and refusal, sessions, CSRF
#   access.sh    who reads what: every job route x every role, API and --as
#   transport.sh `qtm serve` against slowloris, trickled bodies, a locked
#                database, foreign Host names and ambiguous framing
#   race.sh      1,000 pool jobs claimed by 4 concurrent operators
#   crash.sh     workers killed with SIGKILL, >= 30 times; integrity + verify
#   migrate.sh   versioned specs: jobs under v1, rebuild with v2, migrate
#   upgrade.sh   the previous release's database (schema 4, every shipped
#                surface at version 1, fixtures/v4-release.sql): schema 5 in
#                one step, old jobs run on under version 1, migrate, verify
#   files.sh     database file modes, read-only copies (as nobody), refused
#                names, token expiry (401 from serve) and last use
#   escapes.sh   hostile text in every stored field: text views escape it,
#                --json round-trips it
#   paging.sh    every list command and route pages (--limit/--after, next_after)
#   handover.sh  job reassign, handover, release, cancel and note add, CLI and
#                HTTP, every refusal with the database unchanged; ready and
#                cancelled; the seed's example with a hand-over, verify
#   signed.sh    signing keys, signed records, export and the offline check,
#                GET /api/jobs/ID/record/export
#   backup.sh    qtm backup during a write load, a restored copy serves, serve
#                --backup-every/--backup-keep; a full disk (tmpfs, as root):
#                exit 10 / 507, nothing partial, writes again once freed
#   blobs.sh     files: every refusal of a photo or evidence file through qtm
#                and serve (database unchanged), GPS removed (also after the
#                first scan, in HEIC XMP), a hash not the caller's to name,
#                the read rule on GET /api/blobs, a FIFO, blobs gc admin-only,
#                upload rate and cap, SIGKILL during uploads: verify passes;
#                per surface what it declares (doc-evidence's PDF evidence
#                and 1 MiB limit; a PDF refused where photos are declared)
#   finding.sh   job list and GET /api/jobs: every filter, paging, who lists
#                what; the CLI made consistent (options anywhere, a replayed
#                key, --as OP desk, task list's job id, record show ID, local
#                administration audited as --as or the OS user)
#   settle.sh    settlement show/list, the correcting entry (settle --reverse,
#                POST reverse), overpaid, status in every list, verify on a
#                forged reversal
#   durable.sh   under strace: the CLI and `qtm serve` (group commit, 200
#                writes from 8 clients) answer a change only after an fsync
#                of the log; --durability relaxed is caught by the same check
#   dbcopy.sh    qtm db copy: SQLite -> SQLite with identical dumps, a target
#                holding qtm data refused (exit 6, unchanged); with QTM_TEST_PG
#                SQLite -> PostgreSQL -> SQLite (verify, the same JSON, the
#                same dump), new commands on the PostgreSQL copy
#   outcome.sh   outcomes and reasons (close undelivered with a reason, refused
#                without one: exit 7 / 400), the request summary in every view,
#                intake min/max and every problem of a packet at once
#
# Env: BUILD (default build), QTM (default $BUILD/bin/qtm; race.sh needs the
# test surface tests/surfaces/pool-race.qsm compiled in; blobs.sh needs
# doc-evidence (a surface that declares its files); migrate.sh needs
# migrate-demo, and QTM_V1, default $BUILD/bin/qtm-test-v1), RACE_JOBS,
# CRASH_KILLS, QTM_TEST_PG (a PostgreSQL base URI: dbcopy.sh's PostgreSQL
# part).  Prints one "FAIL: ..." line per failed check, a "# ..." line
# of timings per part, and ends with "N passed, N failed" (exit 1 if any
# check failed).  Each scenario works in its own temp dir and database.
#
# With QTM_TEST_PG set (a postgresql:// URI: tests/pg/cluster.sh env) the
# suites that support PostgreSQL run there instead, each in databases of
# its own (lib.sh), their timing lines prefixed "pg ".  Not run there:
# durable.sh (strace of SQLite's fsyncs), crash.sh (SIGKILL against SQLite
# files), backup.sh and upgrade.sh (SQLite files and their copies),
# files.sh (file modes, read-only copies), transport.sh (a locked SQLite
# file), migrate.sh and blobs.sh, signed.sh and escapes.sh (not yet
# adapted: they read or change the file directly); race.sh runs there
# (SCENARIOS=race) but tests/run.sh runs tests/pg/race.sh instead, the same
# race with its setup through HTTP.
set -u
export LC_ALL=C
here=$(cd "$(dirname "$0")" && pwd)
export BUILD=${BUILD:-build}
if [ -n "${QTM_TEST_PG:-}" ]; then
    leg="pg "
    parts=${SCENARIOS:-seed refusals api outcome handover finding settle paging access dbcopy}
else
    leg=""
    parts=${SCENARIOS:-seed refusals api outcome blobs migrate upgrade files escapes paging handover signed access finding settle dbcopy transport backup durable race crash}
fi
pass=0
fail=0
out=$(mktemp "${TMPDIR:-/tmp}/qtm-scenario-run.XXXXXX")
trap 'rm -f "$out"' EXIT

for part in $parts; do
    start=$SECONDS
    bash "$here/$part.sh" >"$out" 2>&1
    status=$?
    last=$(tail -n 1 "$out")
    sed '$d' "$out"
    p='?' f='?'
    if [[ $last =~ ^([0-9]+)\ passed,\ ([0-9]+)\ failed$ ]]; then
        p=${BASH_REMATCH[1]} f=${BASH_REMATCH[2]}
        pass=$((pass + p))
        fail=$((fail + f))
        if [ "$status" -ne 0 ] && [ "$f" -eq 0 ]; then
            echo "FAIL: $part.sh exited $status with no failed check"
            fail=$((fail + 1))
        fi
    else
        echo "$last"
        echo "FAIL: $part.sh ended without a summary (exit $status)"
        fail=$((fail + 1))
    fi
    echo "# $leg$part: $p passed, $f failed, $((SECONDS - start)) s"
done
echo "$pass passed, $fail failed"
[ "$fail" -eq 0 ]

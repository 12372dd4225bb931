# tests/scenario/lib.sh - helpers shared by the CLI scenario scripts (bash).
#
# Sourced, never run.  Sets ROOT (the source tree, made the working
# directory), BUILD, QTM (the binary under test: env QTM, default
# $BUILD/bin/qtm), T (a fresh temp dir removed on exit) and the check
# counters.  Every check either passes silently or prints exactly one
# "FAIL: ..." line; `finish` prints "N passed, N failed" and exits non-zero
# when anything failed.
#
# After `q ARGS...` (qtm --db $DB ARGS...): $rc is the exit status, the
# command's stdout is in $T/out and its stderr in $T/err.
#
# With QTM_TEST_PG set (a postgresql:// URI of a server the tests may
# create databases on, e.g. tests/pg/cluster.sh's) the suites run on
# PostgreSQL: `fresh NAME` creates a database of its own and DB is its URI;
# db_sql, db_dump (and sql, dump, count, refuse over them) read it through
# psql and pg_dump instead of sqlite3.  on_pg tells a suite which it is.

set -u
export LC_ALL=C
ROOT=$(cd "$(dirname "${BASH_SOURCE[0]}")/../.." && pwd)
cd "$ROOT" || exit 2
BUILD=${BUILD:-build}
QTM=${QTM:-$BUILD/bin/qtm}
case $QTM in /*) ;; *) QTM=$ROOT/$QTM ;; esac
EX=$ROOT/examples/intake
# test photos are made here, never downloaded (tests/tools/imggen.c)
IMGGEN=${IMGGEN:-$BUILD/bin/qtm-imggen}
case $IMGGEN in /*) ;; *) IMGGEN=$ROOT/$IMGGEN ;; esac
T=$(mktemp -d "${TMPDIR:-/tmp}/qtm-scenario.XXXXXX")
# lib_cleanup: what every exit removes (suites that set their own EXIT
# trap call it there)
PG_DBS=""                          # the databases `fresh` created on PostgreSQL
lib_cleanup() {
    local d
    for d in $PG_DBS; do
        psql -X -q "$QTM_TEST_PG" -c "DROP DATABASE IF EXISTS $d WITH (FORCE)" >/dev/null 2>&1
    done
    rm -rf "$T"
}
trap lib_cleanup EXIT
pass=0
fail=0
rc=0
DB=$T/none.db

on_pg() { [ -n "${QTM_TEST_PG:-}" ]; }
for tool in jq sqlite3 $(on_pg && echo psql pg_dump); do
    command -v $tool >/dev/null 2>&1 || { echo "FAIL: $tool is not installed (tools/deps.sh installs it)"; echo "0 passed, 1 failed"; exit 1; }
done
if [ ! -x "$IMGGEN" ]; then
    echo "FAIL: no image generator at $IMGGEN (make $BUILD/bin/qtm-imggen)"
    echo "0 passed, 1 failed"
    exit 1
fi
if [ ! -x "$QTM" ]; then
    echo "FAIL: no qtm binary at $QTM (make $BUILD/bin/qtm)"
    echo "0 passed, 1 failed"
    exit 1
fi

# one line: newlines and runs of blanks squeezed, at most 300 bytes
oneline() { tr '\n\t' '  ' | tr -s ' ' | cut -c1-300 | sed 's/ *$//'; }
ok() { pass=$((pass + 1)); }
bad() { fail=$((fail + 1)); printf "FAIL: %s\n" "$*" | oneline; }

finish() {
    echo "$pass passed, $fail failed"
    [ "$fail" -eq 0 ]
    exit $?
}

# fresh NAME: a new empty directory $T/NAME with DB=$T/NAME/qtm.db (not
# created); on PostgreSQL DB is instead the URI of a new empty database,
# qtm_<suite>_<NAME>_<pid> (dropped at exit), on QTM_TEST_PG's server
fresh() {
    rm -rf "${T:?}/$1"
    mkdir -p "$T/$1"
    DB=$T/$1/qtm.db
    on_pg || return 0
    local suite name
    suite=$(basename "$0" .sh)
    name=$(printf 'qtm_%s_%s_%s' "$suite" "$1" "$$" | tr -c 'a-zA-Z0-9_\n' _ | tr A-Z a-z | cut -c1-63)
    psql -X -q "$QTM_TEST_PG" -c "DROP DATABASE IF EXISTS $name WITH (FORCE)" -c "CREATE DATABASE $name" \
        >"$T/$1/createdb" 2>&1 || { bad "fresh $1: CREATE DATABASE $name: $(oneline <"$T/$1/createdb")"; return 1; }
    PG_DBS="$PG_DBS $name"
    # the server's URI with the new database's name in place of its own
    DB=$(printf '%s\n' "$QTM_TEST_PG" | sed -E "s|^(postgres(ql)?://[^/?]*)(/[^?]*)?|\1/$name|")
}

# pg_dbname URI: the database a postgresql:// URI names
pg_dbname() { printf '%s\n' "$1" | sed -E 's|^postgres(ql)?://[^/?]*/([^?]*).*$|\2|'; }

# fresh_copy NAME SRC: fresh NAME holding a copy of the database SRC (a
# path or URI that `fresh` gave; nothing may be connected to it): sqlite3
# .backup, or CREATE DATABASE ... TEMPLATE on PostgreSQL
fresh_copy() {
    local src=$2
    fresh "$1" || return 1
    if ! on_pg; then sqlite3 "$src" ".backup '$DB'"; return; fi
    local to from
    to=$(pg_dbname "$DB") from=$(pg_dbname "$src")
    psql -X -q "$QTM_TEST_PG" -c "DROP DATABASE $to" -c "CREATE DATABASE $to TEMPLATE $from" >"$T/$1/createdb" 2>&1 ||
        bad "fresh_copy $1: CREATE DATABASE $to TEMPLATE $from: $(oneline <"$T/$1/createdb")"
}

# untrigger TABLE TRIGGER: the statement that lifts TRIGGER (an append-only
# rule) on TABLE: SQLite's DROP TRIGGER, PostgreSQL's ALTER TABLE ... DISABLE
# TRIGGER, where SQLite's T_no_update and T_no_delete are one T_no_change
# (runtime/store/store_pg_sql.c)
untrigger() {
    if ! on_pg; then echo "DROP TRIGGER $2"; return; fi
    local t=$2
    case $t in *_no_update | *_no_delete)
        [ "$(db_sql "SELECT count(*) FROM pg_trigger WHERE tgname = '$t'")" = 0 ] && t=${t%_no_*}_no_change ;;
    esac
    echo "ALTER TABLE $1 DISABLE TRIGGER $t"
}

q() {
    "$QTM" --db "$DB" "$@" >"$T/out" 2>"$T/err"
    rc=$?
}

# is NAME WANT ACTUAL
is() {
    if [ "$2" = "$3" ]; then ok; else bad "$1: got '$3', want '$2'"; fi
}

# run NAME ARGS... : qtm ARGS must exit 0
run() {
    local name=$1
    shift
    q "$@"
    if [ "$rc" -eq 0 ]; then ok; else bad "$name: qtm $*: exit $rc, want 0: $(oneline <"$T/err")"; fi
}

# jqt [--arg K V | --argjson K V]... NAME FILTER [NAME FILTER]...
# Each FILTER must give exactly `true` on $T/out; one check per pair, all
# evaluated by a single jq run (jq starts slowly).
jqt() {
    local -a opts=() names=() filters=()
    while [ $# -gt 0 ] && { [ "$1" = --arg ] || [ "$1" = --argjson ]; }; do
        opts+=("$1" "$2" "$3")
        shift 3
    done
    local prog="" i res
    while [ $# -ge 2 ]; do
        names+=("$1")
        filters+=("$2")
        prog="$prog${prog:+, }([try ($2) catch \"error\"] | length == 1 and .[0] == true)"
        shift 2
    done
    res=$(jq -r "${opts[@]}" "[$prog] | map(tostring) | join(\" \")" "$T/out" 2>&1)
    local -a got=()
    read -r -a got <<<"$res"
    for i in "${!names[@]}"; do
        if [ "${got[$i]:-}" = true ]; then ok; else
            bad "${names[$i]}: jq '${filters[$i]}' is not true of: $(oneline <"$T/out")"
        fi
    done
}

# jv FILTER : a field of $T/out (raw)
jv() { jq -r "$1" "$T/out" 2>/dev/null; }

# has NAME FILE TEXT : FILE contains TEXT (fixed string)
has() {
    if grep -qF -- "$3" "$2"; then ok; else bad "$1: '$3' not in: $(oneline <"$2")"; fi
}

# db_sql SQL: runs SQL on $DB and prints its rows, one a line, columns
# separated by | (NULL as nothing), errors on stdout too: sqlite3's shape,
# which psql -At gives as well.  SQLite reads wait for a lock (-cmd
# .timeout): a process just killed may hold its lock a moment more while
# the kernel tears it down (crash.sh reads right after kills).
db_sql() {
    if on_pg; then psql -X -A -t -q -v ON_ERROR_STOP=1 "$DB" -c "$1" 2>&1
    else sqlite3 -cmd '.timeout 10000' "$DB" "$1" 2>&1; fi
}
sql() { db_sql "$1"; }

# db_dump: every row of $DB as SQL on stdout, in an order that depends only
# on the data: sqlite3's .dump; on PostgreSQL pg_dump --data-only --inserts
# (which writes rows in their physical order) with each INSERT joined into
# one line and the lines sorted; sequences' setval lines left out (nextval
# is not undone by a rollback: a refused insert moves a sequence), and the
# \restrict KEY lines of pg_dump >= 15.14 (a new random key each run)
db_dump() {
    if ! on_pg; then sqlite3 -cmd '.timeout 10000' "$DB" .dump 2>&1; return; fi
    pg_dump --data-only --inserts --no-owner --no-privileges "$DB" 2>&1 |
        awk '/^INSERT INTO /{ if (row != "") print row; row = $0; next }
             /^(SET |SELECT pg_catalog\.|--|\\(un)?restrict |$)/{ if (row != "") print row; row = ""; next }
             { if (row != "") row = row "\\n" $0; else print }
             END { if (row != "") print row }' | LC_ALL=C sort
}
# dump FILE: db_dump, a token's last-use stamp masked (the one write
# authenticating makes, at most once a minute: a refused call after a token
# was used changes nothing else)
dump() {
    db_dump | sed -E -e "s/^(INSERT INTO tokens VALUES\(.*),('[^']*'|NULL)\);\$/\1,'(last use)');/" \
        -e "s/^(INSERT INTO public\.tokens VALUES \(.*), ('[^']*'|NULL)\);\$/\1, '(last use)');/" >"$1"
}

# refuse NAME STATUS TEXT ARGS... : qtm ARGS is refused with exit STATUS,
# an error message on stderr containing TEXT, and the database unchanged
# (its .dump identical before and after).  Three checks.
refuse() {
    local name=$1 want=$2 text=$3
    shift 3
    dump "$T/before"
    q "$@"
    dump "$T/after"
    if [ "$rc" = "$want" ]; then ok; else
        bad "$name: qtm $*: exit $rc, want $want: $(oneline <"$T/err")"
    fi
    if grep -q '^qtm: error: ' "$T/err" && grep -qF -- "$text" "$T/err"; then ok; else
        bad "$name: message lacks '$text': $(oneline <"$T/err")"
    fi
    if cmp -s "$T/before" "$T/after"; then ok; else
        bad "$name: the database changed: $(diff "$T/before" "$T/after" | oneline)"
    fi
}

# count TABLE [WHERE] : rows in TABLE
count() { sql "SELECT count(*) FROM $1${2:+ WHERE $2}"; }

# setup_actors: admin, ana and bo (operators), vic (vendor), cli (client)
setup_actors() {
    run "actor add admin" actor add admin --role admin --name "Dana Admin"
    run "actor add ana" actor add ana --role operator --name "Ana Ops"
    run "actor add bo" actor add bo --role operator --name "Bo Ops"
    run "actor add vic" actor add vic --role vendor --name "Vic's Flowers"
    run "actor add cli" actor add cli --role client --name "Client Morales"
}

# photo NAME [KIND] [SEED]: writes a small test photo $T/photos/NAME (KIND
# jpeg, png or webp; SEED picks its bytes, by default one from NAME, so
# photos of other names differ) and prints its path
photo() {
    mkdir -p "$T/photos"
    local seed=${3:-$(printf '%s' "$1" | cksum | cut -d' ' -f1)}
    "$IMGGEN" "${2:-jpeg}" 320 240 "$((seed % 100000))" "$T/photos/$1" && echo "$T/photos/$1"
}

# new_job SURFACE INTAKE OPERATOR [PHOTOS] : submit (with PHOTOS new photo
# files), approve, assign, create; sets TASK and JOB (0 on failure).  Four checks.
new_job() {
    local surface=$1 intake=$2 op=$3 photos=${4:-0} i
    local args=()
    TASK=0
    JOB=0
    for ((i = 1; i <= photos; i++)); do
        args+=(--photo "$(photo "intake-$surface-$RANDOM-$i.jpg")")
    done
    run "submit $surface" --json request submit "$surface" --intake "$intake" "${args[@]}"
    TASK=$(jv '.task')
    run "approve task $TASK" --as admin task approve "$TASK"
    run "assign task $TASK" --as admin task assign "$TASK" --to "$op"
    run "create job from task $TASK" --json --as admin job create --task "$TASK"
    JOB=$(jv '.job')
    case $JOB in '' | null) JOB=0 ;; esac
}

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
trap 'rm -rf "$T"' EXIT
pass=0
fail=0
rc=0
DB=$T/none.db

for tool in jq sqlite3; do
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

# fresh NAME: a new empty directory $T/NAME with DB=$T/NAME/qtm.db (not created)
fresh() {
    rm -rf "${T:?}/$1"
    mkdir -p "$T/$1"
    DB=$T/$1/qtm.db
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

# Reads wait for a lock (-cmd .timeout): a process just killed may hold its
# lock a moment more while the kernel tears it down (crash.sh reads right
# after kills).
# dump FILE: the whole database as SQL, a token's last-use stamp masked (the
# one write authenticating makes, at most once a minute: a refused call
# after a token was used changes nothing else)
dump() {
    sqlite3 -cmd '.timeout 10000' "$DB" .dump 2>&1 |
        sed -E "s/^(INSERT INTO tokens VALUES\(.*),('[^']*'|NULL)\);\$/\1,'(last use)');/" >"$1"
}
sql() { sqlite3 -cmd '.timeout 10000' "$DB" "$1" 2>&1; }

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

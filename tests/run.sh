#!/bin/sh
# tests/run.sh - the whole test suite behind `make test`; it only orchestrates.
#
# Runs the cmocka unit tests (counted from their TAP output), then each
# sub-runner: tests/golden/run.sh, tests/qtmc/cli.sh (the qtmc command),
# tests/qtmc/nm.sh (libqtm's exports), the package sets and build
# output, the example and the demo's text, the scenarios and the browser
# tests (with the node version they need).  Every sub-runner ends with
# "N passed, N failed"; the counts add up to this script's last line, the
# same, and the exit status is non-zero if anything failed.  Last, the
# PostgreSQL leg (pg_leg below): the runtime unit tests and the scenarios
# that support it again, on a throwaway cluster (tests/pg/cluster.sh),
# stopped on every exit; a cmocka skip is counted apart, never as passed.
set -u
BUILD=${BUILD:-build}
CC=${CC:-cc}
QTMC=$BUILD/bin/qtmc
export LC_ALL=C
pass=0
fail=0
skipped=0
tmp=$(mktemp -d "${TMPDIR:-/tmp}/qtm-test.XXXXXX")
pgdir=""                           # the PostgreSQL leg's cluster, while it runs
# the cluster is stopped and removed on every exit: a failure, ^C, kill
trap 'if [ -n "$pgdir" ]; then tests/pg/cluster.sh stop "$pgdir"; fi; rm -rf "$tmp"' EXIT
trap 'exit 130' INT
trap 'exit 143' TERM

ok() { pass=$((pass + 1)); }
bad() { fail=$((fail + 1)); echo "FAIL: $*"; }
# check NAME CMD... : passes when CMD exits 0
check() {
    name=$1; shift
    if "$@" >"$tmp/out" 2>&1; then ok; else bad "$name"; sed 's/^/    /' "$tmp/out" | head -30; fi
}
# part NAME CMD... : runs a sub-runner whose last line is "[NAME: ]N passed,
# N failed"; prints what it printed except passing TAP lines, adds its counts
part() {
    pname=$1; shift
    "$@" >"$tmp/part" 2>&1
    last=$(tail -n 1 "$tmp/part")
    sed '$d' "$tmp/part" | grep -v '^ok - ' | tail -100
    pp=$(echo "$last" | sed -n 's/^\([a-z]*: \)\{0,1\}\([0-9]*\) passed, \([0-9]*\) failed$/\2/p')
    pf=$(echo "$last" | sed -n 's/^\([a-z]*: \)\{0,1\}\([0-9]*\) passed, \([0-9]*\) failed$/\3/p')
    if [ -z "$pp" ]; then
        bad "$pname runner gave no summary"
        echo "$last"
        pp=0; pf=0
    fi
    pass=$((pass + pp)); fail=$((fail + pf))
    echo "$pname: $pp passed, $pf failed"
}

# unit_tests PREFIX: runs every unit test binary the Makefile names (a
# stale one in $BUILD/bin is not run), counted from its TAP output; a skip
# ("not ok N # SKIP name", after the test's "# skipped ...: why" line) is
# counted apart, never as passed, and printed with its reason; summaries
# are prefixed with PREFIX
unit_tests() {
    for t in ${UNIT_BINS:-"$BUILD"/bin/test_*}; do
        unit_test "$1" "$t"
    done
}
unit_test() {
    upre=$1 t=$2
    [ -x "$t" ] || { bad "$t: no such test binary"; return; }
    CMOCKA_MESSAGE_OUTPUT=TAP "$t" >"$tmp/unit" 2>"$tmp/unit.err"
    rc=$?
    # "1..N" plans (one per group), "ok N - name", "not ok N - name"
    plan=$(sed -n 's/^1\.\.\([0-9]*\)$/\1/p' "$tmp/unit" | awk '{s += $1} END {print s + 0}')
    p=$(grep -c '^ok ' "$tmp/unit")
    s=$(grep -c '^not ok [0-9]* # SKIP' "$tmp/unit")
    f=$(($(grep -c '^not ok ' "$tmp/unit") - s))
    pass=$((pass + p))
    fail=$((fail + f))
    skipped=$((skipped + s))
    name=$(basename "$t")
    if [ $((p + f + s)) -lt "$plan" ]; then
        bad "$upre$name: $((plan - p - f - s)) of $plan tests did not report (exit $rc)"
    elif [ "$plan" -eq 0 ]; then
        bad "$upre$name: no TAP plan (exit $rc)"
    elif [ $rc -ne 0 ] && [ "$f" -eq 0 ]; then
        bad "$upre$name: exited $rc with every test passing"
    fi
    if [ $rc -ne 0 ]; then
        grep -E '^not ok|^# ' "$tmp/unit" | grep -v -e '^# ok' -e '# SKIP' -e '^# skipped' | head -20
        grep -E 'FAILED|ERROR|error|Sanitizer' "$tmp/unit.err" | head -20
    fi
    awk '/^# skipped /{why = substr($0, 3)} /^not ok [0-9]+ # SKIP /{print "  skip: " $NF ": " why; why = ""}' \
        "$tmp/unit"
    extra=""
    [ "$s" -gt 0 ] && extra=", $s skipped"
    echo "$upre$name: $p passed, $f failed$extra"
}

echo "== unit tests (cmocka, read from its TAP output)"
unit_tests ""

echo "== golden tests"
part golden env BUILD=$BUILD QTMC=$QTMC tests/golden/run.sh

echo "== the qtmc command (tests/qtmc/cli.sh)"
part qtmc env BUILD=$BUILD QTMC=$QTMC tests/qtmc/cli.sh

echo "== libqtm exports only qtm_ and qtmi_ names (tests/qtmc/nm.sh)"
part nm env BUILD=$BUILD tests/qtmc/nm.sh

echo "== packages (tools/deps.sh) and build output"
# make as a newcomer runs it: none of this run's make flags (V=1, -n...)
mk() { env -u MAKEFLAGS -u MFLAGS -u MAKELEVEL make "$@"; }
# a newcomer's first command builds and runs the demo: it installs the
# build set only, never a browser; `make test` installs the test set
mk -n demo BUILD="$tmp/mk" >"$tmp/mk-demo" 2>&1
mk -n test BUILD="$tmp/mk" >"$tmp/mk-test" 2>&1
check "make demo installs the build set only" sh -c \
    "grep -qx 'tools/deps.sh build' '$tmp/mk-demo' && ! grep -q 'deps.sh test' '$tmp/mk-demo'"
check "make test installs the test set" grep -qx 'tools/deps.sh test' "$tmp/mk-test"
# one short line per step; V=1 shows the command (errors print either way)
mk BUILD="$tmp/mk" "$tmp/mk/obj/runtime/engine/money.o" >"$tmp/mk-quiet" 2>&1
mk BUILD="$tmp/mk" V=1 "$tmp/mk/obj/runtime/engine/record.o" >"$tmp/mk-v1" 2>&1
check "make prints one line per step: '  CC     runtime/engine/money.c'" sh -c \
    "printf '  CC     runtime/engine/money.c\n' | cmp - '$tmp/mk-quiet'"
check "make V=1 prints the full command" grep -q -- '-c -o .*/obj/runtime/engine/record.o runtime/engine/record.c$' "$tmp/mk-v1"
printf 'int main(void) { return nosuch; }\n' >"$tmp/broken.c"
mk BUILD="$tmp/mk" "$tmp/mk/obj/$tmp/broken.o" >"$tmp/mk-err" 2>&1
check "a failing step prints the compiler's error in full" grep -q "broken.c:1:.*error: .nosuch. undeclared" "$tmp/mk-err"
build_set=" $(tools/deps.sh --list build) "
test_set=" $(tools/deps.sh --list test) "
for p in chromium nodejs npm wrk clang graphviz jq sqlite3 libcmocka-dev curl man-db groff-base; do
    check "$p is in the test set, not the build set" sh -c \
        "case '$build_set' in *' $p '*) exit 1 ;; esac; case '$test_set' in *' $p '*) ;; *) exit 1 ;; esac"
done
missing=""
for p in $build_set; do case $test_set in *" $p "*) ;; *) missing="$missing $p" ;; esac; done
check "the test set holds the build set" test -z "$missing" -a "$(echo $build_set | wc -w)" -gt 5

echo "== examples"
check "examples/event-coordination.sh runs the seed's example" \
    examples/event-coordination.sh "$BUILD/bin/qtm" "$tmp/example.db"
cp "$tmp/out" "$tmp/example.out"
# the demo's text is what a newcomer reads first: each refusal it shows
# ("$ qtm CMD", the message, "(refused with exit status N)") must name the
# status runtime/include/qtm/qtm.h gives that refusal; a refusal added to the demo
# needs a line here
awk '/^[$] qtm /{cmd=substr($0,7)}
     /^   [(]refused with exit status [0-9]+[)]$/{s=$NF; sub(/[)]/,"",s); print s "|" cmd}' \
    "$tmp/example.out" >"$tmp/refusals"
n=0
for want in 'EFORBIDDEN|--as bloom job claim 1' 'EFORBIDDEN|--as bo job advance 1 start' \
            'EREFUSED|--as ana job complete 1'; do
    n=$((n + 1))
    name=${want%%|*} cmd=${want#*|}
    code=$(sed -n "s/^ *QTM_$name = \([0-9]*\).*/\1/p" runtime/include/qtm/qtm.h)
    check "the demo shows 'qtm $cmd' refused with exit status ${code:-?} (QTM_$name)" \
        grep -qxF "${code:-?}|$cmd" "$tmp/refusals"
done
check "the demo shows $n refusals, each with its status" \
    test "$(grep -c 'refused with exit status' "$tmp/example.out")" -eq $n -a "$(wc -l <"$tmp/refusals")" -eq $n
check "the example leaves a database that verifies" "$BUILD/bin/qtm" --db "$tmp/example.db" verify
check "examples/auto-detailing.sh does a job with real photo files" \
    examples/auto-detailing.sh "$BUILD/bin/qtm" "$tmp/ad/example.db" "$BUILD/bin/qtm-imggen"
check "... its export checks without qtm" sh -c "cd '$tmp/ad/auto-detailing/export' && sha256sum -c --quiet SHA256SUMS"
check "... and its exported client photo carries no GPS" sh -c \
    "! '$BUILD/bin/qtm-imggen' hasgps \"\$(ls '$tmp/ad/auto-detailing/export/files/'*.jpg | head -n 1)\""

echo "== the man page renders cleanly (man --warnings, groff)"
# every warning groff gives at the 80 columns of a terminal fails the check
# (text is justified: words may stand several blanks apart)
MANWIDTH=80 man --warnings -E UTF-8 -l runtime/cli/qtm.1 >"$tmp/man.txt" 2>"$tmp/man.err"
check "qtm(1) renders with man --warnings and no warning" sh -c \
    "test -s '$tmp/man.txt' && ! test -s '$tmp/man.err' || { cat '$tmp/man.err'; exit 1; }"
check "qtm(1) documents job list, settlement show/list, settle --reverse" sh -c \
    "grep -qE 'job +list' '$tmp/man.txt' && grep -qE 'settlement +list' '$tmp/man.txt' && grep -q -- '--reverse' '$tmp/man.txt'"

echo "== scenarios (the qtm command on real SQLite files)"
part scenarios env BUILD=$BUILD QTM=$BUILD/bin/qtm-test tests/scenario/run.sh

echo "== browser (the web desk in headless chromium against qtm serve)"
# the pinned playwright-core must run on the node Debian 12 ships (18.20)
lock=tests/browser/package-lock.json
pwv=$(jq -r '.packages["node_modules/playwright-core"].version' "$lock" 2>/dev/null)
pwe=$(jq -r '.packages["node_modules/playwright-core"].engines.node' "$lock" 2>/dev/null)
pwm=$(echo "$pwe" | sed -n 's/^>= *\([0-9][0-9]*\).*/\1/p')
check "playwright-core $pwv (package-lock.json, engines $pwe) runs on Debian 12's node 18" \
    test "${pwm:-99}" -le 18
check "package.json pins the playwright-core and node package-lock.json has" sh -c \
    "jq -e --arg v '$pwv' --arg e '$pwe' '.dependencies[\"playwright-core\"] == \$v and .engines.node == \$e' tests/browser/package.json"
# a node older than that is named as such, before anything is installed
mkdir -p "$tmp/oldnode"
printf '#!/bin/sh\necho v16.20.2\n' >"$tmp/oldnode/node" && chmod +x "$tmp/oldnode/node"
PATH="$tmp/oldnode:$PATH" BUILD=$BUILD QTM=$BUILD/bin/qtm BROWSER_NODE_DIR=$tmp/oldnode/npm \
    tests/browser/run.sh >"$tmp/oldnode.out" 2>&1
st=$?
check "browser tests under node 16 stop: 'node 16.20.2 is too old' (exit $st)" sh -c \
    "[ $st -eq 1 ] && grep -q '^browser: node 16.20.2 is too old: playwright-core .* needs node >= [0-9]' '$tmp/oldnode.out' && [ ! -e '$tmp/oldnode/npm' ]"
part browser env BUILD=$BUILD QTM=$BUILD/bin/qtm tests/browser/run.sh

echo "== PostgreSQL: the runtime unit tests and the scenarios again, on a throwaway cluster"
# pg_leg: starts a cluster (tests/pg/cluster.sh, fsync off) in its own temp
# dir (the postgres user must reach it: not under $tmp) and runs, with
# QTM_TEST_DB / QTM_TEST_PG set to it, every test_rt_* binary and the
# scenario suites that support PostgreSQL; summaries start with "pg ".
# Skipped with one line when qtm was built without libpq or no server is
# installed; a server that is installed but does not start is a failure.
pg_leg() {
    "$BUILD/bin/qtm" --db 'postgresql:///qtm_probe?host=/nonexistent' verify >"$tmp/pgprobe" 2>&1
    if grep -q 'not built in' "$tmp/pgprobe"; then
        echo "skipped: no PostgreSQL (qtm was built without libpq)"
        return
    fi
    pgdir=$(mktemp -d "${TMPDIR:-/tmp}/qtm-pg.XXXXXX")
    tests/pg/cluster.sh start "$pgdir" 2>"$tmp/pgstart"
    st=$?
    if [ $st -eq 3 ]; then
        rm -rf "$pgdir"
        pgdir=""
        echo "skipped: no PostgreSQL ($(head -n 1 "$tmp/pgstart" | sed 's/^[^:]*: //'))"
        return
    fi
    if [ $st -ne 0 ]; then
        tests/pg/cluster.sh stop "$pgdir"
        pgdir=""
        bad "the PostgreSQL cluster did not start (exit $st)"
        sed 's/^/    /' "$tmp/pgstart" | head -30
        return
    fi
    eval "$(tests/pg/cluster.sh env "$pgdir")"
    pgstart=$(date +%s)
    export QTM_TEST_DB="$QTM_TEST_PG"
    for t in ${UNIT_BINS:-"$BUILD"/bin/test_*}; do
        case ${t##*/} in test_rt_*) unit_test "pg " "$t" ;; esac
    done
    unset QTM_TEST_DB
    part "pg scenarios" env QTM_TEST_PG="$QTM_TEST_PG" BUILD=$BUILD QTM=$BUILD/bin/qtm-test \
        tests/scenario/run.sh
    for s in race hosts crash retry; do      # tests/pg/: the last three on clusters of their own
        part "pg $s" env QTM_TEST_PG="$QTM_TEST_PG" BUILD=$BUILD QTM=$BUILD/bin/qtm-test tests/pg/$s.sh
    done
    echo "# the PostgreSQL leg took $(($(date +%s) - pgstart)) s"
    tests/pg/cluster.sh stop "$pgdir"
    pgdir=""
}
pg_leg

echo
[ "$skipped" -gt 0 ] && echo "($skipped unit tests skipped, each named above with its reason: not counted as passed)"
echo "$pass passed, $fail failed"
[ $fail -eq 0 ]

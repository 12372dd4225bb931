#!/bin/sh
# tests/run.sh - the whole test suite behind `make test`.
#
# Runs the cmocka unit tests, the golden tests, the checks on generated C
# (gcc and clang, -Werror -pedantic), determinism, Graphviz rendering,
# the qtmc command-line contract, the package sets and build output, the
# demo's text, the scenarios and the browser tests (with the node version
# they need).  Every check is counted; the last line is
# "N passed, N failed" and the exit status is non-zero if anything failed.
set -u
BUILD=${BUILD:-build}
CC=${CC:-cc}
QTMC=$BUILD/bin/qtmc
export LC_ALL=C
pass=0
fail=0
tmp=$(mktemp -d "${TMPDIR:-/tmp}/qtm-test.XXXXXX")
trap 'rm -rf "$tmp"' EXIT

ok() { pass=$((pass + 1)); }
bad() { fail=$((fail + 1)); echo "FAIL: $*"; }
# check NAME CMD... : passes when CMD exits 0
check() {
    name=$1; shift
    if "$@" >"$tmp/out" 2>&1; then ok; else bad "$name"; sed 's/^/    /' "$tmp/out" | head -30; fi
}
# status NAME WANT CMD... : passes when CMD exits with status WANT
status() {
    name=$1; want=$2; shift 2
    "$@" >"$tmp/out" 2>"$tmp/err"
    got=$?
    if [ "$got" = "$want" ]; then ok; else bad "$name: exit $got, want $want"; head -5 "$tmp/err"; fi
}

echo "== unit tests (cmocka)"
for t in "$BUILD"/bin/test_*; do
    [ -x "$t" ] || continue
    "$t" >"$tmp/unit" 2>&1
    rc=$?
    p=$(sed -n 's/^\[  PASSED  \] \([0-9]*\) test.*/\1/p' "$tmp/unit")
    f=$(sed -n 's/^\[  FAILED  \] \([0-9]*\) test.*/\1/p' "$tmp/unit")
    pass=$((pass + ${p:-0}))
    fail=$((fail + ${f:-0}))
    if [ $rc -ne 0 ] && [ -z "$f" ]; then
        bad "$(basename "$t") exited $rc without a summary"
    fi
    if [ $rc -ne 0 ]; then grep -E 'FAILED|ERROR|error:|Sanitizer' "$tmp/unit" | head -20; fi
    echo "$(basename "$t"): ${p:-0} passed, ${f:-0} failed"
done

echo "== golden tests"
BUILD=$BUILD QTMC=$QTMC tests/golden/run.sh >"$tmp/golden" 2>&1
cat "$tmp/golden" | grep -v '^golden:' | head -100
gp=$(sed -n 's/^golden: \([0-9]*\) passed, \([0-9]*\) failed/\1/p' "$tmp/golden")
gf=$(sed -n 's/^golden: \([0-9]*\) passed, \([0-9]*\) failed/\2/p' "$tmp/golden")
[ -n "$gp" ] || { bad "golden runner gave no summary"; gp=0; gf=0; }
pass=$((pass + gp)); fail=$((fail + gf))
echo "golden: $gp passed, $gf failed"

echo "== generated C"
mkdir -p "$tmp/gen"
check "qtmc compiles every surface" "$QTMC" -o "$tmp/gen" surfaces/*.qsm
for cc in gcc clang; do
    command -v $cc >/dev/null 2>&1 || { echo "($cc not installed: skipped)"; continue; }
    for c in "$tmp"/gen/*.c; do
        check "$cc -pedantic $(basename "$c")" \
            $cc -std=c11 -pedantic -Wall -Wextra -Werror -Iruntime -I"$tmp/gen" -c -o "$tmp/x.o" "$c"
    done
done
# the bad-free good cases compile too
for d in tests/golden/good/*/; do
    [ -d "$d" ] || continue
    for c in "$d"*.c; do
        [ -e "$c" ] || continue
        check "gcc -pedantic good/$(basename "$d")" \
            gcc -std=c11 -pedantic -Wall -Wextra -Werror -Iruntime -I"$d" -c -o "$tmp/x.o" "$c"
    done
done

echo "== determinism"
mkdir -p "$tmp/d1" "$tmp/d2"
"$QTMC" --emit c,dot,json -o "$tmp/d1" surfaces/*.qsm
"$QTMC" --emit c,dot,json -o "$tmp/d2" surfaces/*.qsm
check "two runs give byte-identical output" diff -r "$tmp/d1" "$tmp/d2"
check "output does not depend on argument order" sh -c \
    "mkdir -p '$tmp/d3' && '$QTMC' -o '$tmp/d3' \$(ls surfaces/*.qsm | sort -r) && cmp '$tmp/d3/qtm_registry.c' '$tmp/d1/qtm_registry.c'"
check "no absolute paths in output" sh -c "! grep -rl '$(pwd)' '$tmp/d1'"

echo "== graphviz"
for f in surfaces/*.qsm; do
    if command -v dot >/dev/null 2>&1; then
        check "dot -Tsvg $(basename "$f")" sh -c "'$QTMC' --emit dot '$f' | dot -Tsvg -o '$tmp/x.svg' && grep -q '<svg' '$tmp/x.svg'"
    fi
done

echo "== qtmc command line"
status "--help exits 0" 0 "$QTMC" --help
status "--version exits 0" 0 "$QTMC" --version
status "no input is a usage error" 2 "$QTMC"
status "unknown option is a usage error" 2 "$QTMC" --frobnicate surfaces/event-coordination.qsm
status "unknown --emit kind" 2 "$QTMC" --emit pdf surfaces/event-coordination.qsm
status "-o without a value" 2 "$QTMC" surfaces/event-coordination.qsm -o
status "unknown -W option" 2 "$QTMC" -Wfrobnicate surfaces/event-coordination.qsm
status "missing input is an I/O error" 3 "$QTMC" --check "$tmp/does-not-exist.qsm"
status "a directory is an I/O error" 3 "$QTMC" --check surfaces
status "--check of good surfaces" 0 "$QTMC" --check surfaces/*.qsm
printf 'surface x {\n' >"$tmp/bad.qsm"
status "diagnostics exit 1" 1 "$QTMC" -o "$tmp/none" "$tmp/bad.qsm"
check "no output directory created on error" test ! -e "$tmp/none"
mkdir -p "$tmp/mixed"
status "one bad input among good ones exits 1" 1 "$QTMC" -o "$tmp/mixed" surfaces/event-coordination.qsm "$tmp/bad.qsm"
check "... and writes nothing for the good one" test -z "$(ls -A "$tmp/mixed")"
"$QTMC" --diagnostics-format json "$tmp/bad.qsm" 2>"$tmp/diag.json"
# (the end of file is reported after the last token, `{` on line 1, as the
# golden q004-unclosed-surface case has it; the old `line == 2` only ever
# passed through a python3 fallback, and a minimal Debian has no python3)
check "json diagnostics are one valid JSON array" sh -c "jq -e 'type == \"array\" and .[0].code == \"Q004\" and .[0].line == 1 and .[0].column == 12' '$tmp/diag.json'"
cp surfaces/event-coordination.qsm "$tmp/twice.qsm"
status "the same slug twice is an error" 1 "$QTMC" --check surfaces/event-coordination.qsm "$tmp/twice.qsm"
printf 'surface w {\n name "W" spec "surface-runtime-spec-v0.01" status active\n execution { claim required ownership assigned record service_event payment_timing independent completed_jobs visible }\n lifecycle { a initial b "B" final }\n transitions { a -> b on claim by operator }\n record { job }\n}\n' >"$tmp/warn.qsm"
status "a warning alone exits 0" 0 "$QTMC" --check "$tmp/warn.qsm"
status "-Werror makes it exit 1" 1 "$QTMC" --check -Werror "$tmp/warn.qsm"
status "-Wno-missing-label silences it" 0 "$QTMC" --check -Werror -Wno-missing-label "$tmp/warn.qsm"
check "dot to stdout without -o" sh -c "'$QTMC' --emit dot surfaces/event-coordination.qsm | grep -q 'digraph'"
check "json to stdout is the model" sh -c "'$QTMC' --emit json surfaces/event-coordination.qsm | grep -q '\"fingerprint\": \"sha256:'"
check "doc to stdout is the operator guide" sh -c "'$QTMC' --emit doc surfaces/event-coordination.qsm | grep -q '^stateDiagram-v2'"
status "--emit dot,doc without -o is a usage error" 2 "$QTMC" --emit dot,doc surfaces/event-coordination.qsm
mkdir -p "$tmp/docs"
"$QTMC" --emit doc -o "$tmp/docs" surfaces/*.qsm
check "docs/surfaces/ matches the surfaces (run make docs)" diff -ru docs/surfaces "$tmp/docs"
# every code the compiler can emit has an --explain entry
# (explain.c itself is left out: it names every code)
codes=$(ls compiler/*.c grammar/*.y grammar/*.l | grep -v '^compiler/explain\.c$' |
        xargs grep -ohE '"Q[0-9]{3}' | tr -d '"' | sort -u)
missing=""
for c in $codes; do
    "$QTMC" --explain "$c" >/dev/null 2>&1 || missing="$missing $c"
done
check "--explain covers every code in the sources ($(echo $codes | wc -w) codes)" test -z "$missing" -a -n "$codes"
[ -z "$missing" ] || echo "    no --explain entry for:$missing"
status "--explain lists the codes" 0 "$QTMC" --explain
status "--explain of an unknown code is a usage error" 2 "$QTMC" --explain Q999
if [ "$(id -u)" != 0 ]; then
    mkdir -p "$tmp/ro" && chmod 500 "$tmp/ro"
    status "unwritable -o is an I/O error" 3 "$QTMC" -o "$tmp/ro" surfaces/event-coordination.qsm
fi
status "-o over an existing file is an I/O error" 3 "$QTMC" -o "$tmp/bad.qsm" surfaces/event-coordination.qsm
# qtmc fmt: every spec in the repository is in canonical layout
status "fmt --check passes on every spec" 0 "$QTMC" fmt --check surfaces/*.qsm tests/surfaces/*.qsm tests/surfaces/history/*.qsm tests/golden/good/*.qsm
sed 's/^ */ /; s/ *-> */->/g' surfaces/landscaping.qsm >"$tmp/messy.qsm"
cp "$tmp/messy.qsm" "$tmp/messy-orig.qsm"
status "fmt --check exits 1 on a badly laid out copy" 1 "$QTMC" fmt --check "$tmp/messy.qsm"
check "... names it and writes nothing" sh -c "'$QTMC' fmt --check '$tmp/messy.qsm' | grep -qx '$tmp/messy.qsm' && cmp -s '$tmp/messy.qsm' '$tmp/messy-orig.qsm'"
status "fmt rewrites it" 0 "$QTMC" fmt "$tmp/messy.qsm"
check "... into the canonical layout" cmp "$tmp/messy.qsm" surfaces/landscaping.qsm
check "fmt - reads stdin, writes stdout" sh -c "'$QTMC' fmt - <'$tmp/messy-orig.qsm' | cmp - surfaces/landscaping.qsm"
cp "$tmp/bad.qsm" "$tmp/bad-copy.qsm"
status "fmt refuses a file with syntax errors" 1 "$QTMC" fmt "$tmp/bad-copy.qsm"
check "... and leaves it as it was" cmp "$tmp/bad.qsm" "$tmp/bad-copy.qsm"

# qtmc diff and history (versioned specs)
V1=tests/surfaces/history/migrate-demo.v1.qsm
V2=tests/surfaces/migrate-demo.qsm
status "qtmc diff of a breaking change exits 1" 1 "$QTMC" diff "$V1" "$V2"
status "qtmc diff of one spec with itself exits 0" 0 "$QTMC" diff "$V2" "$V2"
status "qtmc diff --help exits 0" 0 "$QTMC" diff --help
status "qtmc diff with one file is a usage error" 2 "$QTMC" diff "$V2"
status "qtmc diff of a missing file exits 2" 2 "$QTMC" diff "$V1" "$tmp/does-not-exist.qsm"
check "qtmc diff --json is one JSON object" sh -c "'$QTMC' diff --json '$V1' '$V2' | jq -e '.breaking == true and (.changes | length) > 0' >/dev/null"
mkdir -p "$tmp/hist"
check "a spec and its history compile together" "$QTMC" -o "$tmp/hist" "$V2" "$V1"
check "... the older one's tables go to qtm_history.c" grep -q 'qtm_surface_migrate_demo__v228fb9806c67 = {' "$tmp/hist/qtm_history.c"
check "... and no file of its own" test ! -e "$tmp/hist/migrate_demo__v228fb9806c67.c"
for cc in gcc clang; do
    command -v $cc >/dev/null 2>&1 || continue
    check "$cc -pedantic qtm_history.c with history" \
        $cc -std=c11 -pedantic -Wall -Wextra -Werror -Iruntime -I"$tmp/hist" -c -o "$tmp/x.o" "$tmp/hist/qtm_history.c"
done
status "the same slug twice without migrate from is an error" 1 "$QTMC" --check "$V2" "$V2"

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
mk BUILD="$tmp/mk" "$tmp/mk/obj/runtime/money.o" >"$tmp/mk-quiet" 2>&1
mk BUILD="$tmp/mk" V=1 "$tmp/mk/obj/runtime/record.o" >"$tmp/mk-v1" 2>&1
check "make prints one line per step: '  CC     runtime/money.c'" sh -c \
    "printf '  CC     runtime/money.c\n' | cmp - '$tmp/mk-quiet'"
check "make V=1 prints the full command" grep -q -- '-c -o .*/obj/runtime/record.o runtime/record.c$' "$tmp/mk-v1"
printf 'int main(void) { return nosuch; }\n' >"$tmp/broken.c"
mk BUILD="$tmp/mk" "$tmp/mk/obj/$tmp/broken.o" >"$tmp/mk-err" 2>&1
check "a failing step prints the compiler's error in full" grep -q "broken.c:1:.*error: .nosuch. undeclared" "$tmp/mk-err"
build_set=" $(tools/deps.sh --list build) "
test_set=" $(tools/deps.sh --list test) "
for p in chromium nodejs npm wrk clang graphviz jq sqlite3 libcmocka-dev curl; do
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
# status runtime/qtm.h gives that refusal; a refusal added to the demo
# needs a line here
awk '/^[$] qtm /{cmd=substr($0,7)}
     /^   [(]refused with exit status [0-9]+[)]$/{s=$NF; sub(/[)]/,"",s); print s "|" cmd}' \
    "$tmp/example.out" >"$tmp/refusals"
n=0
for want in 'EFORBIDDEN|--as bloom job claim 1' 'EFORBIDDEN|--as bo job advance 1 start' \
            'EREFUSED|--as ana job complete 1'; do
    n=$((n + 1))
    name=${want%%|*} cmd=${want#*|}
    code=$(sed -n "s/^ *QTM_$name = \([0-9]*\).*/\1/p" runtime/qtm.h)
    check "the demo shows 'qtm $cmd' refused with exit status ${code:-?} (QTM_$name)" \
        grep -qxF "${code:-?}|$cmd" "$tmp/refusals"
done
check "the demo shows $n refusals, each with its status" \
    test "$(grep -c 'refused with exit status' "$tmp/example.out")" -eq $n -a "$(wc -l <"$tmp/refusals")" -eq $n
check "the example leaves a database that verifies" "$BUILD/bin/qtm" --db "$tmp/example.db" verify

if [ -x tests/scenario/run.sh ]; then
    echo "== scenarios (the qtm command on real SQLite files)"
    BUILD=$BUILD QTM=$BUILD/bin/qtm-test tests/scenario/run.sh >"$tmp/scen" 2>&1
    grep -v '^[0-9]* passed, [0-9]* failed$' "$tmp/scen" | tail -60
    sp=$(sed -n 's/^\([0-9]*\) passed, \([0-9]*\) failed$/\1/p' "$tmp/scen" | tail -1)
    sf=$(sed -n 's/^\([0-9]*\) passed, \([0-9]*\) failed$/\2/p' "$tmp/scen" | tail -1)
    [ -n "$sp" ] || { bad "scenario runner gave no summary"; sp=0; sf=0; }
    pass=$((pass + sp)); fail=$((fail + sf))
    echo "scenarios: $sp passed, $sf failed"
fi

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
BUILD=$BUILD QTM=$BUILD/bin/qtm tests/browser/run.sh >"$tmp/browser" 2>&1
grep -v '^browser: [0-9]* passed' "$tmp/browser" | grep -v '^ok - ' | tail -50
bp=$(sed -n 's/^browser: \([0-9]*\) passed, \([0-9]*\) failed$/\1/p' "$tmp/browser" | tail -1)
bf=$(sed -n 's/^browser: \([0-9]*\) passed, \([0-9]*\) failed$/\2/p' "$tmp/browser" | tail -1)
[ -n "$bp" ] || { bad "browser runner gave no summary"; bp=0; bf=0; }
pass=$((pass + bp)); fail=$((fail + bf))
echo "browser: $bp passed, $bf failed"

echo
echo "$pass passed, $fail failed"
[ $fail -eq 0 ]

#!/bin/sh
# tests/qtmc/cli.sh - the qtmc command end to end: generated C under gcc and
# clang -pedantic, determinism, Graphviz rendering, the command-line
# contract (exit statuses, options, diagnostics), fmt, diff and history.
# Same counting contract as tests/scenario/*.sh: one "FAIL: ..." line per
# failed check, last line "N passed, N failed", exit 1 if any failed.
# Env: BUILD (default build), QTMC (default $BUILD/bin/qtmc).
set -u
BUILD=${BUILD:-build}
QTMC=${QTMC:-$BUILD/bin/qtmc}
export LC_ALL=C
cd "$(dirname "$0")/../.." || exit 2
pass=0
fail=0
tmp=$(mktemp -d "${TMPDIR:-/tmp}/qtm-cli.XXXXXX")
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
if [ ! -x "$QTMC" ]; then
    echo "FAIL: no qtmc binary at $QTMC (make $QTMC)"
    echo "0 passed, 1 failed"
    exit 1
fi

echo "== generated C"
mkdir -p "$tmp/gen"
check "qtmc compiles every surface" "$QTMC" -o "$tmp/gen" surfaces/*.qsm
for cc in gcc clang; do
    command -v $cc >/dev/null 2>&1 || { echo "($cc not installed: skipped)"; continue; }
    for c in "$tmp"/gen/*.c; do
        check "$cc -pedantic $(basename "$c")" \
            $cc -std=c11 -pedantic -Wall -Wextra -Werror -Iruntime/include -I"$tmp/gen" -c -o "$tmp/x.o" "$c"
    done
done
# the bad-free good cases compile too
for d in tests/golden/good/*/; do
    [ -d "$d" ] || continue
    for c in "$d"*.c; do
        [ -e "$c" ] || continue
        check "gcc -pedantic good/$(basename "$d")" \
            gcc -std=c11 -pedantic -Wall -Wextra -Werror -Iruntime/include -I"$d" -c -o "$tmp/x.o" "$c"
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
printf 'surface w {\n name "W" spec "surface-runtime-spec-v0.01" status active\n execution { claim required ownership assigned record service_event payment_timing independent completed_jobs visible }\n lifecycle { a initial b "B" final }\n transitions { a -> b on claim by operator outcome done }\n record { job }\n}\n' >"$tmp/warn.qsm"
status "a warning alone exits 0" 0 "$QTMC" --check "$tmp/warn.qsm"
status "-Werror makes it exit 1" 1 "$QTMC" --check -Werror "$tmp/warn.qsm"
status "-Wno-missing-label silences it" 0 "$QTMC" --check -Werror -Wno-missing-label "$tmp/warn.qsm"
# the guardrail warning: on by default, a warning (exit 0), -Wno-guardrail silences it
printf 'surface g {\n name "G" spec "surface-runtime-spec-v0.01" status active\n execution { claim required ownership assigned record service_event payment_timing independent completed_jobs visible }\n lifecycle { a "A" initial scheduled "S" b "B" final }\n transitions { a -> scheduled on claim by operator scheduled -> b on send_invoice by owner outcome done }\n record { job }\n}\n' >"$tmp/guard.qsm"
status "-Wguardrail is on by default and only warns" 0 "$QTMC" --check "$tmp/guard.qsm"
check "... naming the phase with its code" grep -q "phase .scheduled. reads as scheduling, which is not execution \[Q504\] \[-Wguardrail\]" "$tmp/err"
status "-Werror=guardrail refuses it" 1 "$QTMC" --check -Werror=guardrail "$tmp/guard.qsm"
status "-Wno-guardrail silences it" 0 "$QTMC" --check -Werror -Wno-guardrail "$tmp/guard.qsm"
# the outcome codes and the admin cancel, end to end
printf 'surface o {\n name "O" spec "surface-runtime-spec-v0.01" status active\n execution { claim required ownership assigned record service_event payment_timing independent completed_jobs visible }\n lifecycle { a "A" initial b "B" c "C" final }\n transitions { a -> b on claim by operator b -> c on finish by owner a -> c on cancel by admin outcome cancelled }\n record { job }\n}\n' >"$tmp/outc.qsm"
status "a final transition without an outcome and an admin cancel are errors" 1 "$QTMC" --check "$tmp/outc.qsm"
check "... Q208 for the outcome" grep -q "enters final phase .c. without an outcome \[Q208\]" "$tmp/err"
check "... Q414 for the admin cancel" grep -q "by admin leaves initial phase .a. \[Q414\]" "$tmp/err"
for code in Q119 Q120 Q208 Q209 Q414 Q504; do
    status "--explain $code" 0 "$QTMC" --explain "$code"
done
check "fmt keeps outcome, min/max and the summary" sh -c "'$QTMC' fmt - < surfaces/event-coordination.qsm | cmp -s - surfaces/event-coordination.qsm"
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
status "fmt --check passes on every spec" 0 "$QTMC" fmt --check surfaces/*.qsm surfaces/history/*.qsm tests/surfaces/*.qsm tests/surfaces/history/*.qsm tests/golden/good/*.qsm
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
check "... the older one's tables go to qtm_history.c" grep -q 'qtm_surface_migrate_demo__v06e9a412bcd6 = {' "$tmp/hist/qtm_history.c"
check "... and no file of its own" test ! -e "$tmp/hist/migrate_demo__v06e9a412bcd6.c"
for cc in gcc clang; do
    command -v $cc >/dev/null 2>&1 || continue
    check "$cc -pedantic qtm_history.c with history" \
        $cc -std=c11 -pedantic -Wall -Wextra -Werror -Iruntime/include -I"$tmp/hist" -c -o "$tmp/x.o" "$tmp/hist/qtm_history.c"
done
status "the same slug twice without migrate from is an error" 1 "$QTMC" --check "$V2" "$V2"

# the shipped history: the previous release's specs (commit 60d9a8a), kept
# for its jobs in flight under the fingerprints its database stored
# (tests/scenario/fixtures/v4-release.sql); they predate Q208 and Q414
REL_auto_detailing=sha256:b2591b6170f15929d195d5637334c6a5fdb9f375598e82bdc47c3b3593bc380e
REL_event_coordination=sha256:14d01231fff9a51fcb8e6ce348fa6a97459cf4eaaf62b8902eb242c2c30b5059
REL_landscaping=sha256:4abdb27cf007e3f976d0c8b8a7b53a2dbc68bf419fbb8a6e18e10bdc8ea40490
mkdir -p "$tmp/shist"
check "the shipped specs and their history compile together" "$QTMC" -o "$tmp/shist" surfaces/*.qsm surfaces/history/*.qsm
for s in auto-detailing event-coordination landscaping; do
    c=$(echo "$s" | tr - _)
    eval "fp=\$REL_$c"
    h=surfaces/history/$s.v1.qsm
    check "$s v1 is retained under the release's fingerprint" \
        grep -q "qtm_surface_${c}__v$(echo "$fp" | cut -c8-19) = {" "$tmp/shist/qtm_history.c"
    "$QTMC" diff "$h" "surfaces/$s.qsm" >"$tmp/dout" 2>"$tmp/derr"
    check "qtmc diff takes $s v1 as OLD (relaxed), with the release's fingerprint" \
        sh -c "[ ! -s '$tmp/derr' ] && head -1 '$tmp/dout' | grep -q '$s $fp\$'"
    status "$s v1 alone gets every check" 1 "$QTMC" --check "$h"
    check "... Q208 among them" grep -q '\[Q208\]' "$tmp/err"
    status "$s v1 as qtmc diff's NEW gets every check" 2 "$QTMC" diff "surfaces/$s.qsm" "$h"
    check "... Q208 among them" grep -q '\[Q208\]' "$tmp/err"
done
status "landscaping v1 alone: Q414 too" 1 "$QTMC" --check surfaces/history/landscaping.v1.qsm
check "... on its admin cancel" grep -q 'queued -> cancelled on cancel. by admin leaves initial phase .queued. \[Q414\]' "$tmp/err"
status "landscaping v1 with a spec that does not name it: every check, and Q118" 1 \
    "$QTMC" --check "$V2" surfaces/history/landscaping.v1.qsm tests/surfaces/history/migrate-demo.v1.qsm

echo "== house rules (compiler/)"
# one out-of-memory path: qtmc_oom() in xalloc.c prints the only message
check "no out-of-memory message outside compiler/xalloc.c" sh -c \
    "! grep -n 'out of memory' compiler/*.c compiler/*.h grammar/*.l grammar/*.y | grep -v '^compiler/xalloc\\.[ch]:'"
# and one growable array: XGROW (realloc only in xalloc.c)
check "no realloc outside compiler/xalloc.c" sh -c \
    "! grep -n 'realloc(' compiler/*.c grammar/*.l grammar/*.y | grep -v '^compiler/xalloc\\.c:'"
check "paths to stdout without -o" sh -c "'$QTMC' --emit paths surfaces/event-coordination.qsm | jq -e '.surface == \"event-coordination\"' >/dev/null"

echo "$pass passed, $fail failed"
[ $fail -eq 0 ]

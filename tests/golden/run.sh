#!/bin/sh
# tests/golden/run.sh - golden-file tests for everything qtmc emits.
#
#   surfaces/*.qsm        -> tests/golden/surfaces/<slug>/ (C, header, dot, json, md, paths.json);
#                            with surfaces/history/*.qsm -> tests/golden/surfaces/qtm_registry.c
#                            and qtm_history.c (the retained specs' tables)
#   tests/golden/good/X.qsm -> tests/golden/good/X/ (all outputs, plus
#                            `stderr` when qtmc warned)
#   tests/golden/bad/X.qsm  -> tests/golden/bad/X.err (exact diagnostics);
#                            qtmc must exit 1 and leave no file behind
#                            (older specs named in flags live in bad/history/)
#   tests/golden/diff/X.args -> tests/golden/diff/X.out: `qtmc diff ARGS`
#                            stdout, stderr and "exit N"
# A case's first line may carry extra flags: "# qtmc-flags: -Werror".
# With --update, expected files are rewritten instead of compared.
# Prints "golden: N passed, N failed"; exits 1 if any failed.
set -u
BUILD=${BUILD:-build}
QTMC=${QTMC:-$BUILD/bin/qtmc}
update=0
[ "${1:-}" = "--update" ] && update=1
export LC_ALL=C

tmp=$(mktemp -d "${TMPDIR:-/tmp}/qtm-golden.XXXXXX")
trap 'rm -rf "$tmp"' EXIT
pass=0
fail=0

ok() { pass=$((pass + 1)); }
bad() { fail=$((fail + 1)); echo "FAIL: $1"; }

flags_of() { sed -n '1s/^# qtmc-flags: //p' "$1"; }

# compare_dir EXPECTED ACTUAL NAME
compare_dir() {
    if [ $update = 1 ]; then
        rm -rf "$1" && mkdir -p "$1" && cp "$2"/* "$1"/ 2>/dev/null
        ok
    elif diff -ru "$1" "$2" >"$tmp/diff" 2>&1; then
        ok
    else
        bad "$3"
        head -60 "$tmp/diff"
    fi
}

# --- the real surfaces ---------------------------------------------------
for f in surfaces/*.qsm; do
    [ -e "$f" ] || continue
    slug=$(basename "$f" .qsm)
    out="$tmp/s-$slug"
    mkdir -p "$out"
    if ! "$QTMC" --emit c,dot,json,doc,paths -o "$out" "$f" 2>"$tmp/err"; then
        bad "surface $f does not compile"; cat "$tmp/err"; continue
    fi
    rm -f "$out/qtm_registry.c" "$out/qtm_history.c"
    compare_dir "tests/golden/surfaces/$slug" "$out" "surface $slug"
done
mkdir -p "$tmp/reg"
# as the build compiles them: the current specs with their history
# shellcheck disable=SC2046
if "$QTMC" -o "$tmp/reg" surfaces/*.qsm $(ls surfaces/history/*.qsm 2>/dev/null) 2>"$tmp/err"; then
    for r in qtm_registry.c qtm_history.c; do
        if [ $update = 1 ]; then
            cp "$tmp/reg/$r" "tests/golden/surfaces/$r"; ok
        elif diff -u "tests/golden/surfaces/$r" "$tmp/reg/$r"; then ok
        else bad "$r"; fi
    done
else
    bad "surfaces together"; cat "$tmp/err"
fi

# --- good cases ----------------------------------------------------------
for f in tests/golden/good/*.qsm; do
    [ -e "$f" ] || continue
    name=$(basename "$f" .qsm)
    out="$tmp/g-$name"
    mkdir -p "$out"
    # shellcheck disable=SC2046
    if ! "$QTMC" --emit c,dot,json,doc,paths $(flags_of "$f") -o "$out" "$f" 2>"$tmp/err"; then
        bad "good/$name does not compile"; cat "$tmp/err"; continue
    fi
    rm -f "$out/qtm_registry.c" "$out/qtm_history.c"
    [ -s "$tmp/err" ] && cp "$tmp/err" "$out/stderr"
    compare_dir "tests/golden/good/$name" "$out" "good/$name"
done

# --- bad cases -----------------------------------------------------------
for f in tests/golden/bad/*.qsm; do
    [ -e "$f" ] || continue
    name=$(basename "$f" .qsm)
    exp="tests/golden/bad/$name.err"
    out="$tmp/b-$name"
    mkdir -p "$out"
    # shellcheck disable=SC2046
    "$QTMC" --emit c,dot,json $(flags_of "$f") -o "$out" "$f" >"$tmp/stdout" 2>"$tmp/err"
    rc=$?
    if [ $update = 1 ]; then
        cp "$tmp/err" "$exp"
    fi
    if [ $rc -ne 1 ]; then
        bad "bad/$name: exit status $rc, expected 1"; head -5 "$tmp/err"; continue
    fi
    if [ -n "$(ls -A "$out")" ]; then
        bad "bad/$name: output files left behind: $(ls -A "$out")"; continue
    fi
    if [ -s "$tmp/stdout" ]; then
        bad "bad/$name: wrote to stdout"; continue
    fi
    if [ ! -f "$exp" ]; then
        bad "bad/$name: no $exp (run make golden)"; continue
    fi
    if diff -u "$exp" "$tmp/err" >"$tmp/diff"; then ok
    else bad "bad/$name"; cat "$tmp/diff"; fi
done

# --- diff cases ------------------------------------------------------------
for f in tests/golden/diff/*.args; do
    [ -e "$f" ] || continue
    name=$(basename "$f" .args)
    exp="tests/golden/diff/$name.out"
    # shellcheck disable=SC2046
    "$QTMC" diff $(cat "$f") >"$tmp/dout" 2>&1
    echo "exit $?" >>"$tmp/dout"
    if [ $update = 1 ]; then
        cp "$tmp/dout" "$exp"; ok
    elif [ ! -f "$exp" ]; then
        bad "diff/$name: no $exp (run make golden)"
    elif diff -u "$exp" "$tmp/dout" >"$tmp/diff"; then ok
    else bad "diff/$name"; cat "$tmp/diff"; fi
done

echo "golden: $pass passed, $fail failed"
[ $fail -eq 0 ]

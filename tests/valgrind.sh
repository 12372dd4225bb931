#!/bin/sh
# tests/valgrind.sh - the unit tests and qtmc (on every surface, good and
# bad case) under valgrind's memcheck: any leak or memory error fails.
# Last line "N passed, N failed".
set -u
BUILD=${BUILD:-build}
command -v valgrind >/dev/null 2>&1 || tools/deps.sh valgrind || exit 1
VG="valgrind -q --leak-check=full --show-leak-kinds=definite,indirect,possible --errors-for-leak-kinds=definite,indirect,possible --error-exitcode=99"
tmp=$(mktemp -d "${TMPDIR:-/tmp}/qtm-vg.XXXXXX")
trap 'rm -rf "$tmp"' EXIT
pass=0
fail=0
run() {
    name=$1; shift
    $VG "$@" >"$tmp/out" 2>&1
    if [ $? -eq 99 ]; then
        fail=$((fail + 1)); echo "FAIL: $name"; head -40 "$tmp/out"
    else
        pass=$((pass + 1))
    fi
}
for t in "$BUILD"/bin/test_*; do
    [ -x "$t" ] && run "$(basename "$t")" "$t"
done
run "qtmc surfaces" "$BUILD/bin/qtmc" --emit c,dot,json,doc -o "$tmp/gen" surfaces/*.qsm
run "qtmc with history" "$BUILD/bin/qtmc" -o "$tmp/h" tests/surfaces/*.qsm tests/surfaces/history/*.qsm
for a in tests/golden/diff/*.args; do
    # shellcheck disable=SC2046
    run "qtmc diff $(cat "$a")" "$BUILD/bin/qtmc" diff $(cat "$a")
done
for f in tests/golden/good/*.qsm tests/golden/bad/*.qsm; do
    [ -e "$f" ] || continue
    run "qtmc $f" "$BUILD/bin/qtmc" --emit c,dot,json -o "$tmp/g" "$f"
    run "qtmc --diagnostics-format json $f" "$BUILD/bin/qtmc" --check --diagnostics-format json "$f"
done
echo "$pass passed, $fail failed"
[ $fail -eq 0 ]

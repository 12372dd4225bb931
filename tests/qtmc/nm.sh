#!/bin/sh
# tests/qtmc/nm.sh - libqtm exports only prefixed names: every global symbol
# that build/lib/libqtm.a defines starts with qtm_ (the public API) or
# qtmi_ (internal, shared between libqtm's own files).  An embedding
# program then cannot collide with libqtm on a name like job_load.
# Last line "N passed, N failed"; one "FAIL: ..." line per stray symbol.
set -u
BUILD=${BUILD:-build}
LIB=${LIBQTM:-$BUILD/lib/libqtm.a}
export LC_ALL=C
if [ ! -f "$LIB" ]; then
    echo "FAIL: no $LIB (make $LIB)"
    echo "0 passed, 1 failed"
    exit 1
fi
# "nm -g --defined-only" prints "VALUE TYPE NAME" for each symbol, and
# "member.o:" headers; the third field is the name
syms=$(nm -g --defined-only "$LIB" | awk 'NF == 3 { print $3 }' | sort -u)
total=$(echo "$syms" | grep -c .)
# (a sanitizer build adds its own: __odr_asan.NAME, __asan_*, __ubsan_*)
stray=$(echo "$syms" | grep -Ev '^(qtm_|qtmi_|__odr_asan[._]|__asan_|__ubsan_|__sancov_)')
if [ "$total" -eq 0 ]; then
    echo "FAIL: nm found no global symbol in $LIB"
    echo "0 passed, 1 failed"
    exit 1
fi
nbad=0
for s in $stray; do
    echo "FAIL: $LIB exports $s (want a qtm_ or qtmi_ prefix)"
    nbad=$((nbad + 1))
done
echo "$((total - nbad)) passed, $nbad failed"
[ "$nbad" -eq 0 ]

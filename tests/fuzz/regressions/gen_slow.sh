#!/bin/sh
# gen_slow.sh KIND N M - inputs that make qtmc's time or memory grow as a
# product of two sizes (found by review and profiling, not by the 8 KiB
# fuzzer: they need large inputs).  Prints a .qsm to stdout.
#
#   undefined N M   N phases, M transitions from an undefined phase.
#                   sema_names.c resolve_phase() allocates an N-entry name
#                   array in the arena and runs suggest_closest() over all N
#                   phases for every undefined endpoint, even after the
#                   error cap has dropped the diagnostic: O(N*M) time and
#                   N*M*8 bytes of arena.  `undefined 20000 2000` (1.3 MB):
#                   3.2 s CPU and 329 MB peak RSS, against 0.24 s and 37 MB
#                   with no bad transition; near the 16 MiB input
#                   limit (65535 phases, ~600k bad transitions) the arena
#                   would need ~300 GB.
#   unlabelled N M  N phases with no label (one Q501 warning each; warnings
#                   are not capped) and M ignored.  diag.c print_caret() ->
#                   line_span() rescans the source from its first byte for
#                   every diagnostic and every located note: O(N * lines).
#                   `unlabelled 10000 0` checks in 1.4 s against 0.37 s for
#                   `undefined 10000 0` (the same spec, labelled): perf puts
#                   30% in memchr under line_span.  stderr is unbuffered, so
#                   print_caret's fputc calls are also one write(2) each
#                   (10% of samples in __libc_write).
#
# Usage: tests/fuzz/regressions/gen_slow.sh undefined 20000 2000 > /tmp/u.qsm
#        build/bin/measure -n 1 -- sh -c 'build/bin/qtmc --check /tmp/u.qsm 2>/dev/null'
# (qtmc should reject `undefined` inputs (exit 1) and accept `unlabelled`
# ones with warnings (exit 0), in time linear in the input.)
set -eu
[ $# -eq 3 ] || { echo "usage: $0 undefined|unlabelled N M" >&2; exit 2; }
LC_ALL=C awk -v kind="$1" -v n="$2" -v t="$3" 'BEGIN {
    print "surface slow {"
    print "    name \"Slow\" spec \"surface-runtime-spec-v0.01\" status active"
    print "    execution { claim required ownership assigned record service_event"
    print "                payment_timing independent completed_jobs visible }"
    print "    lifecycle {"
    for (i = 0; i < n; i++) {
        label = kind == "unlabelled" ? "" : " \"P\""
        printf "        p%d%s%s\n", i, label, i == 0 ? " initial" : (i == n - 1 ? " final" : "")
    }
    print "    }"
    print "    transitions {"
    print "        p0 -> p1 on claim by operator"
    for (i = 1; i < n - 1; i++)
        printf "        p%d -> p%d on next by owner\n", i, i + 1
    if (kind == "undefined")
        for (i = 0; i < t; i++)
            printf "        x%d -> p1 on next by owner\n", i
    print "    }"
    print "    record { job }"
    print "}"
}'

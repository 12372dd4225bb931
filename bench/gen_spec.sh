#!/bin/sh
# gen_spec.sh N - print a valid synthetic surface spec with N phases.
#
# The spec passes every qtmc check: `claim required` + `ownership assigned`,
# so phase_0 (initial) leaves only by `on claim by operator` and every other
# transition is `by owner`; phase_N-1 is the only final phase and nothing
# leaves it; `next` chains all phases, so every phase is reachable and the
# final phase is reachable from every phase; at most one transition per
# (phase, event).  Every non-final phase after the first has up to five
# transitions on a fixed event set (next, skip, back, hold, resume), so the
# transition table stays N x 6.  Every phase has a label and a hint.
# Output depends only on N.  POSIX sh + awk; no other tools.
set -eu

usage() { echo "usage: $0 N   (N >= 2 phases)" >&2; exit 2; }
[ $# -eq 1 ] || usage
case $1 in ''|*[!0-9]*) usage ;; esac
[ "$1" -ge 2 ] || usage

LC_ALL=C awk -v n="$1" 'BEGIN {
    printf "# Synthetic benchmark surface: %d phases (bench/gen_spec.sh %d).\n\n", n, n
    printf "surface bench-%d {\n", n
    printf "    name   \"Benchmark %d\"\n", n
    printf "    spec   \"surface-runtime-spec-v0.01\"\n"
    printf "    status active\n\n"
    printf "    execution {\n"
    printf "        claim          required\n"
    printf "        ownership      assigned\n"
    printf "        record         service_event\n"
    printf "        payment_timing independent\n"
    printf "        completed_jobs visible\n"
    printf "    }\n\n"
    printf "    intake {\n"
    printf "        contact {\n"
    printf "            name:   text required max 200\n"
    printf "            method: one_of(email, text, call) required\n"
    printf "            email:  email\n"
    printf "        }\n"
    printf "        notes {\n"
    printf "            condition: text required max 4000\n"
    printf "        }\n"
    printf "        photos min 0\n"
    printf "    }\n\n"

    last = n - 1
    printf "    lifecycle {\n"
    for (i = 0; i < n; i++) {
        printf "        phase_%d \"Phase %d\"", i, i
        if (i == 0) printf " initial"
        if (i == last) printf " final"
        printf "\n                hint \"Step %d of %d: keep the job moving.\"\n", i + 1, n
    }
    printf "    }\n\n"

    printf "    transitions {\n"
    printf "        phase_0 -> phase_1 on claim by operator\n"
    for (i = 1; i < last; i++) {
        req = (i + 1 == last) ? " requires evidence" : ""
        printf "        phase_%d -> phase_%d on next by owner%s\n", i, i + 1, req
        if (i + 2 <= last)
            printf "        phase_%d -> phase_%d on skip by owner\n", i, i + 2
        if (i >= 2)
            printf "        phase_%d -> phase_%d on back by owner\n", i, i - 1
        printf "        phase_%d -> phase_%d on hold by owner\n", i, i
        # a deterministic long jump forward or back (never to phase_0)
        printf "        phase_%d -> phase_%d on resume by owner\n", i, 1 + (i * 7919) % last
    }
    printf "    }\n\n"

    printf "    evidence {\n"
    printf "        required         []\n"
    printf "        optional         []\n"
    printf "        min_per_category 0\n"
    printf "    }\n\n"
    printf "    record { operator job surface scope context participants outcome completed_at }\n"
    printf "}\n"
}'

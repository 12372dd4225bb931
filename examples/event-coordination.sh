#!/bin/sh
# examples/event-coordination.sh - the seed's Execution Example, performed
# for real with the `qtm` command on a fresh SQLite file:
#   1 request  2 task  3 assignment  4 job  5 claim  6 ServiceEvent
#   7 coordination  8 completion  9 record  10 settlement stays separate
# then the desk, the record, the audit log and verify, and three refusals
# a user would hit.  Usage: examples/event-coordination.sh [QTM] [DB]
set -eu
QTM=${1:-${BUILD:-build}/bin/qtm}
DB=${2:-${BUILD:-build}/demo/event-coordination.db}
mkdir -p "$(dirname "$DB")"
rm -f "$DB" "$DB-wal" "$DB-shm"
export QTM_DB="$DB"
here=$(cd "$(dirname "$0")" && pwd)

step() { printf '\n== %s\n' "$*"; }
q() { printf '$ qtm %s\n' "$*"; "$QTM" "$@"; }
# a refusal we expect: show the command, its message and exit status
# (the status is taken from the command itself: after `fi`, $? would be 0)
refused() {
    printf '$ qtm %s\n' "$*"
    st=0
    "$QTM" "$@" || st=$?
    if [ "$st" -eq 0 ]; then echo "!! expected a refusal" >&2; exit 1; fi
    echo "   (refused with exit status $st)"
}
phase() { "$QTM" --json job show "$1" | sed -n 's/^  "label": "\(.*\)",$/   phase label: \1/p'; }

step "0. a fresh database and the actors"
q init
q actor add dana --role admin --name "Dana (admin)"
q actor add ana --role operator --name "Ana Reyes (event coordinator)"
q actor add bo --role operator --name "Bo Lindqvist (another coordinator)"
q actor add bloom --role vendor --name "Bloom Florals"

step "1. a client submits an event coordination request (intake data, not work)"
q request submit event-coordination --intake "$here/intake/event-coordination-wedding.json" --key wedding-2026-05-16
q desk

step "2. the request is a governance task for review"
q task list
q --as dana task approve 1

step "3. assignment: who should receive the handoff (still no job, no execution)"
q --as dana task assign 1 --to ana
q desk

step "4. the explicit Create Job handoff"
q --as dana job create --task 1
phase 1

step "5. the operator claims the job (a vendor cannot)"
refused --as bloom job claim 1
q --as ana job claim 1
phase 1

step "6-7. the ServiceEvent carries execution; coordination happens"
q --as ana participant add 1 --name "Bloom Florals" --role vendor --contact "orders@bloom.example"
q --as ana participant add 1 --name "Luis (venue manager)" --role "venue contact"
q --as ana job advance 1 arrive
phase 1
refused --as bo job advance 1 start
q --as ana job advance 1 start
phase 1
refused --as ana job complete 1

step "8-9. the ServiceEvent completes and composes the record"
q --as ana job advance 1 complete
phase 1
q record show --job 1
q --as ana job complete 1

step "10. settlement stays separate: a payment changes no job, phase or record"
q --as dana settle 1 --due 4800.00 --amount 1200.00 --method zelle --note "deposit"
phase 1
q desk
q log --job 1
q verify

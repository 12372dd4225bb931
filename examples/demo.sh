#!/bin/sh
# examples/demo.sh - what `make demo` shows today: the surfaces compiled by
# qtmc, their diagrams, and the seed's event-coordination lifecycle walked
# through the generated tables, with the refusals the tables give.
# (The SQLite-backed runtime and the `qtm` command come with the runtime
# issue; this walk uses the same tables it will link.)
set -eu
BUILD=${BUILD:-build}
G=$BUILD/gen
echo "== qtmc: surfaces checked and compiled into $G"
"$BUILD/bin/qtmc" -o "$G" --emit c,dot,json surfaces/*.qsm
for f in surfaces/*.qsm; do
    slug=$(basename "$f" .qsm)
    printf '  %-20s %s\n' "$slug" "$(sed -n 's/.*"fingerprint": "\(.*\)".*/\1/p' "$G/$slug.json")"
    if command -v dot >/dev/null 2>&1; then
        dot -Tsvg -o "$G/$slug.svg" "$G/$slug.dot"
        echo "  diagram: $G/$slug.svg"
    fi
done
echo
echo "== event-coordination: the seed's execution example, steps 5-8 (claim to complete)"
"$BUILD/bin/walk" event-coordination claim@operator arrive@owner start@owner complete@owner
echo
echo "== refusals the tables give"
"$BUILD/bin/walk" event-coordination claim@vendor || true
"$BUILD/bin/walk" event-coordination claim@operator complete@owner || true
"$BUILD/bin/walk" event-coordination claim@operator arrive@operator || true
echo
echo "== auto-detailing: completion is gated on evidence"
"$BUILD/bin/walk" auto-detailing claim@operator arrive@owner start@owner finish@owner complete@owner

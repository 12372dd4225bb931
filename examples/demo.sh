#!/bin/sh
# examples/demo.sh - what `make demo` runs: qtmc checks and compiles every
# surface (tables, diagrams), then the seed's execution example is
# performed with the real `qtm` command on a fresh SQLite database.
set -eu
BUILD=${BUILD:-build}
G=$BUILD/gen
echo "== qtmc: surfaces checked and compiled into $G"
"$BUILD/bin/qtmc" -o "$G" --emit c,dot,json surfaces/*.qsm
for f in surfaces/*.qsm; do
    slug=$(basename "$f" .qsm)
    printf '  %-20s %s\n' "$slug" "$(sed -n 's/.*"fingerprint": "\(.*\)".*/\1/p' "$G/$slug.json")"
    if command -v dot >/dev/null 2>&1; then
        dot -Tsvg -o "$G/$slug.svg" "$G/$slug.dot" && echo "  diagram: $G/$slug.svg"
    fi
done
examples/event-coordination.sh "$BUILD/bin/qtm" "$BUILD/demo/event-coordination.db"
examples/auto-detailing.sh "$BUILD/bin/qtm" "$BUILD/demo/auto-detailing.db" "$BUILD/bin/qtm-imggen"

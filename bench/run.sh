#!/bin/sh
# bench/run.sh - qtmc compile-time benchmarks (run by `make bench`).
#
# Generates synthetic specs of 100, 1,000 and 10,000 phases into
# $BUILD/bench/ (bench/gen_spec.sh), checks that each compiles, then times
# whole qtmc runs (`qtmc --emit c -o DIR SPEC`) with $BUILD/bin/measure and
# prints a table: phases, transitions, median and min wall time, peak RSS,
# and the growth ratio time(10x phases) / time(x phases); then the same
# for surfaces/event-coordination.qsm.  Targets are printed beside the
# figures; a missed target is only reported.  Exits non-zero only when
# something does not build, generate or compile.
#
# Environment: BUILD (default build), RUNS (timed runs per spec, default 5),
# SIZES (default "100 1000 10000").
set -u
BUILD=${BUILD:-build}
RUNS=${RUNS:-5}
SIZES=${SIZES:-"100 1000 10000"}
QTMC=$BUILD/bin/qtmc
MEASURE=$BUILD/bin/measure
DIR=$BUILD/bench
here=$(dirname "$0")
export LC_ALL=C

die() { echo "bench: $*" >&2; exit 1; }

[ -x "$QTMC" ] || die "$QTMC is not built (make $QTMC)"
[ -x "$MEASURE" ] || die "$MEASURE is not built (make $MEASURE)"
mkdir -p "$DIR" || die "cannot create $DIR"

# compile_ok NAME SPEC: compiles SPEC once (c and json), records phases and
# transitions from the JSON model in $DIR/NAME.counts
compile_ok() {
    out="$DIR/out-$1"
    rm -rf "$out" && mkdir -p "$out"
    if ! "$QTMC" --emit c,json -o "$out" "$2" >"$DIR/$1.log" 2>&1; then
        cat "$DIR/$1.log" >&2
        die "$2 does not compile"
    fi
    json=$(ls "$out"/*.json 2>/dev/null | head -n 1)
    [ -n "$json" ] || die "$2: qtmc wrote no JSON model"
    phases=$(grep -c '"initial":' "$json")
    trans=$(grep -c '"from":' "$json")
    echo "$phases $trans" >"$DIR/$1.counts"
}

# time_it NAME SPEC: prints "median_ms min_ms rss_kib"
time_it() {
    out="$DIR/out-$1"
    res=$("$MEASURE" -n "$RUNS" -- "$QTMC" --emit c -o "$out" "$2") ||
        die "timing $2 failed"
    echo "$res" | awk '{
        for (i = 1; i <= NF; i++) { split($i, kv, "="); v[kv[1]] = kv[2] }
        print v["median_ms"], v["min_ms"], v["max_rss_kib"] }'
}

# --- generate and check ---------------------------------------------------
names=""
for n in $SIZES; do
    spec="$DIR/bench-$n.qsm"
    sh "$here/gen_spec.sh" "$n" >"$spec" || die "gen_spec.sh $n failed"
    compile_ok "bench-$n" "$spec"
    names="$names bench-$n"
done
EC=surfaces/event-coordination.qsm
[ -f "$EC" ] || die "$EC is missing"
compile_ok event-coordination "$EC"

# --- measure --------------------------------------------------------------
rows="$DIR/results.txt"
: >"$rows"
for name in $names; do
    set -- $(time_it "$name" "$DIR/$name.qsm")
    echo "$name $(cat "$DIR/$name.counts") $1 $2 $3" >>"$rows"
done
set -- $(time_it event-coordination "$EC")
echo "event-coordination $(cat "$DIR/event-coordination.counts") $1 $2 $3" >>"$rows"

# --- report ---------------------------------------------------------------
echo "qtmc benchmark: whole process, qtmc --emit c -o DIR SPEC; median of $RUNS runs"
echo "($(uname -m), $(getconf _NPROCESSORS_ONLN 2>/dev/null || echo '?') cpus; $(date -u '+%Y-%m-%d %H:%M UTC'))"
echo
awk '
function target(ok, text) { return sprintf("%s %s", ok ? "ok    " : "MISSED", text) }
{
    name[NR] = $1; ph[NR] = $2; tr[NR] = $3; med[NR] = $4; mn[NR] = $5; rss[NR] = $6
}
END {
    printf "%-20s %7s %11s %11s %10s %10s %7s  %s\n", "spec", "phases", "transitions",
           "median ms", "min ms", "peak RSS", "growth", "targets"
    printf "%-20s %7s %11s %11s %10s %10s %7s  %s\n", "----", "------", "-----------",
           "---------", "------", "--------", "------", "-------"
    missed = 0
    for (i = 1; i <= NR; i++) {
        growth = "-"
        t = ""
        # growth: against the previous synthetic spec of a tenth the phases
        if (name[i] != "event-coordination" && i > 1 && ph[i - 1] > 0 &&
            ph[i] == 10 * ph[i - 1] && med[i - 1] > 0) {
            g = med[i] / med[i - 1]
            growth = sprintf("%.1fx", g)
            t = target(g <= 15, "growth <= 15x")
            if (g > 15) missed++
        }
        if (ph[i] == 10000) {
            t = (t == "" ? "" : t "; ") target(med[i] < 1000, "< 1 s") "; " \
                target(rss[i] < 65536, "< 64 MiB")
            if (med[i] >= 1000) missed++
            if (rss[i] >= 65536) missed++
        }
        if (name[i] == "event-coordination") {
            t = target(med[i] < 5, "< 5 ms")
            if (med[i] >= 5) missed++
        }
        printf "%-20s %7d %11d %11.2f %10.2f %7.1f MiB %7s  %s\n", name[i], ph[i], tr[i],
               med[i], mn[i], rss[i] / 1024, growth, t
    }
    printf "\n%s\n", missed ? missed " target(s) missed (reported only; not a failure)" \
                            : "all targets met"
}' "$rows"

#!/bin/sh
# examples/auto-detailing.sh - an auto-detailing job done with real photo
# files: the client's intake photo, then arrival, before and after photos
# the technician takes on the job, which the evidence contract counts
# (a job cannot complete without them), the record listing them by hash,
# category and type, and `record export --dir` writing the record and its
# files.  The photos are made by qtm-imggen (tests/tools/imggen.c); give a
# directory of your own JPEG/PNG/WebP files as PHOTOS instead.
# Usage: examples/auto-detailing.sh [QTM] [DB] [IMGGEN]
set -eu
QTM=${1:-${BUILD:-build}/bin/qtm}
DB=${2:-${BUILD:-build}/demo/auto-detailing.db}
IMGGEN=${3:-${BUILD:-build}/bin/qtm-imggen}
mkdir -p "$(dirname "$DB")"
rm -f "$DB" "$DB-wal" "$DB-shm"
export QTM_DB="$DB"
here=$(cd "$(dirname "$0")" && pwd)
work=$(dirname "$DB")/auto-detailing
rm -rf "$work"
mkdir -p "$work"
PHOTOS=${PHOTOS:-$work/photos}
if [ ! -d "$PHOTOS" ]; then
    mkdir -p "$PHOTOS"
    "$IMGGEN" jpeg 1600 1200 1 "$PHOTOS/vehicle.jpg" --gps   # a phone photo: with its location
    "$IMGGEN" jpeg 1600 1200 2 "$PHOTOS/arrival.jpg"
    "$IMGGEN" png 800 600 3 "$PHOTOS/before.png"
    "$IMGGEN" webp 1600 1200 4 "$PHOTOS/after.webp"
fi

step() { printf '\n== %s\n' "$*"; }
q() { printf '$ qtm %s\n' "$*"; "$QTM" "$@"; }
refused() {
    printf '$ qtm %s\n' "$*"
    st=0
    "$QTM" "$@" || st=$?
    if [ "$st" -eq 0 ]; then echo "!! expected a refusal" >&2; exit 1; fi
    echo "   (refused with exit status $st)"
}

step "0. a fresh database and the actors"
q init
q key init                         # records are signed: record export needs it
q actor add dana --role admin
q actor add ana --role operator --name "Ana (technician)"
q actor add marcus --role client --name "Marcus Lee"

step "1. the client submits the request with a photo of the vehicle (its GPS is removed)"
printf 'not a photo\n' >"$work/notes.jpg"
refused --as marcus request submit auto-detailing --intake "$here/intake/auto-detailing.json" --photo "$work/notes.jpg"
q --as marcus request submit auto-detailing --intake "$here/intake/auto-detailing.json" --photo "$PHOTOS/vehicle.jpg"

step "2-4. review, assignment, the job"
q --as dana task approve 1
q --as dana task assign 1 --to ana
q --as dana job create --task 1

step "5-6. the technician claims it and works through the phases"
q --as ana job claim 1
q --as ana job advance 1 arrive
q --as ana job advance 1 start
q --as ana job advance 1 finish
refused --as ana job advance 1 complete

step "7. the evidence contract counts real files: arrival, before, after"
q --as ana evidence add 1 arrival "$PHOTOS/arrival.jpg" --note "parked in the driveway"
q --as ana evidence add 1 before "$PHOTOS/before.png"
q --as ana evidence add 1 after "$PHOTOS/after.webp"
q --as ana job show 1

step "8-9. completion composes the record, which lists the files by hash"
q --as ana job advance 1 complete
q --as ana job complete 1
q record show --job 1
q record export --job 1 --dir "$work/export"
ls "$work/export" "$work/export/files"
(cd "$work/export" && sha256sum -c SHA256SUMS)
q verify

#!/bin/sh
# bench/blobs.sh - files through `qtm serve` (part of `make bench`).
#
# Prints: upload throughput for 5 MiB photos (MB/s of file bytes, one
# client sending 8, and 8 clients sending 2 each at once), the server's
# resident memory before, at its peak and after 8 clients upload a 20 MiB
# photo each at once (it must stay flat: bodies stream to temp files; the
# check then maps the file, whose pages are the page cache's), the time per
# 12-megapixel photo of `qtm blob put` (type check, metadata rewrite, whole
# decode, thumbnail, store), and `qtm verify` seconds per GiB of stored
# files.  Photos are noise JPEGs made by qtm-imggen, each distinct (no
# deduplication).  Nothing is asserted.  Env: BUILD.
set -u
BUILD=${BUILD:-build}
QTM=$BUILD/bin/qtm
IMGGEN=$BUILD/bin/qtm-imggen
DIR=$BUILD/bench/blobs
export LC_ALL=C
die() { echo "bench/blobs: $*" >&2; exit 1; }
[ -x "$QTM" ] && [ -x "$IMGGEN" ] || die "build $QTM and $IMGGEN first (make bench)"
command -v curl >/dev/null 2>&1 || die "curl is not installed"
rm -rf "$DIR" && mkdir -p "$DIR/p" || die "cannot create $DIR"
DB=$DIR/blobs.db
PID=
trap '[ -n "$PID" ] && kill "$PID" 2>/dev/null' EXIT INT TERM

now_ms() { date +%s%3N; }
rss_kib() { sed -n 's/^VmRSS:[^0-9]*\([0-9]*\).*/\1/p' "/proc/$1/status" 2>/dev/null; }
hwm_kib() { sed -n 's/^VmHWM:[^0-9]*\([0-9]*\).*/\1/p' "/proc/$1/status" 2>/dev/null; }
mbps() { awk -v b="$1" -v ms="$2" 'BEGIN { printf "%.1f", (b / 1048576) / (ms / 1000) }'; }

echo "== files (bench/blobs.sh)"
i=0
while [ $i -lt 24 ]; do "$IMGGEN" noise 2800 2100 $((100 + i)) "$DIR/p/m$i.jpg" || die "imggen"; i=$((i + 1)); done
i=0
while [ $i -lt 8 ]; do "$IMGGEN" noise 5300 4100 $((200 + i)) "$DIR/p/l$i.jpg" || die "imggen"; i=$((i + 1)); done
i=0
while [ $i -lt 5 ]; do "$IMGGEN" jpeg 4000 3000 $((300 + i)) "$DIR/p/t$i.jpg" || die "imggen"; i=$((i + 1)); done
msize=$(stat -c %s "$DIR/p/m0.jpg")
lsize=$(stat -c %s "$DIR/p/l0.jpg")
"$QTM" --db "$DB" init >/dev/null && "$QTM" --db "$DB" actor add ana --role operator >/dev/null || die "init"
TOKEN=$("$QTM" --db "$DB" token issue ana) || die "token"
"$QTM" --db "$DB" serve --listen 127.0.0.1:0 --max-upload 33554432 >"$DIR/serve.out" 2>"$DIR/serve.err" &
PID=$!
U=
for _ in $(seq 1 100); do
    U=$(sed -n 's|^qtm serve: listening on \(http://127.0.0.1:[0-9]*\)/.*|\1|p' "$DIR/serve.out")
    [ -n "$U" ] && break
    sleep 0.05
done
[ -n "$U" ] || die "qtm serve did not start"
up() { curl -s -o /dev/null -w '%{http_code}\n' -H "Authorization: Bearer $TOKEN" \
    -H 'Content-Type: image/jpeg' --data-binary @"$1" "$U/api/uploads"; }

t0=$(now_ms)
for k in 0 1 2 3 4 5 6 7; do up "$DIR/p/m$k.jpg"; done >"$DIR/one.codes"
t1=$(now_ms)
echo "upload, 1 client, 8 x $((msize / 1024)) KiB photos: $(mbps $((8 * msize)) $((t1 - t0))) MB/s ($(grep -c '^201$' "$DIR/one.codes")/8 stored)"
t0=$(now_ms)
pids=
for c in 0 1 2 3 4 5 6 7; do
    (up "$DIR/p/m$((8 + 2 * c)).jpg"; up "$DIR/p/m$((9 + 2 * c)).jpg") >"$DIR/eight.$c" &
    pids="$pids $!"
done
# shellcheck disable=SC2086
wait $pids                     # not the server: it is a child too
t1=$(now_ms)
echo "upload, 8 clients, 16 x $((msize / 1024)) KiB photos: $(mbps $((16 * msize)) $((t1 - t0))) MB/s ($(cat "$DIR"/eight.* | grep -c '^201$')/16 stored)"

before=$(rss_kib "$PID")
pids=
for c in 0 1 2 3 4 5 6 7; do up "$DIR/p/l$c.jpg" >"$DIR/large.$c" & pids="$pids $!"; done
peak=$before
running=1
while [ $running -eq 1 ]; do
    r=$(rss_kib "$PID")
    [ -n "$r" ] && [ "$r" -gt "$peak" ] && peak=$r
    sleep 0.02
    running=0
    for p in $pids; do kill -0 "$p" 2>/dev/null && running=1; done
done
# shellcheck disable=SC2086
wait $pids
after=$(rss_kib "$PID")
echo "server RSS, 8 clients x $((lsize / 1048576)) MiB at once: before $before KiB, peak $peak KiB (sampled; VmHWM $(hwm_kib "$PID") KiB), after $after KiB ($(cat "$DIR"/large.* | grep -c '^201$')/8 stored)"
kill -TERM "$PID" && wait "$PID" 2>/dev/null
PID=

t0=$(now_ms)
for k in 0 1 2 3 4; do "$QTM" --db "$DB" blob put "$DIR/p/t$k.jpg" >/dev/null || die "blob put"; done
t1=$(now_ms)
echo "blob put (check, clean, decode, thumbnail, store), 12 MP photo: $(( (t1 - t0) / 5 )) ms per photo"
bytes=$("$QTM" --db "$DB" --json verify | sed -n 's/.*"file_bytes": *\([0-9]*\).*/\1/p')
t0=$(now_ms)
"$QTM" --db "$DB" verify >/dev/null || die "verify failed"
t1=$(now_ms)
awk -v b="$bytes" -v ms=$((t1 - t0)) 'BEGIN { printf "verify: %.0f MiB of files in %.2f s: %.1f s per GiB\n", b / 1048576, ms / 1000, (ms / 1000) / (b / 1073741824) }'

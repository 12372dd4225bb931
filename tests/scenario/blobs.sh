#!/usr/bin/env bash
# tests/scenario/blobs.sh - files (intake photos, evidence) through `qtm` and
# `qtm serve`: every refusal with its status and the database unchanged
# (empty, a text file named .jpg, cut short, too large by Content-Length
# and while streaming, a hash that is not stored, another operator's job,
# a client file name with a path in it), location metadata removed (also
# after the first scan, behind an odd Exif header, in a HEIC's XMP or its
# second image), a hash not the caller's to name, a
# second upload answered with the same file, the read rule on
# GET /api/blobs/HEX, what each surface declares (tests/surfaces/doc-evidence:
# PDF evidence, JPEG and PNG photos, 1 MiB; auto-detailing: the default
# photo types, so a PDF is refused), and SIGKILL during uploads and
# evidence commits: verify passes and no reference dangles.  Photos come
# from qtm-imggen.
. "$(dirname "$0")/lib.sh"
. "$(dirname "$0")/lib_http.sh"    # serve_start, serve_stop, h, tokens
AD=auto-detailing
A=$EX/auto-detailing.json

# hrefused NAME STATUS TEXT -- h ARGS... : that status, TEXT in the body, nothing stored
hrefused() {
    local name=$1 want=$2 text=$3
    shift 4
    dump "$T/before"
    "$@"
    dump "$T/after"
    if [ "$code" = "$want" ]; then ok; else bad "$name: HTTP $code, want $want: $(oneline <"$T/out")"; fi
    has "$name: message" "$T/out" "$text"
    if cmp -s "$T/before" "$T/after"; then ok; else
        bad "$name: the database changed: $(diff "$T/before" "$T/after" | oneline)"
    fi
}

sha() { sha256sum "$1" | cut -c1-64; }

fresh blobs
run "init" init
setup_actors
run "actor add cli2" actor add cli2 --role client --name "Another Client"
tokens admin ana bo cli cli2

echo "# qtm: photos at intake"
# a small, whole PDF (header, an object, trailer, %%EOF)
PDF=$T/order.pdf
printf '%%PDF-1.4\n1 0 obj<<>>endobj\ntrailer<<>>\n%%%%EOF\n' >"$PDF"
P1=$(photo p1.jpg)
GPS="$T/photos/gps.jpg"
"$IMGGEN" jpeg 640 480 99 "$GPS" --gps
"$IMGGEN" hasgps "$GPS"
is "the test photo carries GPS" 0 "$?"
: >"$T/empty.jpg"
printf 'not a photo at all\n' >"$T/text.jpg"
head -c 3000 "$P1" >"$T/cut.jpg"
truncate -s 21M "$T/big.jpg"
refuse "an empty photo" 7 "photo 1 is empty" --as cli request submit $AD --intake "$A" --photo "$T/empty.jpg"
refuse "a text file named .jpg" 7 "is text/plain, not one of the accepted types" \
    --as cli request submit $AD --intake "$A" --photo "$T/text.jpg"
refuse "a photo cut short" 7 "cut short" --as cli request submit $AD --intake "$A" --photo "$T/cut.jpg"
refuse "a photo over 20 MiB" 7 "more than the 20971520 allowed" \
    --as cli request submit $AD --intake "$A" --photo "$T/big.jpg"
refuse "a photo that is not there" 7 "cannot open" \
    --as cli request submit $AD --intake "$A" --photo "$T/none.jpg"
jq --arg p "sha256:$(printf '%064d' 5)" '.photos = [$p]' "$A" >"$T/unknown.json"
refuse "a photo hash not stored" 7 "no stored file sha256:0000" --as cli request submit $AD --intake "$T/unknown.json"
refuse "a good photo and a bad one: nothing stored" 7 "photo 2 is empty" \
    --as cli request submit $AD --intake "$A" --photo "$P1" --photo "$T/empty.jpg"
is "no file was stored by a refusal" 0 "$(count blobs)"

run "submit with a photo that has GPS" --json --as cli request submit $AD --intake "$A" --photo "$GPS" --photo "$P1" --photo "$P1"
TASK=$(jv .task)
is "the same photo twice is one photo" 2 "$(sql 'SELECT photos FROM requests ORDER BY id DESC LIMIT 1')"
is "two files stored" 2 "$(count blobs)"
run "task show" --json task show "$TASK"
GREF=$(jq -r '.request.intake.photos[0]' "$T/out")
run "blob get the GPS photo" blob get "$GREF" --out "$T/got.jpg"
"$IMGGEN" hasgps "$T/got.jpg"
is "the stored photo has no GPS" 1 "$?"
is "its name is the hash of its stored bytes" "${GREF#sha256:}" "$(sha "$T/got.jpg")"
is "a JPEG still" 1 "$(file -b "$T/got.jpg" | grep -c '^JPEG image data')"
echo "# qtm: location after the first scan, odd Exif headers, HEIC metadata"
"$IMGGEN" jpeg 320 240 11 "$T/photos/plain.jpg"
cat "$T/photos/plain.jpg" "$GPS" >"$T/photos/two.jpg"
"$IMGGEN" hasgps "$T/photos/two.jpg"
is "a JPEG followed by a JPEG with GPS carries GPS" 0 "$?"
"$IMGGEN" jpeg 320 240 12 "$T/photos/odd.jpg" --gps-odd
"$IMGGEN" hasgps "$T/photos/odd.jpg"
is "an Exif header 'Exif\\0X' with GPS carries GPS" 0 "$?"
"$IMGGEN" pjpeg 320 240 15 "$T/photos/prog.jpg" --gps
cat "$T/photos/prog.jpg" "$GPS" >"$T/photos/prog2.jpg"
for f in two odd prog2; do
    run "blob put $f.jpg" --json --as cli blob put "$T/photos/$f.jpg"
    run "blob get $f.jpg" --as cli blob get "$(jv .blob)" --out "$T/got-$f.jpg"
    "$IMGGEN" hasgps "$T/got-$f.jpg"
    is "the stored $f.jpg has no GPS" 1 "$?"
done
is "nothing after the first image's end is kept" "$(wc -c <"$T/got-two.jpg")" \
    "$(wc -c <"$T/photos/plain.jpg")"
"$IMGGEN" heic 64 64 13 "$T/photos/plain.heic"
run "a HEIC without location" --as cli blob put "$T/photos/plain.heic"
for how in gps gps-xmp gps-second; do
    "$IMGGEN" heic 64 64 14 "$T/photos/$how.heic" "--$how"
    refuse "a HEIC with --$how" 7 "carries its location" --as cli blob put "$T/photos/$how.heic"
done
run "blobs gc after the location checks" blobs gc --older-than 0

refuse "blob get onto an existing file" 2 "cannot create" blob get "$GREF" --out "$T/got.jpg"
refuse "blob get of a hash not stored" 3 "no file sha256:" blob get "sha256:$(printf '%064d' 1)" --out "$T/x"
refuse "blob get of a name that is no hash" 7 "sha256: and 64" blob get photos/a.jpg --out "$T/y"
refuse "a vendor reads the intake photo" 3 "visible to vic" --as vic blob get "$GREF" --out "$T/z"
run "the submitting client reads it" --as cli blob get "$GREF" --out "$T/cli.jpg"

echo "# qtm: evidence"
run "approve" --as admin task approve "$TASK"
run "assign" --as admin task assign "$TASK" --to ana
run "job create" --json --as admin job create --task "$TASK"
J=$(jv .job)
run "claim" --as ana job claim "$J"
for e in arrive start finish; do run "advance $e" --as ana job advance "$J" "$e"; done
refuse "evidence on another operator's job" 4 "bo" --as bo evidence add "$J" arrival "$(photo bo.jpg)"
refuse "evidence that is a text file" 7 "not one of the accepted types" --as ana evidence add "$J" arrival "$T/text.jpg"
refuse "evidence that is not a file" 7 "cannot open" --as ana evidence add "$J" arrival photos/arrival-1.jpg
# a FIFO is refused at once (timeout: a blocked open fails the check, not the run)
mkfifo "$T/pipe.jpg"
printf '#!/bin/sh\nexec timeout 20 "%s" "$@"\n' "$QTM" >"$T/qtm-timeout"
chmod +x "$T/qtm-timeout"
QTM_REAL=$QTM
QTM=$T/qtm-timeout
refuse "evidence that is a FIFO" 7 "not a regular file" --as ana evidence add "$J" arrival "$T/pipe.jpg"
refuse "a photo that is a FIFO" 7 "photo 1 is not a regular file" \
    --as cli request submit $AD --intake "$A" --photo "$T/pipe.jpg"
refuse "blob put of a FIFO" 7 "not a regular file" blob put "$T/pipe.jpg"
QTM=$QTM_REAL
refuse "complete without files" 5 "evidence missing: arrival (0 of 1)" --as ana job advance "$J" complete
refuse "a PDF as evidence where the surface takes photos" 7 "is pdf, not one of the accepted types (jpeg, png, webp, heic)" \
    --as ana evidence add "$J" damage "$PDF"
run "arrival photo" --as ana evidence add "$J" arrival "$(photo arrival.jpg)" --note "driveway"
run "before photo" --as ana evidence add "$J" before "$(photo before.png png)"
run "after photo" --as ana evidence add "$J" after "$(photo after.webp webp)"
run "complete with files" --as ana job advance "$J" complete
run "record show" --json record show --job "$J"
jqt "the record lists its evidence by hash, category and type" \
    '[.body.evidence[] | [.category, (.ref | test("^sha256:[0-9a-f]{64}$")), .type]] == [["arrival",true,"image/jpeg"],["before",true,"image/png"],["after",true,"image/webp"]]'
EREF=$(jq -r '.body.evidence[0].ref' "$T/out")
refuse "another operator reads the evidence" 3 "visible to bo" --as bo blob get "$EREF" --out "$T/bo.jpg"
run "the owner reads it" --as ana blob get "$EREF" --out "$T/ana.jpg"
run "and its thumbnail" --json --as ana blob get "$EREF" --thumb --out "$T/ana-thumb.webp"
jqt "the thumbnail is a small WebP" '.type == "image/webp" and .size <= 30720'
run "verify with files" --json verify
jqt "verify re-hashed every file" '.ok == true and .files == 5'

echo "# per surface: doc-evidence takes PDF evidence, JPEG and PNG photos of at most 1 MiB"
DE=doc-evidence
printf '{"contact": {"name": "Dee"}}\n' >"$T/de.json"
truncate -s 1100K "$T/over1m.jpg"
refuse "a WebP photo where the surface takes JPEG and PNG" 7 "is webp, not one of the accepted types (jpeg, png)" \
    --as cli request submit $DE --intake "$T/de.json" --photo "$(photo de.webp webp)"
refuse "a photo over the surface's 1 MiB" 7 "more than the 1048576 allowed" \
    --as cli request submit $DE --intake "$T/de.json" --photo "$T/over1m.jpg"
refuse "a PDF as an intake photo" 7 "is pdf, not one of the accepted types (jpeg, png)" \
    --as cli request submit $DE --intake "$T/de.json" --photo "$PDF"
run "a PNG photo is fine" --as cli request submit $DE --intake "$T/de.json" --photo "$(photo de.png png)"
new_job $DE "$T/de.json" ana
DJ=$JOB
run "doc job: claim" --as ana job claim "$DJ"
refuse "evidence over the surface's 1 MiB" 7 "more than the 1048576 allowed" \
    --as ana evidence add "$DJ" work_order "$T/over1m.jpg"
refuse "a PNG where its evidence takes PDF and JPEG" 7 "is png, not one of the accepted types (jpeg, pdf)" \
    --as ana evidence add "$DJ" work_order "$(photo order.png png)"
run "a PDF work order" --as ana evidence add "$DJ" work_order "$PDF" --note "signed"
run "doc job: complete" --as ana job advance "$DJ" complete
new_job $DE "$T/de.json" ana
DJ2=$JOB
run "second doc job: claim" --as ana job claim "$DJ2"
new_job $AD "$A" ana 1
JA=$JOB
run "an open auto-detailing job: claim" --as ana job claim "$JA"
run "doc job: record" --json record show --job "$DJ"
jqt "the record lists the PDF" '[.body.evidence[] | [.category, .type]] == [["work_order","application/pdf"]]'

echo "# qtm: blobs gc"
run "an unreferenced upload" --json blob put "$(photo loose.jpg)"
run "gc within the grace period" --json blobs gc
jqt "nothing collected" '.removed == 0'
refuse "gc with a bad duration" 2 "--older-than" blobs gc --older-than soon
refuse "an operator collects files" 4 "ana is an operator; only admins collect files" \
    --as ana blobs gc --older-than 0
refuse "an unknown actor collects files" 3 "nobody" --as nobody blobs gc --older-than 0
run "an admin collects files (nothing past the grace)" --json --as admin blobs gc
run "gc with no grace" --json blobs gc --older-than 0
jqt "the unreferenced one collected" '.removed == 1'
is "the referenced ones stay" 8 "$(count blobs)"
run "verify after gc" verify

echo "# qtm serve: POST /api/uploads, GET /api/blobs"
serve_start srv --max-upload 200000
UP=$(photo up.jpg)
h POST /api/uploads -H 'Content-Type: image/jpeg' --data-binary @"$UP"
is "an anonymous upload: 201" 201 "$code"
jqt "it answers the file's name, type and size" \
    '(.blob | test("^sha256:[0-9a-f]{64}$")) and .type == "image/jpeg" and (.size | type) == "number"'
UREF=$(jq -r .blob "$T/out")
n=$(count blobs)
h POST /api/uploads -H 'Content-Type: image/jpeg' --data-binary @"$UP" as=cli
is "the same bytes again: 200" 200 "$code"
is "... the same file" "$UREF" "$(jq -r .blob "$T/out")"
is "... stored once" "$n" "$(count blobs)"
# four uploads of the same new bytes at once: checked side by side, one file
SAME=$(photo same.jpg)
n=$(count blobs)
pids=()
for k in 1 2 3 4; do
    curl -s -o /dev/null -w '%{http_code}\n' -H "Authorization: Bearer ${TOK[ana]}" \
        -H 'Content-Type: image/jpeg' --data-binary @"$SAME" "$U/api/uploads" >"$T/same.$k" &
    pids+=($!)
done
wait "${pids[@]}"              # not the server: it is a child too
is "the same bytes four times at once: one 201" 1 "$(cat "$T"/same.* | grep -c '^201$')"
is "... and three 200" 3 "$(cat "$T"/same.* | grep -c '^200$')"
is "... stored once" $((n + 1)) "$(count blobs)"
h POST /api/uploads -F "photo=@$UP;filename=../../../etc/passwd;type=image/jpeg" as=cli
is "multipart with a path for a file name: the same file" "$UREF" "$(jq -r .blob "$T/out")"
is "... nothing written outside" 0 "$(grep -c qtm /etc/passwd 2>/dev/null || true)"
hrefused "an empty upload" 400 "send the file" -- h POST /api/uploads -H 'Content-Type: image/jpeg' --data-binary ''
hrefused "a text upload" 400 "not one of the accepted types" -- \
    h POST /api/uploads -H 'Content-Type: image/jpeg' --data-binary @"$T/text.jpg"
hrefused "a cut upload" 400 "cut short" -- h POST /api/uploads -H 'Content-Type: image/jpeg' --data-binary @"$T/cut.jpg"
head -c 300000 /dev/urandom >"$T/large.bin"
hrefused "too large by Content-Length" 413 "larger than 200000 bytes" -- \
    h POST /api/uploads -H 'Content-Type: image/jpeg' --data-binary @"$T/large.bin"
hrefused "too large while streaming (chunked)" 413 "larger than 200000 bytes" -- \
    h POST /api/uploads -H 'Content-Type: image/jpeg' -H 'Transfer-Encoding: chunked' --data-binary @"$T/large.bin"
hrefused "too large inside multipart" 413 "larger than 200000 bytes" -- \
    h POST /api/uploads -F "photo=@$T/large.bin;type=image/jpeg" -H 'Transfer-Encoding: chunked'
{
    printf -- '--XyZ\r\nContent-Disposition: form-data; name="photo"; filename="a.jpg"\r\n'
    printf 'X-Pad: %s\r\n' "$(head -c 70000 /dev/zero | tr '\0' a)"
    printf 'Content-Type: image/jpeg\r\n\r\n'
    cat "$UP"
    printf -- '\r\n--XyZ--\r\n'
} >"$T/bighead.body"
hrefused "a multipart part with 70 KB of headers: 400, not a dropped connection" 400 \
    "headers are larger than 64 KiB" -- h POST /api/uploads \
    -H 'Content-Type: multipart/form-data; boundary=XyZ' --data-binary @"$T/bighead.body" as=cli
h GET "/api/blobs/${EREF#sha256:}" as=ana
is "the owner gets the evidence: 200" 200 "$code"
is "... its bytes" "${EREF#sha256:}" "$(sha "$T/out")"
is "... its stored type" 1 "$(grep -ci '^content-type: image/jpeg' "$T/hdr")"
is "... an ETag" 1 "$(grep -ci "^etag: \"${EREF#sha256:}\"" "$T/hdr")"
is "... a Content-Disposition" 1 "$(grep -ci '^content-disposition: inline; filename=' "$T/hdr")"
hrefused "a PDF upload for no surface (the default photo types)" 400 "is pdf, not one of the accepted types (jpeg, png, webp, heic)" -- \
    h POST /api/uploads -H 'Content-Type: application/pdf' --data-binary @"$PDF" as=ana
hrefused "a PDF upload for a surface that takes photos" 400 "is pdf, not one of the accepted types (jpeg, png, webp, heic)" -- \
    h POST "/api/uploads?surface=$AD" -H 'Content-Type: application/pdf' --data-binary @"$PDF" as=ana
printf '%%PDF-1.4\n2 0 obj<<>>endobj\ntrailer<<>>\n%%%%EOF\n' >"$T/order2.pdf"
h POST "/api/uploads?surface=$DE" -H 'Content-Type: application/pdf' --data-binary @"$T/order2.pdf" as=ana
is "a PDF upload for the surface that asks for documents: 201" 201 "$code"
jqt "... stored as a PDF" '.type == "application/pdf"'
DREF=$(jq -r .blob "$T/out")
h POST "/api/uploads" -H 'Content-Type: image/png' --data-binary @"$(photo http.png png)" as=ana
is "a PNG upload: 201" 201 "$code"
PREF=$(jq -r .blob "$T/out")
hrefused "a PNG as evidence where the surface takes PDF and JPEG" 400 "is not evidence $DE accepts" -- \
    h POST "/api/jobs/$DJ2/evidence" -H 'Content-Type: application/json' \
    --data-binary "{\"category\":\"work_order\",\"blob\":\"$PREF\"}" as=ana
hrefused "a PDF as evidence where the surface takes photos" 400 "is not evidence $AD accepts" -- \
    h POST "/api/jobs/$JA/evidence" -H 'Content-Type: application/json' \
    --data-binary "{\"category\":\"arrival\",\"blob\":\"$DREF\"}" as=ana
h POST "/api/jobs/$DJ2/evidence" -H 'Content-Type: application/json' \
    --data-binary "{\"category\":\"work_order\",\"blob\":\"$DREF\"}" as=ana
is "the PDF as the doc job's evidence: 200" 200 "$code"
h GET "/api/blobs/${EREF#sha256:}?thumb=1" as=admin
is "an admin gets the thumbnail" 200 "$code"
is "... a WebP" 1 "$(grep -ci '^content-type: image/webp' "$T/hdr")"
h GET "/api/blobs/${EREF#sha256:}/thumb" as=ana
is "the thumbnail by its path" 200 "$code"
hrefused "another operator: 404" 404 "visible to bo" -- h GET "/api/blobs/${EREF#sha256:}" as=bo
h GET "/api/blobs/${UREF#sha256:}/thumb" as=cli
is "a client who uploaded the same bytes reads them" 200 "$code"
hrefused "a client who neither uploaded nor submitted it: 404" 404 "visible to cli2" -- \
    h GET "/api/blobs/${UREF#sha256:}/thumb" as=cli2
hrefused "anonymous: 401" 401 "sign in" -- h GET "/api/blobs/${EREF#sha256:}"
hrefused "a hash not stored: 404" 404 "no file" -- h GET "/api/blobs/$(printf '%064d' 3)" as=admin
hrefused "evidence on another operator's job: 403 (the read rule)" 403 "no job $J visible to bo" -- \
    h POST "/api/jobs/$J/evidence" -H 'Content-Type: application/json' \
    --data-binary "{\"category\":\"after\",\"blob\":\"$UREF\"}" as=bo

echo "# qtm serve: a hash is not the file"
h POST /api/uploads -H 'Content-Type: image/jpeg' --data-binary @"$(photo cli-own.jpg)" as=cli
is "cli uploads a photo" 201 "$code"
XREF=$(jq -r .blob "$T/out")
jq -c --arg p "$XREF" '.photos = [$p]' "$A" >"$T/steal.json"
hrefused "cli2 names cli's upload in its request: as for no file" 400 "no stored file $XREF" -- \
    h POST "/api/requests/$AD" -H 'Content-Type: application/json' --data-binary @"$T/steal.json" as=cli2
hrefused "... nor may cli2 read it" 404 "no file" -- h GET "/api/blobs/${XREF#sha256:}" as=cli2
hrefused "an anonymous request names cli's upload: as for no file" 400 "no stored file $XREF" -- \
    h POST "/api/requests/$AD" -H 'Content-Type: application/json' --data-binary @"$T/steal.json"
new_job $AD "$A" bo 1
run "bo claims a job" --as bo job claim "$JOB"
hrefused "bo attaches cli's upload as evidence: as for no file" 400 "no stored file $XREF" -- \
    h POST "/api/jobs/$JOB/evidence" -H 'Content-Type: application/json' \
    --data-binary "{\"category\":\"arrival\",\"blob\":\"$XREF\"}" as=bo
hrefused "... nor may bo read it" 404 "no file" -- h GET "/api/blobs/${XREF#sha256:}" as=bo
h POST "/api/requests/$AD" -H 'Content-Type: application/json' --data-binary @"$T/steal.json" as=cli
is "cli names its own upload" 201 "$code"
h POST /api/uploads -H 'Content-Type: image/jpeg' --data-binary @"$(photo anon-own.jpg)"
AREF=$(jq -r .blob "$T/out")
jq -c --arg p "$AREF" '.photos = [$p]' "$A" >"$T/anon.json"
h POST "/api/requests/$AD" -H 'Content-Type: application/json' --data-binary @"$T/anon.json"
is "an anonymous request names an anonymous upload" 201 "$code"
hrefused "a second anonymous request names it again: as for no file" 400 "no stored file $AREF" -- \
    h POST "/api/requests/$AD" -H 'Content-Type: application/json' --data-binary @"$T/anon.json"
serve_stop

echo "# qtm serve: limits on uploads (signed-in rate, the bytes nothing references)"
HELD=$(sql 'SELECT COALESCE(SUM(size), 0) FROM blobs b WHERE NOT EXISTS (SELECT 1 FROM request_photos p WHERE p.blob_id = b.id) AND NOT EXISTS (SELECT 1 FROM evidence e WHERE e.blob_id = b.id)')
serve_start cap --max-unreferenced $((HELD + 1000)) --upload-rate 1 --upload-burst 2
CAPP=$(photo cap.jpg)
hrefused "past the cap on files nothing references: 507" 507 "nothing references yet" -- \
    h POST /api/uploads -H 'Content-Type: image/jpeg' --data-binary @"$CAPP" as=cli
is "... with Retry-After" 1 "$(grep -ci '^retry-after: 3600' "$T/hdr")"
hrefused "... a second signed-in upload: still the cap" 507 "at most $((HELD + 1000))" -- \
    h POST /api/uploads -H 'Content-Type: image/jpeg' --data-binary @"$CAPP" as=ana
hrefused "a third signed-in upload from the address: 429" 429 "too many uploads" -- \
    h POST /api/uploads -H 'Content-Type: image/jpeg' --data-binary @"$CAPP" as=cli
is "... with Retry-After" 1 "$(grep -ci '^retry-after: [0-9]' "$T/hdr")"
hrefused "an anonymous upload: the intake's own limit, then the cap" 507 "nothing references" -- \
    h POST /api/uploads -H 'Content-Type: image/jpeg' --data-binary @"$CAPP"
serve_stop

echo "# SIGKILL during uploads and evidence commits"
BIG=$T/photos/big.jpg
"$IMGGEN" jpeg 3000 2000 7 "$BIG"
new_job $AD "$A" ana 1
run "claim the crash job" --as ana job claim "$JOB"
for e in arrive start finish; do run "crash job: $e" --as ana job advance "$JOB" "$e"; done
for i in $(seq 1 12); do
    "$IMGGEN" jpeg 1600 1200 $((1000 + i)) "$T/photos/k$i.jpg"
    "$QTM" --db "$DB" --as ana evidence add "$JOB" arrival "$T/photos/k$i.jpg" >/dev/null 2>&1 &
    p1=$!
    "$QTM" --db "$DB" blob put "$BIG" >/dev/null 2>&1 &
    p2=$!
    sleep 0.0$((i % 9 + 1))
    kill -KILL $p1 $p2 2>/dev/null
    wait $p1 $p2 2>/dev/null
done
serve_start crash
for i in $(seq 1 6); do
    ( for k in 1 2 3 4; do
        curl -s -o /dev/null -H "Authorization: Bearer ${TOK[ana]}" -H 'Content-Type: image/jpeg' \
            --data-binary @"$BIG" "$U/api/uploads"
    done ) &
    sleep 0.$((i % 4 + 1))
    kill -KILL "$SRV_PID" 2>/dev/null
    wait "$SRV_PID" 2>/dev/null
    wait
    serve_start "crash$i"
done
serve_stop
is "integrity after the kills" ok "$(sql 'PRAGMA integrity_check')"
run "verify after the kills" verify
is "no evidence names a missing file" 0 "$(count evidence 'blob_id IS NOT NULL AND blob_id NOT IN (SELECT id FROM blobs)')"
is "no request photo names a missing file" 0 "$(count request_photos 'blob_id NOT IN (SELECT id FROM blobs)')"
is "no file without all its bytes" 0 "$(sql 'SELECT count(*) FROM blobs b WHERE b.size != (SELECT COALESCE(SUM(length(data)), 0) FROM blob_chunks c WHERE c.blob_id = b.id)')"
finish

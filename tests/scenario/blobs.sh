#!/usr/bin/env bash
# tests/scenario/blobs.sh - files (intake photos, evidence) through `qtm` and
# `qtm serve`: every refusal with its status and the database unchanged
# (empty, a text file named .jpg, cut short, too large by Content-Length
# and while streaming, a hash that is not stored, another operator's job,
# a client file name with a path in it), location metadata removed, a
# second upload answered with the same file, the read rule on
# GET /api/blobs/HEX, and SIGKILL during uploads and evidence commits:
# verify passes and no reference dangles.  Photos come from qtm-imggen.
. "$(dirname "$0")/lib.sh"
command -v curl >/dev/null 2>&1 || { bad "curl is not installed (tools/deps.sh installs it)"; finish; }
AD=auto-detailing
A=$EX/auto-detailing.json
SRV_PID=
trap '[ -n "$SRV_PID" ] && kill "$SRV_PID" 2>/dev/null; rm -rf "$T"' EXIT

serve_start() {
    local name=$1
    shift
    U=
    "$QTM" --db "$DB" serve --listen 127.0.0.1:0 "$@" >"$T/$name.out" 2>"$T/$name.err" &
    SRV_PID=$!
    local i
    for i in $(seq 1 100); do
        U=$(sed -n 's|^qtm serve: listening on \(http://127.0.0.1:[0-9]*\)/.*|\1|p' "$T/$name.out")
        [ -n "$U" ] && break
        sleep 0.05
    done
    if [ -n "$U" ]; then ok; else bad "$name: the server did not start: $(oneline <"$T/$name.err")"; fi
}

serve_stop() {
    kill -TERM "$SRV_PID" 2>/dev/null
    wait "$SRV_PID"
    SRV_PID=
}

# h METHOD PATH [CURL ARGS...] (as=NAME: NAME's token): $code, body in $T/out
h() {
    local method=$1 path=$2 a
    local -a args=()
    shift 2
    for a in "$@"; do
        case $a in
        as=*) args+=(-H "Authorization: Bearer ${TOK[${a#as=}]}") ;;
        *) args+=("$a") ;;
        esac
    done
    code=$(curl -s -o "$T/out" -D "$T/hdr" -w '%{http_code}' -X "$method" "${args[@]}" "$U$path")
}

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
declare -A TOK
for a in admin ana bo cli; do
    q token issue $a
    TOK[$a]=$(cat "$T/out")
done

echo "# qtm: photos at intake"
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
refuse "complete without files" 5 "evidence missing: arrival (0 of 1)" --as ana job advance "$J" complete
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

echo "# qtm: blobs gc"
run "an unreferenced upload" --json blob put "$(photo loose.jpg)"
run "gc within the grace period" --json blobs gc
jqt "nothing collected" '.removed == 0'
refuse "gc with a bad duration" 2 "--older-than" blobs gc --older-than soon
run "gc with no grace" --json blobs gc --older-than 0
jqt "the unreferenced one collected" '.removed == 1'
is "the referenced ones stay" 5 "$(count blobs)"
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
h GET "/api/blobs/${EREF#sha256:}" as=ana
is "the owner gets the evidence: 200" 200 "$code"
is "... its bytes" "${EREF#sha256:}" "$(sha "$T/out")"
is "... its stored type" 1 "$(grep -ci '^content-type: image/jpeg' "$T/hdr")"
is "... an ETag" 1 "$(grep -ci "^etag: \"${EREF#sha256:}\"" "$T/hdr")"
is "... a Content-Disposition" 1 "$(grep -ci '^content-disposition: inline; filename=' "$T/hdr")"
h GET "/api/blobs/${EREF#sha256:}?thumb=1" as=admin
is "an admin gets the thumbnail" 200 "$code"
is "... a WebP" 1 "$(grep -ci '^content-type: image/webp' "$T/hdr")"
h GET "/api/blobs/${EREF#sha256:}/thumb" as=ana
is "the thumbnail by its path" 200 "$code"
hrefused "another operator: 404" 404 "visible to bo" -- h GET "/api/blobs/${EREF#sha256:}" as=bo
hrefused "a client who did not submit it: 404" 404 "visible to cli" -- h GET "/api/blobs/${UREF#sha256:}/thumb" as=cli
hrefused "anonymous: 401" 401 "sign in" -- h GET "/api/blobs/${EREF#sha256:}"
hrefused "a hash not stored: 404" 404 "no file" -- h GET "/api/blobs/$(printf '%064d' 3)" as=admin
hrefused "evidence on another operator's job: 403" 403 "no job $J visible to bo" -- \
    h POST "/api/jobs/$J/evidence" -H 'Content-Type: application/json' \
    --data-binary "{\"category\":\"after\",\"blob\":\"$UREF\"}" as=bo
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

#!/usr/bin/env bash
# tests/scenario/signed.sh - signed records end to end.
#
# `qtm key init` (file mode 0600, never overwritten, public key in the
# database, `key show`), a completion refused while the key file is
# missing (database unchanged), `record export` and `record check` run
# with no database at all (valid, tampered, --key right, wrong and
# malformed), and `qtm serve` signing a record it composes and serving
# GET /api/jobs/ID/record/export: the owner gets the CLI's document byte
# for byte, another operator a 403.  The last line is "N passed, N failed".
. "$(dirname "$0")/lib.sh"
command -v curl >/dev/null 2>&1 || { bad "curl is not installed (tools/deps.sh installs it)"; finish; }
EC=event-coordination
W=$EX/event-coordination-wedding.json
SRV_PID=
trap '[ -n "$SRV_PID" ] && kill "$SRV_PID" 2>/dev/null; rm -rf "$T"' EXIT
unset QTM_SIGNING_KEY

fresh signed
run "init" init
setup_actors

# --- the key ------------------------------------------------------------------
q key show
is "key show before key init" 3 "$rc"
has "key show before key init: message" "$T/err" "no signing key"
run "key init" --json key init
KEY_ID=$(jv .id)
PUB=$(jv .public_key)
is "key file beside the database" "$DB.key" "$(jv .key_file)"
is "key file mode" 600 "$(stat -c %a "$DB.key")"
is "public key in the database" "$PUB" "$(sql "SELECT public_key FROM keys WHERE id = '$KEY_ID'")"
is "the private key is not in the database" 0 \
    "$(sql .dump | grep -c "$(cut -d' ' -f2 "$DB.key")")"
is "key init audited" "$KEY_ID" "$(sql "SELECT to_state FROM audit WHERE entity = 'key'")"
run "key show" key show
has "key show prints the public key" "$T/out" "$PUB"
cp "$DB.key" "$T/key.before"
refuse "key init over an existing file" 6 "already exists" key init
if cmp -s "$DB.key" "$T/key.before"; then ok; else bad "key init overwrote the key file"; fi

# --- composing: signed, or refused when the key cannot be read ----------------
new_job $EC "$W" ana
run "claim" --as ana job claim "$JOB"
run "arrive" --as ana job advance "$JOB" arrive
run "start" --as ana job advance "$JOB" start
mv "$DB.key" "$T/moved.key"
refuse "completing without the key file" 5 "no record is stored unsigned" \
    --as ana job advance "$JOB" complete
QTM_SIGNING_KEY=$T/moved.key run "complete with QTM_SIGNING_KEY" --as ana job advance "$JOB" complete
mv "$T/moved.key" "$DB.key"
is "the record is signed" 1 "$(count record_signatures)"

# --- export and the offline check --------------------------------------------
run "record export --out" record export --job "$JOB" --out "$T/rec.json"
has "export names the key" "$T/out" "$KEY_ID"
run "record export to stdout" record export --job "$JOB"
if cmp -s "$T/out" "$T/rec.json"; then ok; else bad "stdout and --out exports differ"; fi
cp "$T/rec.json" "$T/out"
jqt "export document" '.format == "qtm-signed-record/1" and .signature.key_id == "'"$KEY_ID"'"
    and .record.job == '"$JOB"' and (.audit.seq | type) == "number"
    and (.record.hash | length) == 64 and (.signature.value | length) == 128'

# record check never opens a database: none exists where it runs, and a
# --db in a directory that does not exist would fail if it were opened
mkdir -p "$T/nodb"
chk() {
    (cd "$T/nodb" && "$QTM" --db "$T/nodb/missing/qtm.db" record check "$@" >"$T/out" 2>"$T/err")
    rc=$?
}
chk "$T/rec.json"
is "record check: valid" 0 "$rc"
has "record check: proves the hash" "$T/out" "hashes to sha256"
has "record check: proves the signature" "$T/out" "key $KEY_ID (public key $PUB) signed"
has "record check: says what it does not prove" "$T/out" "not proved: that the record is still in the database"
is "record check created nothing" "" "$(ls -A "$T/nodb")"
chk "$T/rec.json" --key "$PUB"
is "record check --key PUBKEY" 0 "$rc"
has "record check --key: proved" "$T/out" "is the key you named"
chk "$T/rec.json" --key "$(printf '%064d' 7)"
is "record check, another key" 1 "$rc"
has "record check, another key: says so" "$T/out" "invalid: the document is signed by another key"
chk "$T/rec.json" --key nothex
is "record check, malformed --key" 2 "$rc"
chk "$T/missing.json"
is "record check, no such file" 2 "$rc"
chk
is "record check, no file" 2 "$rc"
sed 's/"operator":"ana"/"operator":"bo"/' "$T/rec.json" >"$T/body.json"
chk "$T/body.json"
is "record check, body edited" 1 "$rc"
has "record check, body edited: says so" "$T/out" "does not hash"
jq -c '.audit.seq += 1' "$T/rec.json" >"$T/seq.json"
chk "$T/seq.json"
is "record check, audit seq edited" 1 "$rc"
has "record check, audit seq edited: says so" "$T/out" "does not verify"
(cd "$T/nodb" && "$QTM" --json record check "$T/rec.json" >"$T/out" 2>"$T/err")
jqt "record check --json" '.valid == true and (.proved | length) == 2 and (.not_proved | length) >= 3'

# --- qtm serve: signs what it composes, serves the export ----------------------
for a in ana bo; do
    q token issue $a
    declare "TOK_$a=$(cat "$T/out")"
done
QTM_SIGNING_KEY=$DB.key "$QTM" --db "$DB" serve --listen 127.0.0.1:0 >"$T/srv.out" 2>"$T/srv.err" &
SRV_PID=$!
U=
for i in $(seq 1 100); do
    U=$(sed -n 's|^qtm serve: listening on \(http://127.0.0.1:[0-9]*\)/.*|\1|p' "$T/srv.out")
    [ -n "$U" ] && break
    sleep 0.05
done
[ -n "$U" ] && ok || bad "the server did not start: $(oneline <"$T/srv.err")"
h() {
    local tok=$1 method=$2 path=$3
    shift 3
    code=$(curl -s -o "$T/out" -w '%{http_code}' -X "$method" -H "Authorization: Bearer $tok" \
        "$@" "$U$path")
}
new_job $EC "$W" ana
J2=$JOB
h "$TOK_ana" POST /api/jobs/$J2/claim
for e in arrive start complete; do
    h "$TOK_ana" POST /api/jobs/$J2/advance -H 'Content-Type: application/json' \
        --data-binary "{\"event\":\"$e\"}"
done
is "serve composes the record" 200 "$code"
is "serve signs the record" 2 "$(count record_signatures)"
h "$TOK_ana" GET /api/jobs/$J2/record/export
is "GET record/export, owner" 200 "$code"
cp "$T/out" "$T/http.json"
q record export --job "$J2"
if cmp -s "$T/out" "$T/http.json"; then ok; else bad "the HTTP export differs from the CLI's"; fi
chk "$T/http.json" --key "$PUB"
is "the served export checks" 0 "$rc"
h "$TOK_bo" GET /api/jobs/$J2/record/export
is "GET record/export, another operator" 403 "$code"
jqt "GET record/export, another operator: error" '.error.category == "forbidden"'
kill -TERM "$SRV_PID"
wait "$SRV_PID"
SRV_PID=

run "verify checks the signatures" verify
finish

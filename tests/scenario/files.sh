#!/usr/bin/env bash
# tests/scenario/files.sh - the database file and the credentials' limits.
#
# Modes: under umask 022, `qtm init` makes the database, its -wal and -shm
# 0600, and they stay so after writes; init on an empty 0644 file someone
# else made makes it (and so the -wal, -shm) 0600, a database keeps its mode.  A read-only copy (0444 in a 0555
# directory, checked as the user nobody, since root ignores modes) verifies
# and answers reads, with or without its -wal/-shm; a write on it is
# refused with exit 10 and the files unchanged (sha256sum).  Names that are
# not files ("", QTM_DB="", :memory:, file: URIs, postgres://, any other
# scheme://) are refused, exit 2.
# `token issue --expires` parsing; an expired token gets 401 from serve, a
# live one is stamped last used.  The last line is "N passed, N failed".
. "$(dirname "$0")/lib.sh"
SRV_PID=
trap '[ -n "$SRV_PID" ] && kill "$SRV_PID" 2>/dev/null; chmod -R u+w "$T" 2>/dev/null; rm -rf "$T"' EXIT
umask 022

mode() { stat -c %a "$1" 2>/dev/null || echo missing; }

# --- F10: modes ---------------------------------------------------------------
fresh modes
run "init" init
for f in "$DB" "$DB-wal" "$DB-shm"; do is "mode of ${f##*/} after init" 600 "$(mode "$f")"; done
run "a write" actor add ana --role operator
run "another write" token issue ana
for f in "$DB" "$DB-wal" "$DB-shm"; do is "mode of ${f##*/} after writes" 600 "$(mode "$f")"; done
fresh touched
touch "$DB"
chmod 644 "$DB"
run "init on an empty 0644 file" init
for f in "$DB" "$DB-wal" "$DB-shm"; do is "mode of ${f##*/} after init on it" 600 "$(mode "$f")"; done
chmod 640 "$DB"
run "init again on the database" init
is "a database with data keeps the mode its owner gave it" 640 "$(mode "$DB")"
DB=$T/modes/qtm.db   # what the rest reads and copies

# --- F12: names that are not files --------------------------------------------
cd "$T/modes" || exit 2
for name in "" ":memory:" "file:x.db?mode=memory" "file:qtm.db?nolock=1"; do
    "$QTM" --db "$name" init >"$T/out" 2>"$T/err"
    is "init --db '$name' exit" 2 "$?"
    has "init --db '$name' message" "$T/err" "qtm: error: "
done
has "the URI refusal says why" "$T/err" "SQLite URIs are refused"
"$QTM" --db "file:qtm.db?nolock=1" actor list >"$T/out" 2>"$T/err"
is "a URI naming the real file is refused too" 2 "$?"
# a socket directory that does not exist: never a host to look up
for name in "postgres:///qtm?host=$T/nosock" "postgresql:///qtm?host=$T/nosock"; do
    "$QTM" --db "$name" verify >"$T/out" 2>"$T/err"
    st=$?
    if "$QTM" --version | grep -q postgresql; then
        is "--db $name exit (PostgreSQL built in: cannot connect)" 10 "$st"
        has "--db $name message" "$T/err" "$T/nosock"
    else
        is "--db $name exit" 2 "$st"
        has "--db $name message" "$T/err" "PostgreSQL support is not built in"
    fi
done
"$QTM" --db "" serve --listen 127.0.0.1:0 >"$T/out" 2>"$T/err"
is "serve --db '' exit" 2 "$?"
QTM_DB="" "$QTM" actor list >"$T/out" 2>"$T/err"
is "QTM_DB='' is refused, not ./qtm.db" 2 "$?"
has "QTM_DB='' message" "$T/err" "the database path is empty"
for name in "mysql://db.example/qtm" "sqlite://qtm.db" "Sqlite+x.y://z"; do
    "$QTM" --db "$name" init >"$T/out" 2>"$T/err"
    is "--db $name exit" 2 "$?"
    has "--db $name message" "$T/err" "no storage backend for scheme '${name%%://*}' (a path is SQLite"
done
is "nothing was created beside the database" "qtm.db qtm.db-shm qtm.db-wal" "$(ls | tr '\n' ' ' | sed 's/ $//')"
cd "$ROOT" || exit 2

# --- F11: a read-only copy, read as nobody -------------------------------------
as_nobody() { setpriv --reuid=65534 --regid=65534 --clear-groups "$QTM" "$@" >"$T/out" 2>"$T/err"; rc=$?; }
chmod 755 "$T"
ro_copy() {   # ro_copy NAME FILES... : a 0444 copy in a 0555 directory; sets RO
    RO=$T/$1
    mkdir "$RO"
    shift
    cp "$@" "$RO/"
    chmod 444 "$RO"/*
    chmod 555 "$RO"
}
ro_checks() {   # ro_checks NAME
    local sums
    sums=$(cd "$RO" && sha256sum ./*)
    as_nobody --db "$RO/qtm.db" verify
    is "$1: verify as nobody" 0 "$rc"
    has "$1: verify output" "$T/out" "verify: ok"
    as_nobody --db "$RO/qtm.db" --json actor list
    is "$1: actor list as nobody" 0 "$rc"
    jqt "$1: the copy's actors" '.actors | map(.slug) == ["ana"]'
    as_nobody --db "$RO/qtm.db" token list
    is "$1: token list as nobody" 0 "$rc"
    as_nobody --db "$RO/qtm.db" actor add bo --role operator
    is "$1: a write is refused (storage)" 10 "$rc"
    has "$1: the refusal says why" "$T/err" "read-only"
    is "$1: the files are unchanged" "$sums" "$(cd "$RO" && sha256sum ./*)"
    is "$1: nothing was created" "$(echo "$sums" | wc -l)" "$(ls "$RO" | wc -l)"
}
if setpriv --reuid=65534 --regid=65534 --clear-groups true 2>/dev/null; then
    ro_copy ro-all "$DB" "$DB-wal" "$DB-shm"
    ro_checks "copy with its log"
    sqlite3 "$DB" 'PRAGMA wal_checkpoint(TRUNCATE)' >/dev/null
    ro_copy ro-main "$DB"
    ro_checks "checkpointed file alone"
    q actor add bo --role operator   # the log holds something again
    ro_copy ro-nolog "$DB" "$DB-wal"
    as_nobody --db "$RO/qtm.db" verify
    is "a log without its -shm in a read-only directory: refused" 10 "$rc"
    has "and the message says what to copy" "$T/err" "copy the three files together"
else
    bad "setpriv cannot run as nobody here: the read-only checks need it"
fi

# --- token expiry and last use -------------------------------------------------
fresh tokens
run "init" init
setup_actors
for bad_d in 0d 0 12 12x -5d 1.5h "" 99999999999d; do
    refuse "token issue --expires '$bad_d'" 2 "--expires" token issue ana --expires "$bad_d"
done
refuse "token issue with two actors" 2 "usage" token issue ana bo
for good in 90d 12h 30m 45s; do run "token issue --expires $good" token issue ana --expires "$good"; done
q --json token list
jqt "expiry listed" '[.tokens[].expires_at | type] == ["string","string","string","string"]' \
    "90d is 90 days" '.tokens[0] | ((.expires_at | sub("\\.000Z$"; "Z") | fromdate) - (.created_at | sub("\\.[0-9]+Z$"; "Z") | fromdate)) | (. >= 90*86400 - 1 and . <= 90*86400)' \
    "never used yet" '[.tokens[].last_used_at] == [null,null,null,null]'
QTM_FAKE_NOW=2020-01-01T00:00:00.000Z "$QTM" --db "$DB" token issue ana --expires 1d >"$T/old" 2>/dev/null
OLD=$(cat "$T/old")
LIVE=$("$QTM" --db "$DB" token issue bo --expires 90d 2>/dev/null)
case $OLD in qtm_*) ok ;; *) bad "a token with a past expiry was not issued: '$OLD'" ;; esac
case $LIVE in qtm_*) ok ;; *) bad "a token expiring in 90 days was not issued: '$LIVE'" ;; esac
q token list
has "token list shows expiry" "$T/out" "expires 2020-01-02T00:00:00.000Z"

command -v curl >/dev/null 2>&1 || { bad "curl is not installed (tools/deps.sh installs it)"; finish; }
"$QTM" --db "$DB" serve --listen 127.0.0.1:0 >"$T/srv.out" 2>"$T/srv.err" &
SRV_PID=$!
U=
for i in $(seq 1 100); do
    U=$(sed -n 's|^qtm serve: listening on \(http://127.0.0.1:[0-9]*\)/.*|\1|p' "$T/srv.out")
    [ -n "$U" ] && break
    sleep 0.05
done
if [ -z "$U" ]; then bad "the server did not start: $(oneline <"$T/srv.err")"; finish; fi
code=$(curl -s -o "$T/out" -w '%{http_code}' -H "Authorization: Bearer $OLD" "$U/api/desk")
is "an expired token gets 401" 401 "$code"
code=$(curl -s -o "$T/out" -w '%{http_code}' -H 'Content-Type: application/json' \
    --data-binary "{\"token\":\"$OLD\"}" "$U/api/session")
is "an expired token cannot sign in" 401 "$code"
code=$(curl -s -o "$T/out" -w '%{http_code}' -H "Authorization: Bearer $LIVE" "$U/api/desk")
is "a live token gets 200" 200 "$code"
kill -TERM "$SRV_PID"
wait "$SRV_PID"
is "serve stops cleanly" 0 "$?"
SRV_PID=
q --json token list
jqt "the live token's last use is stamped" '.tokens[-1].last_used_at | type == "string"' \
    "the expired one's is not" '.tokens[-2].last_used_at == null'
run "verify" verify
finish

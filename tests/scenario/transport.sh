#!/usr/bin/env bash
# tests/scenario/transport.sh - `qtm serve` against hostile or unlucky
# transports, on loopback, with bash's /dev/tcp and curl.
#
# The connection limit fitted to `ulimit -n` (one address at most half of
# it); the Host check (421, two Hosts 400); framing refusals (both
# Content-Length and Transfer-Encoding, two Content-Lengths, whitespace
# before a colon: 400; a Transfer-Encoding other than chunked: 501; each
# with the connection closed); a slowloris of 40 connections trickling a
# byte a second, cut by --request-timeout while /healthz and other
# addresses are answered; the same from 127.0.0.1 with a long deadline,
# reconnecting, while 127.0.0.1 is still answered; 32 announced bodies
# that never come, while a sign-in from elsewhere goes through; 20 bodies
# of 1 MiB trickled against a small --max-buffered (RSS bounded, another
# address still served); and another process holding the SQLite write
# lock while /healthz and reads are answered.
# The last line is "N passed, N failed".
. "$(dirname "$0")/lib.sh"
command -v curl >/dev/null 2>&1 || { bad "curl is not installed (tools/deps.sh installs it)"; finish; }
EC=event-coordination
W=$EX/event-coordination-wedding.json
SRV_PID=
KIDS=()
cleanup() {
    local k
    for k in "${KIDS[@]}"; do kill "$k" 2>/dev/null; done
    [ -n "$SRV_PID" ] && kill "$SRV_PID" 2>/dev/null
    rm -rf "$T"
}
trap cleanup EXIT

# serve_start NAME [OPTIONS...] : qtm serve on port 0; sets U, PORT, SRV_PID
serve_start() {
    local name=$1 i
    shift
    "$QTM" --db "$DB" serve --listen 127.0.0.1:0 "$@" >"$T/$name.out" 2>"$T/$name.err" &
    SRV_PID=$!
    U=
    for i in $(seq 1 100); do
        U=$(sed -n 's|^qtm serve: listening on \(http://127.0.0.1:[0-9]*\)/.*|\1|p' "$T/$name.out")
        [ -n "$U" ] && break
        sleep 0.05
    done
    PORT=${U##*:}
    if [ -n "$U" ]; then ok; else bad "$name: the server did not start: $(oneline <"$T/$name.err")"; fi
}

# serve_stop : SIGTERM; the server must stop cleanly (exit 0)
serve_stop() {
    kill -TERM "$SRV_PID" 2>/dev/null
    wait "$SRV_PID"
    STOP_RC=$?
    SRV_PID=
    is "a clean stop" 0 "$STOP_RC"
}

# code [CURL ARGS...] URL : the HTTP status (000: no answer within 2 s)
code() { curl -s -m 2 -o "$T/body" -D "$T/hdr" -w '%{http_code}' "$@"; }
fds() { ls "/proc/$SRV_PID/fd" | wc -l; }
rss_kb() { sed -n 's/^VmRSS:[[:space:]]*\([0-9]*\) kB/\1/p' "/proc/$SRV_PID/status"; }

# raw TEXT : TEXT (printf format, %s is the port) written on a new
# connection; what comes back until the server closes is in $T/raw, and
# $raw_rc is 124 if the connection was still open after 3 s
raw() {
    local fmt=$1
    # shellcheck disable=SC2059
    printf "$fmt" "$PORT" "$PORT" >"$T/req"
    (
        exec 3<>"/dev/tcp/127.0.0.1/$PORT" || exit 2
        cat "$T/req" >&3           # one write: all of it reaches the server at once
        timeout 3 cat <&3
    ) >"$T/raw" 2>/dev/null
    raw_rc=$?
}

fresh transport
run "init" init
run "actor add admin" actor add admin --role admin
q token issue admin
ADMIN=$(cat "$T/out")

echo "# the connection limit follows the descriptor limit"
serve_start defaults
has "the limits are printed, 32 per address by default" "$T/defaults.out" " connections, 32 per address, database "
serve_stop
(ulimit -n 64 && exec "$QTM" --db "$DB" serve --listen 127.0.0.1:0 --threads 2 >"$T/low.out" 2>"$T/low.err") &
low=$!
for i in $(seq 1 100); do grep -q listening "$T/low.out" 2>/dev/null && break; sleep 0.05; done
kill -TERM $low 2>/dev/null
wait $low
n=$(sed -n 's/.*(\([0-9]*\) threads, \([0-9]*\) connections, \([0-9]*\) per address.*/\2 \3/p' "$T/low.out")
read -r conns perip <<<"${n:-0 0}"
if [ "$conns" -ge 8 ] && [ "$conns" -lt 64 ]; then ok; else
    bad "ulimit -n 64: connections should fit under 64: $(oneline <"$T/low.out") $(oneline <"$T/low.err")"
fi
if [ $((2 * perip)) -le "$conns" ] && [ "$perip" -gt 0 ]; then ok; else bad "ulimit -n 64: per address $perip over half of $conns"; fi
(ulimit -n 24 && exec timeout 5 "$QTM" --db "$DB" serve --listen 127.0.0.1:0 >"$T/out" 2>"$T/err")
rc=$?
is "ulimit -n 24: refused (exit 10)" 10 "$rc"
has "ulimit -n 24: says why" "$T/err" "qtm: error: only 24 file descriptors (ulimit -n)"

timeout 5 "$QTM" --db "$DB" serve --listen 127.0.0.1:0 --max-buffered 4096 >"$T/out" 2>"$T/err"
is "--max-buffered under --max-body: exit 2" 2 "$?"
has "... says so" "$T/err" "must be at least --max-body"

echo "# Host"
serve_start host --allowed-host qtm.example.org --allowed-host Other.Example:9999
dump "$T/before"
is "another Host is misdirected" 421 "$(code -H "Host: evil.example:$PORT" "$U/healthz")"
if jq -e '.error.category == "invalid input" and (.error.message | test("Host"))' "$T/body" >/dev/null; then ok; else
    bad "421 body: $(oneline <"$T/body")"
fi
is "a rebound name cannot write" 421 "$(code -H "Host: evil.example:$PORT" -H 'Content-Type: application/json' --data-binary @"$W" "$U/api/requests/$EC")"
is "nor read" 421 "$(code -H "Host: evil.example:$PORT" "$U/api/surfaces")"
is "the served name on another port" 421 "$(code -H "Host: 127.0.0.1:1" "$U/healthz")"
dump "$T/after"
if cmp -s "$T/before" "$T/after"; then ok; else bad "a misdirected request changed the database"; fi
is "127.0.0.1:PORT" 200 "$(code "$U/api/surfaces")"
is "localhost:PORT" 200 "$(code -H "Host: localhost:$PORT" "$U/healthz")"
is "LOCALHOST without a port" 200 "$(code -H "Host: LOCALHOST" "$U/healthz")"
is "--allowed-host NAME, any case, with the port" 200 "$(code -H "Host: QTM.example.org:$PORT" "$U/healthz")"
is "--allowed-host NAME:PORT as given" 200 "$(code -H "Host: other.example:9999" "$U/healthz")"
is "--allowed-host NAME:PORT, not another port" 421 "$(code -H "Host: other.example:$PORT" "$U/healthz")"
raw 'GET /healthz HTTP/1.1\r\n\r\n'
has "HTTP/1.1 without Host: 400" "$T/raw" "HTTP/1.1 400"
has "... that says why" "$T/raw" "needs a Host header"
raw 'GET /healthz HTTP/1.0\r\n\r\n'
has "HTTP/1.0 without Host: answered" "$T/raw" '{"ok":true}'
raw 'GET /api/surfaces HTTP/1.1\r\nHost: 127.0.0.1:%s\r\nHost: evil.example\r\nConnection: close\r\n\r\n'
has "two Hosts: 400" "$T/raw" "HTTP/1.1 400"
has "... that says why" "$T/raw" "more than one Host"

echo "# framing"
dump "$T/before"
raw 'POST /api/requests/event-coordination HTTP/1.1\r\nHost: 127.0.0.1:%s\r\nContent-Type: application/json\r\nContent-Length: 5\r\nTransfer-Encoding: chunked\r\n\r\n0\r\n\r\nGET /healthz HTTP/1.1\r\nHost: 127.0.0.1:%s\r\n\r\n'
is "Content-Length and Transfer-Encoding: one answer" 1 "$(grep -c '^HTTP/1.1 ' "$T/raw")"
has "... a 400" "$T/raw" "HTTP/1.1 400"
has "... that says why" "$T/raw" "both Content-Length and Transfer-Encoding"
if [ "$raw_rc" != 124 ]; then ok; else bad "Content-Length and Transfer-Encoding: the connection stayed open"; fi
raw 'POST /api/requests/event-coordination HTTP/1.1\r\nHost: 127.0.0.1:%s\r\nContent-Type: application/json\r\nContent-Length: 2\r\nContent-Length: 2\r\n\r\n{}GET /healthz HTTP/1.1\r\nHost: 127.0.0.1:%s\r\n\r\n'
is "two Content-Lengths: one answer" 1 "$(grep -c '^HTTP/1.1 ' "$T/raw")"
has "... a 400" "$T/raw" "HTTP/1.1 400"
has "... that says why" "$T/raw" "more than one Content-Length"
if [ "$raw_rc" != 124 ]; then ok; else bad "two Content-Lengths: the connection stayed open"; fi
raw 'POST /api/requests/event-coordination HTTP/1.1\r\nHost: 127.0.0.1:%s\r\nContent-Length: 2x\r\n\r\n{}GET /healthz HTTP/1.1\r\nHost: 127.0.0.1:%s\r\n\r\n'
has "an invalid Content-Length: 400" "$T/raw" "HTTP/1.1 400"
if [ "$raw_rc" != 124 ] && ! grep -q '^HTTP/1.1 200' "$T/raw"; then ok; else
    bad "an invalid Content-Length: the connection went on: $(oneline <"$T/raw")"
fi
raw 'POST /api/requests/event-coordination HTTP/1.1\r\nHost: 127.0.0.1:%s\r\nContent-Type: application/json\r\nContent-Length : 40\r\nContent-Length: 2\r\n\r\n{}GET /healthz HTTP/1.1\r\nHost: 127.0.0.1:%s\r\n\r\n'
is "whitespace before a colon: one answer" 1 "$(grep -c '^HTTP/1.1 ' "$T/raw")"
has "... a 400" "$T/raw" "HTTP/1.1 400"
has "... that says why" "$T/raw" "a malformed header field name"
if [ "$raw_rc" != 124 ]; then ok; else bad "whitespace before a colon: the connection stayed open"; fi
raw 'POST /api/requests/event-coordination HTTP/1.1\r\nHost: 127.0.0.1:%s\r\nContent-Type: application/json\r\nContent-Length: 2\r\nTransfer-Encoding : chunked\r\n\r\n{}GET /healthz HTTP/1.1\r\nHost: 127.0.0.1:%s\r\n\r\n'
has "Transfer-Encoding with a space before the colon: 400" "$T/raw" "HTTP/1.1 400"
is "... and nothing else answered" 1 "$(grep -c '^HTTP/1.1 ' "$T/raw")"
for te in xchunked 'gzip, chunked'; do
    raw "POST /api/requests/event-coordination HTTP/1.1\r\nHost: 127.0.0.1:%s\r\nContent-Type: application/json\r\nTransfer-Encoding: $te\r\n\r\n{}GET /healthz HTTP/1.1\r\nHost: 127.0.0.1:%s\r\n\r\n"
    has "Transfer-Encoding: $te: 501 at once" "$T/raw" "HTTP/1.1 501"
    is "... one answer" 1 "$(grep -c '^HTTP/1.1 ' "$T/raw")"
    if [ "$raw_rc" != 124 ]; then ok; else bad "Transfer-Encoding: $te: the connection stayed open"; fi
done
dump "$T/after"
if cmp -s "$T/before" "$T/after"; then ok; else bad "a framing refusal changed the database"; fi
raw 'GET /healthz HTTP/1.1\r\nHost: 127.0.0.1:%s\r\n\r\nGET /healthz HTTP/1.1\r\nHost: 127.0.0.1:%s\r\nConnection: close\r\n\r\n'
is "a sound pipeline is answered in full" 2 "$(grep -c '^HTTP/1.1 200' "$T/raw")"
serve_stop

echo "# slowloris: 40 connections, a byte a second"
serve_start slow --per-ip 8 --request-timeout 2 --threads 1
code "$U/api/surfaces" >/dev/null   # the one reader opens its database files now
base=$(fds)
for i in $(seq 1 40); do
    (
        exec 3<>"/dev/tcp/127.0.0.1/$PORT" || exit 0
        for ch in G E T ' ' / h e a l t h z; do
            printf '%s' "$ch" >&3 || exit 0
            sleep 1
        done
    ) 2>/dev/null &
    KIDS+=($!)
done
sleep 1
held=$(($(fds) - base))
if [ "$held" -ge 1 ] && [ "$held" -le 8 ]; then ok; else bad "slowloris: $held connections held, want 1 to 8 (--per-ip 8)"; fi
is "slowloris: /healthz from another address" 200 "$(code --interface 127.0.0.2 "$U/healthz")"
is "slowloris: another client's API call" 200 "$(code --interface 127.0.0.3 "$U/api/surfaces")"
# the trickle goes on for 12 s; the deadline (2 s) must cut it well before
for i in $(seq 1 60); do [ "$(fds)" -le "$base" ] && break; sleep 0.1; done
if [ "$(fds)" -le "$base" ]; then ok; else bad "slowloris: $(($(fds) - base)) connections still held after 6 s"; fi
is "slowloris cut: 127.0.0.1 is served again" 200 "$(code "$U/healthz")"
for k in "${KIDS[@]}"; do kill "$k" 2>/dev/null; done
KIDS=()
serve_stop

echo "# slowloris from 127.0.0.1 itself, reconnecting, with a long deadline"
serve_start same --per-ip 8 --request-timeout 30 --threads 2
for i in $(seq 1 40); do
    (
        end=$((SECONDS + 12))
        while [ $SECONDS -lt $end ]; do
            exec 3<>"/dev/tcp/127.0.0.1/$PORT" || { sleep 0.2; continue; }
            while printf 'G' >&3 && [ $SECONDS -lt $end ]; do sleep 1; done
            exec 3>&-
        done
    ) 2>/dev/null &
    KIDS+=($!)
done
sleep 2
for i in 1 2 3; do
    is "same address: /healthz from 127.0.0.1 ($i)" 200 "$(code "$U/healthz")"
    is "same address: an API call from 127.0.0.1 ($i)" 200 "$(code "$U/api/surfaces")"
    sleep 1
done
for k in "${KIDS[@]}"; do kill "$k" 2>/dev/null; done
KIDS=()
serve_stop

echo "# 32 bodies announced from one address and never sent"
serve_start announced
base=$(fds)
for i in $(seq 1 32); do
    sleep 8 | curl -s -o /dev/null --interface 127.0.0.2 -X POST -T - -H 'Expect:' -H 'Transfer-Encoding:' \
        -H 'Content-Type: application/json' -H 'Content-Length: 1048576' "$U/api/session" &
    KIDS+=($!)
done
for i in $(seq 1 50); do [ $(($(fds) - base)) -ge 32 ] && break; sleep 0.1; done
held=$(($(fds) - base))
if [ "$held" -ge 32 ]; then ok; else bad "announced bodies: only $held of 32 connections held"; fi
is "announced bodies: a sign-in from another address" 200 \
    "$(code --interface 127.0.0.3 -H 'Content-Type: application/json' -d "{\"token\":\"$ADMIN\"}" "$U/api/session")"
for k in "${KIDS[@]}"; do kill "$k" 2>/dev/null; done
KIDS=()
serve_stop

echo "# trickled bodies: 20 x 1 MiB against --max-buffered 4 MiB"
serve_start bodies --per-ip 64 --request-timeout 60 --max-buffered 4194304
code "$U/api/surfaces" >/dev/null
rss0=$(rss_kb)
mkdir -p "$T/b"
for i in $(seq 1 20); do
    (
        exec 3<>"/dev/tcp/127.0.0.1/$PORT" || exit 0
        printf 'POST /api/requests/%s HTTP/1.1\r\nHost: 127.0.0.1:%s\r\nContent-Type: application/json\r\nContent-Length: 1048576\r\n\r\n' "$EC" "$PORT" >&3
        # all but a byte: a body past the budget is read and thrown away
        head -c 1048575 /dev/zero >&3
        echo held >"$T/b/$i"
        sleep 30
    ) 2>/dev/null &
    KIDS+=($!)
done
for i in $(seq 1 100); do [ "$(find "$T/b" -type f ! -name '*.tmp' | wc -l)" -ge 20 ] && break; sleep 0.1; done
sleep 0.3
rss1=$(rss_kb)
grow=$((rss1 - rss0))
if [ "$grow" -lt 12288 ]; then ok; else bad "trickled bodies: RSS grew by $grow kB (from $rss0), want under 12 MiB"; fi
is "trickled bodies: all 20 sent" 20 "$(cat "$T"/b/* 2>/dev/null | grep -c '^held$')"
is "trickled bodies: /healthz" 200 "$(code "$U/healthz")"
# 127.0.0.1 holds at most its quarter of the budget: another address posts
is "trickled bodies: another address still posts" 201 \
    "$(code --interface 127.0.0.2 -H 'Content-Type: application/json' --data-binary @"$W" "$U/api/requests/$EC")"
for k in "${KIDS[@]}"; do kill "$k" 2>/dev/null; done
KIDS=()
# the holders gone, their share of the budget comes back
for i in $(seq 1 50); do
    c=$(code -H 'Content-Type: application/json' --data-binary @"$W" "$U/api/requests/$EC")
    [ "$c" = 201 ] && break
    sleep 0.1
done
is "the budget is returned when the bodies go" 201 "$c"
serve_stop

echo "# another process holds the database's write lock"
serve_start locked --threads 2
lock_held() { ! sqlite3 -cmd '.timeout 0' "$DB" 'BEGIN IMMEDIATE; ROLLBACK;' >/dev/null 2>&1; }
{ echo 'BEGIN IMMEDIATE;'; sleep 4; echo 'COMMIT;'; } | sqlite3 "$DB" &
holder=$!
for i in $(seq 1 50); do lock_held && break; sleep 0.05; done
if lock_held; then ok; else bad "the lock holder did not take the lock"; fi
# one write after the other, so that a server whose I/O threads run the
# database calls has each of its two threads stuck in one
for i in 1 2; do
    curl -s -o /dev/null -w '%{http_code}' -H 'Content-Type: application/json' \
        --data-binary @"$W" "$U/api/requests/$EC" >"$T/post$i" &
    KIDS+=($!)
    sleep 0.3
done
for i in 1 2 3; do
    is "locked: /healthz ($i)" 200 "$(code "$U/healthz")"
    is "locked: a read ($i)" 200 "$(code -H "Authorization: Bearer $ADMIN" "$U/api/tasks")"
done
if lock_held && [ ! -s "$T/post1" ] && [ ! -s "$T/post2" ]; then ok; else
    bad "locked: the reads should have come while the lock was held and both writes waited"
fi
wait "$holder"
for k in "${KIDS[@]}"; do wait "$k"; done
KIDS=()
is "locked: both writes go through once the lock is free" "201 201" "$(cat "$T/post1") $(cat "$T/post2")"
serve_stop
run "verify after it all" verify
finish

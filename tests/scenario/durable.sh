#!/usr/bin/env bash
# tests/scenario/durable.sh - acknowledged means on disk, shown by strace.
#
# Runs the qtm command and `qtm serve` under strace (fsync, fdatasync and
# the socket and file writes, with descriptors named by -yy) and reads the
# order of system calls: the CLI fsyncs the write-ahead log before it
# prints, and during a burst of 200 POSTs from 8 parallel curls every
# answer to a write is sent after an fsync of the log that began after the
# request was read.  The same checks must find unsynced answers under
# --durability relaxed (or QTM_DURABILITY=relaxed), so they can fail.  Also:
# the start line names the mode, idempotent intake holds inside batches,
# unknown modes are refused.  The last line is "N passed, N failed".
. "$(dirname "$0")/lib.sh"
for tool in curl strace; do
    command -v $tool >/dev/null 2>&1 || { bad "$tool is not installed (tools/deps.sh installs it)"; finish; }
done
EC=event-coordination
W=$EX/event-coordination-wedding.json
SRV_PID=
TRACER=
trap '[ -n "$SRV_PID" ] && kill "$SRV_PID" 2>/dev/null; rm -rf "$T"' EXIT
# LeakSanitizer cannot run under ptrace: a sanitized build traced here
# skips only the leak check (an ordinary build ignores the variable)
export ASAN_OPTIONS=${ASAN_OPTIONS:+$ASAN_OPTIONS:}detect_leaks=0
TRACE=(strace -f -tt -qq -yy -s 64 -e trace=fdatasync,fsync,sendto,sendmsg,writev,write,recvfrom,read)

# cli_synced TRACE : 1 if a WAL fsync/fdatasync completed before the first
# write to stdout (file descriptor 1), else 0
cli_synced() {
    awk '/^[0-9]+ +(fsync|fdatasync)\([0-9]+<[^>]*-wal>\) = 0/ { synced = 1 }
         /^[0-9]+ +write\(1</ { print synced + 0; done = 1; exit }
         END { if (!done) print "no output" }' "$1"
}

fresh cli
run "init" init
setup_actors
strace -f -qq -yy -e trace=fdatasync,fsync,write -o "$T/cli.tr" \
    "$QTM" --db "$DB" --json request submit $EC --intake "$W" >"$T/out" 2>"$T/err"
is "cli: submit under strace" 0 $?
is "cli: the log is fsynced before the answer is printed" 1 "$(cli_synced "$T/cli.tr")"
QTM_DURABILITY=relaxed strace -f -qq -yy -e trace=fdatasync,fsync,write -o "$T/cli-relaxed.tr" \
    "$QTM" --db "$DB" --json request submit $EC --intake "$W" >"$T/out" 2>"$T/err"
is "cli relaxed: submit" 0 $?
is "cli relaxed: no fsync before the answer (the check can fail)" 0 "$(cli_synced "$T/cli-relaxed.tr")"
QTM_DURABILITY=fast "$QTM" --db "$DB" task list >"$T/out" 2>"$T/err"
is "QTM_DURABILITY=fast is refused" 2 $?
has "the message names the modes" "$T/err" "QTM_DURABILITY must be full or relaxed, not 'fast'"
q serve --durability sometimes
is "--durability sometimes is refused" 2 "$rc"
has "the message names the modes" "$T/err" "--durability takes full or relaxed, not 'sometimes'"

# serve_traced NAME [OPTIONS...] : qtm serve on port 0 under strace; sets U,
# SRV_PID (the server, traced) and TRACER (strace)
serve_traced() {
    local name=$1 i
    shift
    U=
    "${TRACE[@]}" -o "$T/$name.tr" "$QTM" --db "$DB" serve --listen 127.0.0.1:0 \
        --intake-rate 0 "$@" >"$T/$name.out" 2>"$T/$name.err" &
    TRACER=$!
    for i in $(seq 1 200); do
        U=$(sed -n 's|^qtm serve: listening on \(http://127.0.0.1:[0-9]*\)/.*|\1|p' "$T/$name.out")
        [ -n "$U" ] && break
        sleep 0.05
    done
    SRV_PID=$(awk 'NR == 1 { print $1; exit }' "$T/$name.tr")
    if [ -n "$U" ] && [ -n "$SRV_PID" ]; then ok; else
        bad "$name: the server did not start: $(oneline <"$T/$name.err")"
    fi
}

serve_untrace() {
    kill -TERM "$SRV_PID" 2>/dev/null
    wait "$TRACER"
    SRV_PID=
}

# burst N DIR [KEYS [BAD]] : N POSTs of the wedding intake from 8 parallel
# curls; with KEYS, request i carries Idempotency-Key k$((i % KEYS)); with
# BAD, every BAD-th sends a packet without its venue (refused); codes in DIR
burst() {
    local n=$1 dir=$2 keys=${3:-0} badn=${4:-0}
    mkdir -p "$dir"
    cp "$W" "$dir/packet.json"
    jq 'del(.event.venue)' "$W" >"$dir/bad.json"
    (
        cd "$dir" || exit 1
        seq 1 "$n" | xargs -P 8 -I{} sh -c "
            key=''; [ $keys -gt 0 ] && key=\"Idempotency-Key: k\$(({} % $keys))\"
            p=packet.json; [ $badn -gt 0 ] && [ \$(({} % $badn)) -eq 0 ] && p=bad.json
            curl -s -o /dev/null -w '%{http_code}\n' -X POST -H 'Content-Type: application/json' \
                \${key:+-H \"\$key\"} --data-binary @\$p '$U/api/requests/$EC' >{}.code"
    )
}

# ordering TRACE : "CHECKED UNSYNCED SYNCS": answers to POSTs seen, those
# sent with no WAL fsync that began after the request's last read and
# ended before the answer, and WAL fsyncs.  Line order is strace's order
# of events; an unfinished call's exit is its "resumed" line.
ordering() {
    awk '
    function on_exit(pid, name, fd, rest) {
        if ((name == "fsync" || name == "fdatasync") && fd ~ /-wal>$/) {
            syncs++
            if (sync_at[pid] > done_entry) done_entry = sync_at[pid]
        }
        if ((name == "recvfrom" || name == "read") && fd ~ /^[0-9]+<TCP:/ &&
            rest ~ /= [1-9][0-9]*$/) {
            if (rest ~ /"POST /) post[fd] = 1
            if (post[fd]) read_at[fd] = NR
        }
    }
    {
        pid = $1
        rest = $0
        sub(/^[0-9]+ +[0-9:.]+ +/, "", rest)
        if (rest ~ /^<\.\.\. [a-z0-9_]+ resumed>/) {
            on_exit(pid, pname[pid], pfd[pid], rest)
            next
        }
        name = rest; sub(/\(.*/, "", name)
        fd = rest; sub(/^[a-z0-9_]+\(/, "", fd)
        fd = substr(fd, 1, fd ~ /^[0-9]+<TCP:\[/ ? index(fd, "]>") + 1 : index(fd, ">"))
        if ((name == "fsync" || name == "fdatasync") && fd ~ /-wal>$/) sync_at[pid] = NR
        if (name ~ /^(sendto|sendmsg|writev|write)$/ && post[fd] && rest ~ /HTTP\/1\.1 [0-9]/) {
            checked++
            if (!(done_entry > read_at[fd])) unsynced++
            delete post[fd]
        }
        if (rest ~ /<unfinished \.\.\.>$/) { pname[pid] = name; pfd[pid] = fd }
        else on_exit(pid, name, fd, rest)
    }
    END { print checked + 0, unsynced + 0, syncs + 0 }' "$1"
}

echo "# qtm serve, durability full (the default): a burst of 200 writes"
fresh serve
run "init" init
setup_actors
serve_traced full
has "the start line names the mode" "$T/full.out" "durability full"
burst 200 "$T/burst"
is "200 answers, all 201" 200 "$(cat "$T"/burst/*.code | grep -c '^201$')"
serve_untrace
read -r checked unsynced syncs <<<"$(ordering "$T/full.tr")"
is "every POST answer was seen in the trace" 200 "$checked"
is "no answer before an fsync of the log issued after its request" 0 "$unsynced"
if [ "$syncs" -ge 1 ]; then ok; else bad "no fsync of the log at all"; fi
echo "# $syncs fsyncs of the log for $checked answered writes (group commit)"
is "200 requests stored" 200 "$(count requests)"
q verify
is "verify after the burst" 0 "$rc"

echo "# idempotent intake inside batches: 120 POSTs over 40 keys"
before=$(count requests)
serve_traced keys
burst 120 "$T/keys" 40
serve_untrace
is "120 answers, all 201" 120 "$(cat "$T"/keys/*.code | grep -c '^201$')"
is "one request per key" 40 "$(( $(count requests) - before ))"
q verify
is "verify after the keyed burst" 0 "$rc"

echo "# refusals among commits: 90 POSTs, every third refused"
before=$(count requests)
serve_traced mixed
burst 90 "$T/mixed" 0 3
serve_untrace
is "60 stored answers" 60 "$(cat "$T"/mixed/*.code | grep -c '^201$')"
is "30 refusals" 30 "$(cat "$T"/mixed/*.code | grep -c '^400$')"
is "only the accepted were stored" 60 "$(( $(count requests) - before ))"
is "no request without its venue" 0 "$(count requests "json_extract(intake, '\$.event.venue') IS NULL")"
q verify
is "verify after the mixed burst" 0 "$rc"

echo "# --durability relaxed: the same check finds answers sent before any fsync"
serve_traced relaxed --durability relaxed
has "the start line names the mode" "$T/relaxed.out" "durability relaxed"
burst 20 "$T/relaxed"
serve_untrace
read -r checked unsynced syncs <<<"$(ordering "$T/relaxed.tr")"
is "relaxed: every POST answer was seen" 20 "$checked"
if [ "$unsynced" -gt 0 ]; then ok; else bad "relaxed: every answer followed an fsync (the check cannot fail?)"; fi
finish

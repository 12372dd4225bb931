# tests/scenario/lib_http.sh - HTTP helpers for scenarios that drive `qtm serve`
# (sourced after lib.sh, never run): the server on a free port, bearer tokens,
# one request at a time with curl, refusals with the database unchanged.
#
# serve_start NAME : starts qtm serve on $DB, sets U; serve_stop ends it.
# h METHOD PATH [as=NAME] [CURL ARGS...] : $code, body in $T/out
# j METHOD PATH JSON [as=NAME] ... : the same with a JSON body
# refused NAME STATUS CATEGORY TEXT -- (h|j) ARGS... : five checks
command -v curl >/dev/null 2>&1 || { bad "curl is not installed (tools/deps.sh installs it)"; finish; }
SRV_PID=
declare -A TOK=()
trap '[ -n "$SRV_PID" ] && kill "$SRV_PID" 2>/dev/null; lib_cleanup' EXIT

serve_start() {
    local name=$1 i
    shift
    U=
    "$QTM" --db "$DB" serve --listen 127.0.0.1:0 "$@" >"$T/$name.out" 2>"$T/$name.err" &
    SRV_PID=$!
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

# tokens NAME... : issues a token for each actor into TOK[NAME]
tokens() {
    local a
    for a in "$@"; do
        q token issue "$a"
        TOK[$a]=$(cat "$T/out")
        [ -n "${TOK[$a]}" ] || bad "token issue $a: $(oneline <"$T/err")"
    done
}

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

j() {
    local method=$1 path=$2 body=$3
    shift 3
    h "$method" "$path" -H 'Content-Type: application/json' --data-binary "$body" "$@"
}

status_is() {
    if [ "$code" = "$2" ]; then ok; else bad "$1: HTTP $code, want $2: $(oneline <"$T/out")"; fi
}

refused() {
    local name=$1 want=$2 cat=$3 text=$4
    shift 5
    dump "$T/before"
    "$@"
    dump "$T/after"
    status_is "$name" "$want"
    jqt --arg c "$cat" "$name: error category" '.error.category == $c and (keys == ["error"])'
    has "$name: message" "$T/out" "$text"
    if grep -qiE 'select |insert |update |sqlite|/tmp/|\.c:[0-9]|stack' "$T/out"; then
        bad "$name: the answer leaks internals: $(oneline <"$T/out")"
    else ok; fi
    if cmp -s "$T/before" "$T/after"; then ok; else
        bad "$name: the database changed: $(diff "$T/before" "$T/after" | oneline)"
    fi
}

#!/bin/sh
# tests/browser/run.sh - the web desk in headless Chromium against a real
# `qtm serve` on loopback: the seed's execution example done entirely
# through the desk (tests/browser/desk.test.mjs).
#
#   BUILD=build QTM=$BUILD/bin/qtm tests/browser/run.sh
#
# Installs playwright-core (pinned by package-lock.json) into $BUILD/browser
# when missing or outdated, never into the source tree; makes a temporary
# database with actors and tokens; starts `qtm serve` on a free loopback
# port; runs the test; stops the server.  Screenshots and the server log go
# to $BUILD/artifacts/.  The last line is "browser: N passed, M failed";
# the exit status is non-zero on any failure.
#
# Environment: BUILD (build), QTM ($BUILD/bin/qtm), CHROMIUM
# (/usr/bin/chromium), NODE (node), NPM (npm), BROWSER_NODE_DIR
# ($BUILD/browser).  The node that runs the test must satisfy the pinned
# playwright-core's engines (package.json); Debian 12's nodejs (18) does.
set -u

here=$(cd "$(dirname "$0")" && pwd)
root=$(cd "$here/../.." && pwd)
BUILD=${BUILD:-build}
case $BUILD in /*) ;; *) BUILD=$root/$BUILD ;; esac
QTM=${QTM:-$BUILD/bin/qtm}
case $QTM in /*) ;; *) QTM=$root/$QTM ;; esac
NODE=${NODE:-node}
NPM=${NPM:-npm}
CHROMIUM=${CHROMIUM:-/usr/bin/chromium}
export CHROMIUM
ART=$BUILD/artifacts
# the npm packages; BROWSER_NODE_DIR lets other build trees (make sanitize)
# share one install
NODE_DIR=${BROWSER_NODE_DIR:-$BUILD/browser}

summary() { echo "browser: $1 passed, $2 failed"; }
die() { echo "browser: $*" >&2; summary 0 1; exit 1; }

[ -x "$QTM" ] || die "no qtm at $QTM (run make first)"
command -v "$NODE" >/dev/null 2>&1 || die "node is not installed (tools/deps.sh installs nodejs)"
# an older node makes playwright-core stop at import ("Playwright requires
# Node.js N or higher"), after npm ci: check here first, and name the fix
need=$(sed -n 's/.*"node": *">= *\([0-9][0-9]*\).*/\1/p' "$here/package.json" | head -n 1)
pw=$(sed -n 's/.*"playwright-core": *"\([^"]*\)".*/\1/p' "$here/package.json" | head -n 1)
have=$("$NODE" --version 2>/dev/null | sed 's/^v//')
major=${have%%.*}
case $major in ''|*[!0-9]*) die "cannot tell the version of $NODE (node --version gave '$have')" ;; esac
[ "$major" -ge "${need:-0}" ] ||
    die "node $have is too old: playwright-core $pw (tests/browser/package.json) needs node >= $need; install nodejs >= $need or set NODE"
[ -x "$CHROMIUM" ] || die "no chromium at $CHROMIUM (tools/deps.sh installs chromium)"

# --- playwright-core, pinned, in the build tree ------------------------------
mkdir -p "$NODE_DIR" "$ART"
rm -f "$ART"/*.png "$ART/serve.log"
if ! cmp -s "$here/package-lock.json" "$NODE_DIR/package-lock.json" ||
   ! cmp -s "$here/package.json" "$NODE_DIR/package.json" ||
   [ ! -f "$NODE_DIR/node_modules/playwright-core/index.mjs" ]; then
    echo "browser: installing the npm packages (package-lock.json) into $NODE_DIR" >&2
    cp "$here/package.json" "$here/package-lock.json" "$NODE_DIR/" || die "cannot copy package files"
    (cd "$NODE_DIR" && "$NPM" ci --no-audit --no-fund --loglevel=error >&2) || {
        rm -f "$NODE_DIR/package-lock.json"
        die "npm ci failed"
    }
fi

# --- a fresh database, the actors and their tokens ---------------------------
tmp=$(mktemp -d "${TMPDIR:-/tmp}/qtm-browser.XXXXXX") || die "mktemp failed"
DB=$tmp/desk.db
server=""
cleanup() {
    if [ -n "$server" ] && kill -0 "$server" 2>/dev/null; then
        kill -TERM "$server" 2>/dev/null
        i=0
        while kill -0 "$server" 2>/dev/null && [ $i -lt 50 ]; do sleep 0.1; i=$((i + 1)); done
        kill -KILL "$server" 2>/dev/null
        wait "$server" 2>/dev/null
    fi
    server=""
    rm -rf "$tmp"
}
trap cleanup EXIT
trap 'exit 130' INT TERM

q() { "$QTM" --db "$DB" "$@" >/dev/null || die "qtm $* failed"; }
q init
q actor add dana --role admin --name "Dana (admin)"
q actor add ana --role operator --name "Ana Reyes (event coordinator)"
q actor add bo --role operator --name "Bo Lindqvist (another coordinator)"
q actor add carla --role client --name "Carla (client)"
# more audit rows than one page of the log (100), so the desk must page
i=0
while [ $i -lt 110 ]; do i=$((i + 1)); q actor add "guest$i" --role client; done

# token SLUG: a new credential for SLUG
token() {
    "$QTM" --db "$DB" --json token issue "$1" |
        "$NODE" -e 'let s="";process.stdin.on("data",d=>s+=d).on("end",()=>{try{process.stdout.write(JSON.parse(s).token||"")}catch(e){}})'
}
tok_dana=$(token dana) && tok_ana=$(token ana) && tok_bo=$(token bo) && tok_carla=$(token carla)
for t in "$tok_dana" "$tok_ana" "$tok_bo" "$tok_carla"; do
    [ -n "$t" ] || die "qtm token issue gave no token"
done

# --- qtm serve on a free loopback port -----------------------------------------
log=$ART/serve.log
: >"$log"
healthy() {
    curl -fsS --max-time 1 "http://127.0.0.1:$1/healthz" 2>/dev/null | grep -q '"ok"'
}
port=""
tries=0
while [ $tries -lt 10 ]; do
    tries=$((tries + 1))
    p=$(( $(od -An -N2 -tu2 /dev/urandom | tr -d ' ') % 30000 + 20000 ))
    healthy "$p" && continue                       # someone is there already
    "$QTM" --db "$DB" serve --listen "127.0.0.1:$p" >>"$log" 2>&1 &
    server=$!
    i=0
    while [ $i -lt 100 ]; do                       # up to 10 s
        if healthy "$p"; then port=$p; break; fi
        kill -0 "$server" 2>/dev/null || break     # it died: port taken?
        sleep 0.1
        i=$((i + 1))
    done
    [ -n "$port" ] && break
    kill -TERM "$server" 2>/dev/null
    wait "$server" 2>/dev/null
    server=""
done
[ -n "$port" ] || { tail -20 "$log" >&2; die "qtm serve did not start (see $log)"; }
echo "browser: qtm serve on http://127.0.0.1:$port (pid $server, log $log)" >&2

# --- the photos the technician takes (made here, never downloaded) -------------
IMGGEN=${IMGGEN:-$BUILD/bin/qtm-imggen}
[ -x "$IMGGEN" ] || die "no image generator at $IMGGEN (make $BUILD/bin/qtm-imggen)"
mkdir -p "$tmp/photos"
"$IMGGEN" jpeg 1200 900 11 "$tmp/photos/vehicle.jpg" --gps &&
"$IMGGEN" jpeg 1200 900 12 "$tmp/photos/arrival.jpg" &&
"$IMGGEN" png 640 480 13 "$tmp/photos/before.png" &&
"$IMGGEN" webp 1200 900 14 "$tmp/photos/after.webp" || die "cannot make the test photos"
printf 'not a photo\n' >"$tmp/photos/notes.jpg"

# --- the test ------------------------------------------------------------------
result=$tmp/result
QTM_URL="http://127.0.0.1:$port" \
TOKEN_ADMIN=$tok_dana TOKEN_ANA=$tok_ana TOKEN_BO=$tok_bo TOKEN_CLIENT=$tok_carla \
ARTIFACTS=$ART INTAKE=$root/examples/intake/event-coordination-wedding.json \
RESULT=$result PLAYWRIGHT=$NODE_DIR/node_modules/playwright-core PHOTOS=$tmp/photos QTM=$QTM DB=$DB \
    "$NODE" "$here/desk.test.mjs" | grep -v '^browser: [0-9]* passed, [0-9]* failed$'
passed=0 failed=1
if [ -s "$result" ]; then
    read -r passed failed <"$result"
else
    echo "browser: the test gave no result" >&2
fi

# the server must stop cleanly on SIGTERM
kill -TERM "$server" 2>/dev/null
i=0
while kill -0 "$server" 2>/dev/null && [ $i -lt 100 ]; do sleep 0.1; i=$((i + 1)); done
if kill -0 "$server" 2>/dev/null; then
    echo "not ok - qtm serve stops on SIGTERM (still running after 10 s)"
    failed=$((failed + 1))
else
    wait "$server" 2>/dev/null
    st=$?
    if [ "$st" -eq 0 ]; then
        echo "ok - qtm serve stops on SIGTERM"
        passed=$((passed + 1))
    else
        echo "not ok - qtm serve stops on SIGTERM (exit status $st)"
        failed=$((failed + 1))
    fi
fi
server=""
if "$QTM" --db "$DB" verify >/dev/null 2>&1; then
    echo "ok - the database verifies after the run"
    passed=$((passed + 1))
else
    echo "not ok - the database verifies after the run"
    failed=$((failed + 1))
fi

summary "$passed" "$failed"
[ "$failed" -eq 0 ]

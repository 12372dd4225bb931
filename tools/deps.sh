#!/bin/sh
# deps.sh - make sure the Debian packages qtm builds and tests with are here.
#
# Usage: tools/deps.sh [PACKAGE...]   (default: the build+test set)
# Installs what is missing with apt-get when run as root; otherwise prints
# the exact command to run and exits 1.  On a system without dpkg it only
# warns, so builds elsewhere can still try their luck.
set -u

pkgs="$*"
[ -n "$pkgs" ] || pkgs="make gcc clang flex bison pkg-config jq sqlite3 libjansson-dev libsodium-dev libsqlite3-dev libcmocka-dev graphviz libmicrohttpd-dev curl wrk chromium nodejs"
# npm comes with NodeSource's nodejs; Debian packages it apart
[ -n "$*" ] || command -v npm >/dev/null 2>&1 || pkgs="$pkgs npm"

if ! command -v dpkg-query >/dev/null 2>&1; then
    echo "deps: no dpkg here; make sure these are installed: $pkgs" >&2
    exit 0
fi

missing=""
for p in $pkgs; do
    st=$(dpkg-query -W -f='${db:Status-Status}' "$p" 2>/dev/null)
    [ "$st" = "installed" ] || missing="$missing $p"
done
[ -z "$missing" ] && exit 0

if [ "$(id -u)" != 0 ]; then
    echo "deps: missing packages:$missing" >&2
    echo "deps: run: sudo apt-get update && sudo apt-get install -y$missing" >&2
    exit 1
fi
echo "deps: installing$missing" >&2
export DEBIAN_FRONTEND=noninteractive
apt-get update -qq >&2 || exit 1
# shellcheck disable=SC2086
apt-get install -y -qq --no-install-recommends $missing >&2 || exit 1

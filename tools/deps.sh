#!/bin/sh
# deps.sh - make sure the Debian packages qtm builds and tests with are here.
#
# Usage: tools/deps.sh [build | test | PACKAGE...]   (default: test)
#        tools/deps.sh --list build|test   print a set, install nothing
#   build  what `make` and `make demo` need: compiler, flex, bison,
#          pkg-config and the -dev libraries qtm links (libpq-dev: PostgreSQL)
#   test   the build set and what `make test` adds: clang, cmocka, jq, the
#          sqlite3 CLI, graphviz, curl, procps, wrk, strace, man-db, groff-base,
#          chromium, nodejs, npm, postgresql (the server of the PostgreSQL leg)
# Installs what is missing with apt-get when run as root; otherwise prints
# the exact command to run and exits 1.  On a system without dpkg it only
# warns, so builds elsewhere can still try their luck.
set -u

# libmagic-dev .. libheif-dev: files (runtime/engine/blob_check.c): type by
# content, decoding, metadata removal, thumbnails
build_pkgs="make gcc libc6-dev flex bison pkg-config libjansson-dev libsodium-dev libsqlite3-dev libpq-dev libmicrohttpd-dev libmagic-dev libjpeg62-turbo-dev libpng-dev libwebp-dev libexif-dev libheif-dev"
# procps: pgrep (tests/scenario/crash.sh), absent from a minimal root;
# strace: the fsync-before-answer ordering (tests/scenario/durable.sh);
# man-db, groff-base: `man --warnings` renders qtm(1) in tests/run.sh;
# postgresql: the throwaway cluster of the PostgreSQL leg (tests/pg/cluster.sh)
test_pkgs="$build_pkgs file clang libcmocka-dev jq sqlite3 graphviz curl procps wrk strace man-db groff-base chromium nodejs postgresql postgresql-contrib"

if [ "${1:-}" = --list ]; then
    case "${2:-}" in
    build) echo "$build_pkgs" ;;
    test) echo "$test_pkgs npm" ;;
    *) echo "usage: tools/deps.sh --list build|test" >&2; exit 2 ;;
    esac
    exit 0
fi

case "${1:-test}" in
build) pkgs=$build_pkgs ;;
test)
    pkgs=$test_pkgs
    # npm comes with NodeSource's nodejs; Debian packages it apart
    command -v npm >/dev/null 2>&1 || pkgs="$pkgs npm"
    ;;
*) pkgs="$*" ;;
esac

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

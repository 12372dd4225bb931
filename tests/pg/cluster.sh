#!/bin/sh
# tests/pg/cluster.sh - a throwaway PostgreSQL cluster for the tests.
#
# Usage: tests/pg/cluster.sh start|stop|env|crash|restart DIR
#   start    initdb into DIR/data (trust auth, superuser qtm, UTF8, no
#            sync) and start it listening on a Unix socket in DIR only
#            (listen_addresses='': no TCP port, so clusters never clash);
#            fsync=off unless PG_FSYNC=on (the crash and bench legs)
#   env      prints `export QTM_TEST_PG='postgresql:///postgres?host=DIR&user=qtm'`
#            (for eval)
#   crash    pg_ctl -m immediate stop: the server dies as on a power cut
#            (nothing flushed, no shutdown checkpoint)
#   restart  starts the same data again, with the options `start` used
#   stop     stops the server and removes DIR
# Debian's server (the newest /usr/lib/postgresql/*/bin, or env PG_BIN).  As root, initdb
# and pg_ctl run as the postgres user (neither runs as root) and DIR is
# chowned to it, mode 0755 so the tests' own user reaches the socket; as
# any other user they run directly.  Exits 3 with one line on stderr when
# no server is installed, 1 when a step fails (the server's log follows a
# failed start), 2 on a usage error.
set -u
cmd=${1:-} dir=${2:-}
me=tests/pg/cluster.sh

die() { echo "$me: $*" >&2; exit 1; }

case $cmd in start | stop | env | crash | restart) ;; *)
    echo "usage: $me start|stop|env|crash|restart DIR" >&2; exit 2 ;;
esac
[ -n "$dir" ] || die "no DIR given"
case $dir in /*) ;; *) dir=$(pwd)/$dir ;; esac
# the socket's path (DIR/.s.PGSQL.5432) must fit sun_path (107 bytes), and
# DIR goes unquoted into the server's options and the URI
case $dir in *[!A-Za-z0-9/._-]*) die "DIR '$dir' has characters other than [A-Za-z0-9/._-]" ;; esac
[ ${#dir} -le 90 ] || die "DIR '$dir' is too long for a socket path (90 bytes at most)"

if [ "$cmd" = env ]; then
    echo "export QTM_TEST_PG='postgresql:///postgres?host=$dir&user=qtm'"
    exit 0
fi

BIN=${PG_BIN:-$(ls -dv /usr/lib/postgresql/*/bin 2>/dev/null | tail -n 1)}
# stop removes DIR even where no server is (left by a start that failed)
if [ "$cmd" = stop ] && [ ! -f "$dir/data/postmaster.pid" ]; then
    rm -rf "$dir"
    exit 0
fi
if [ -z "$BIN" ] || [ ! -x "$BIN/initdb" ] || [ ! -x "$BIN/pg_ctl" ]; then
    echo "$me: no PostgreSQL server installed (no /usr/lib/postgresql/*/bin/initdb; tools/deps.sh test installs it)" >&2
    exit 3
fi

# as root, the cluster's programs run as postgres
as_owner() {
    if [ "$(id -u)" = 0 ]; then runuser -u postgres -- "$@"; else "$@"; fi
}

# pg_ctl start with the options saved in DIR/options (written by start)
pg_start() {
    as_owner "$BIN/pg_ctl" -D "$dir/data" -l "$dir/log" -w -t 60 -o "$(cat "$dir/options")" start \
        >/dev/null 2>&1 || { tail -n 20 "$dir/log" >&2 2>/dev/null; die "pg_ctl start failed in $dir"; }
}

case $cmd in
start)
    [ -e "$dir/data" ] && die "$dir/data exists: a cluster is there already"
    mkdir -p "$dir" || die "cannot create $dir"
    chmod 0755 "$dir"
    if [ "$(id -u)" = 0 ]; then
        id postgres >/dev/null 2>&1 || die "no postgres user (the postgresql package creates it)"
        chown postgres "$dir" || die "cannot chown $dir to postgres"
        runuser -u postgres -- test -w "$dir" ||
            die "the postgres user cannot reach $dir (a parent directory is closed to it)"
    fi
    as_owner "$BIN/initdb" -D "$dir/data" -A trust -U qtm -E UTF8 --no-sync >"$dir/initdb.log" 2>&1 ||
        { tail -n 20 "$dir/initdb.log" >&2; die "initdb failed in $dir"; }
    # one line, read back by restart; fsync stays on only when asked
    echo "-k $dir -c listen_addresses='' -c fsync=${PG_FSYNC:-off} -c synchronous_commit=on" \
         "-c max_connections=200 -c shared_buffers=64MB" >"$dir/options"
    pg_start
    ;;
restart)
    [ -f "$dir/options" ] || die "no cluster in $dir (start it first)"
    pg_start
    ;;
crash)
    as_owner "$BIN/pg_ctl" -D "$dir/data" -m immediate -w stop >/dev/null 2>&1 ||
        die "pg_ctl -m immediate stop failed in $dir"
    ;;
stop)
    as_owner "$BIN/pg_ctl" -D "$dir/data" -m immediate -w stop >/dev/null 2>&1 ||
        echo "$me: pg_ctl stop failed in $dir (removing it anyway)" >&2
    rm -rf "$dir"
    ;;
esac

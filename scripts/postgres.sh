#!/usr/bin/env bash
# A throwaway PostgreSQL cluster on loopback for DSPEx's PostgreSQL tests and for trying distributed runs.
#
#   scripts/postgres.sh start    creates (once) and starts the cluster; prints what to export
#   scripts/postgres.sh stop     stops it (the data stays for the next start)
#   scripts/postgres.sh destroy  stops it and deletes its data
#   scripts/postgres.sh status   says whether it is running
#   scripts/postgres.sh env      prints the exports: DSPEX_TEST_POSTGRES_URL and PGPASSFILE
#
# The cluster listens on 127.0.0.1 only (port $DSPEX_PG_PORT, 54329 by default) and asks for a password
# (scram-sha-256). Its role and database are both `dspex`; the password is random, made at creation, and kept in a
# .pgpass file (mode 600) beside the data, never in the URL. PostgreSQL refuses to run as root, so under root the
# cluster belongs to an unprivileged system user, `dspex-postgres`, created when missing.
# It needs PostgreSQL's server programs: `apt-get install -y postgresql` on Debian.
set -euo pipefail

port="${DSPEX_PG_PORT:-54329}"
root="${DSPEX_PG_DIR:-${TMPDIR:-/tmp}/dspex-postgres-$port}"
data="$root/data"
pgpass="$root/pgpass"
log="$root/server.log"

bin_dir() {
    local pg_ctl
    # Debian's server programs are not on PATH; elsewhere they usually are.
    pg_ctl="$(ls -d /usr/lib/postgresql/*/bin/pg_ctl 2>/dev/null | sort -V | tail -n 1 || true)"
    if [[ -z "$pg_ctl" ]]; then pg_ctl="$(command -v pg_ctl 2>/dev/null || true)"; fi
    if [[ -z "$pg_ctl" ]]; then
        echo "postgres.sh: PostgreSQL's server programs are missing; install them (apt-get install -y postgresql)" >&2
        exit 1
    fi
    dirname "$pg_ctl"
}

# Runs a command as the cluster's owner: the calling user, or dspex-postgres under root.
as_owner() {
    if [[ "$(id -u)" == 0 ]]; then
        runuser -u dspex-postgres -- "$@"
    else
        "$@"
    fi
}

url() {
    echo "postgresql://dspex@127.0.0.1:$port/dspex"
}

print_env() {
    echo "export DSPEX_TEST_POSTGRES_URL=$(url)"
    echo "export PGPASSFILE=$pgpass"
}

running() {
    [[ -f "$data/postmaster.pid" ]] && as_owner "$(bin_dir)/pg_ctl" -D "$data" status >/dev/null 2>&1
}

create() {
    local bin="$1"
    if [[ "$(id -u)" == 0 ]] && ! id dspex-postgres >/dev/null 2>&1; then
        useradd --system --no-create-home --shell /usr/sbin/nologin dspex-postgres
    fi
    mkdir -p "$root"
    if [[ "$(id -u)" == 0 ]]; then chown dspex-postgres "$root"; fi
    chmod 700 "$root"
    local password
    password="$(od -An -N18 -tx1 /dev/urandom | tr -d ' \n')"
    local pwfile="$root/initdb-password"
    (umask 077 && printf '%s\n' "$password" >"$pwfile")
    if [[ "$(id -u)" == 0 ]]; then chown dspex-postgres "$pwfile"; fi
    as_owner "$bin/initdb" -D "$data" -U dspex --pwfile="$pwfile" --auth=scram-sha-256 --encoding=UTF8 \
        --locale=C.UTF-8 >"$root/initdb.log" 2>&1 || {
        cat "$root/initdb.log" >&2
        exit 1
    }
    rm -f "$pwfile"
    {
        echo "listen_addresses = '127.0.0.1'"
        echo "port = $port"
        echo "unix_socket_directories = '$root'"
        echo "max_connections = 200"
        echo "fsync = on"
    } | as_owner tee -a "$data/postgresql.conf" >/dev/null
    # Readable by the user who runs the tests (root or the calling user), never by anyone else.
    (umask 077 && printf '127.0.0.1:%s:*:dspex:%s\n' "$port" "$password" >"$pgpass")
    as_owner "$bin/pg_ctl" -D "$data" -l "$log" -w start >/dev/null
    PGPASSFILE="$pgpass" "$bin/createdb" -h 127.0.0.1 -p "$port" -U dspex -w dspex
}

case "${1:-}" in
start)
    bin="$(bin_dir)"
    if [[ ! -d "$data" ]]; then
        create "$bin"
    elif ! running; then
        as_owner "$bin/pg_ctl" -D "$data" -l "$log" -w start >/dev/null
    fi
    echo "PostgreSQL is running on 127.0.0.1:$port; to use it:" >&2
    print_env
    ;;
stop)
    if running; then as_owner "$(bin_dir)/pg_ctl" -D "$data" -m fast -w stop >/dev/null; fi
    ;;
restart)
    as_owner "$(bin_dir)/pg_ctl" -D "$data" -l "$log" -m fast -w restart >/dev/null
    ;;
destroy)
    if running; then as_owner "$(bin_dir)/pg_ctl" -D "$data" -m immediate -w stop >/dev/null; fi
    rm -rf "$root"
    ;;
status)
    if running; then echo "running on 127.0.0.1:$port ($data)"; else
        echo "not running"
        exit 3
    fi
    ;;
env)
    print_env
    ;;
*)
    echo "usage: scripts/postgres.sh start|stop|restart|destroy|status|env" >&2
    exit 2
    ;;
esac

#!/usr/bin/env bash
# pgtest.sh - run a throwaway PostgreSQL cluster for the test suite.
#
# Usage:
#   scripts/pgtest.sh start DIR [PORT]   create and start a cluster in DIR,
#                                        print its URL as the only stdout line
#   scripts/pgtest.sh stop DIR           stop the cluster in DIR and delete DIR
#
# Exit status of "start": 0 on success, 3 when no PostgreSQL server binaries
# are installed (the caller should skip PostgreSQL tests), 1 on other errors.
#
# The cluster trades durability for speed (fsync, synchronous_commit and
# full_page_writes are off) and trusts every local and loopback connection.
# Never point it at data you care about.
#
# Environment:
#   PGTEST_BINDIR   use the server binaries in this directory instead of the
#                   newest /usr/lib/postgresql/*/bin (mainly for testing the
#                   "binaries missing" path, e.g. PGTEST_BINDIR=/nonexistent)
#   PGTEST_USER     OS user that runs the server when this script runs as
#                   root (default: postgres). Ignored for non-root callers,
#                   who run the server as themselves.
#
# Layout of DIR:
#   DIR/.pgtest       marker, so "stop" never deletes a directory it did not make
#   DIR/data/         the cluster's data directory
#   DIR/sock/         unix socket directory
#   DIR/server.log    server log
#   DIR/initdb.log    output of initdb
#   DIR/setup.log     output of pg_ctl and psql
#   DIR/url           the URL printed by "start"

set -euo pipefail

readonly SKIP_MSG='pgtest: PostgreSQL server binaries not found (apt-get install -y postgresql); skipping PostgreSQL'
readonly DB_NAME=erp_test
readonly DB_ROLE=erp
readonly DB_PASSWORD=erp

log() { printf 'pgtest: %s\n' "$*" >&2; }
die() { log "error: $*"; exit 1; }

usage() {
    cat >&2 <<'EOF'
usage: pgtest.sh start DIR [PORT]
       pgtest.sh stop DIR
EOF
    exit 2
}

# Print the directory holding initdb and pg_ctl, or nothing if there is none.
# Honours PGTEST_BINDIR; otherwise picks the newest Debian server version.
find_bindir() {
    if [[ -n "${PGTEST_BINDIR:-}" ]]; then
        if [[ -x "$PGTEST_BINDIR/initdb" && -x "$PGTEST_BINDIR/pg_ctl" ]]; then
            printf '%s\n' "$PGTEST_BINDIR"
        fi
        return 0
    fi
    local dir best=""
    # sort -V orders 9.6 < 10 < 15 correctly; the last usable one wins.
    while IFS= read -r dir; do
        if [[ -x "$dir/initdb" && -x "$dir/pg_ctl" ]]; then
            best=$dir
        fi
    done < <(compgen -G '/usr/lib/postgresql/*/bin' | sort -V || true)
    if [[ -n "$best" ]]; then
        printf '%s\n' "$best"
    fi
}

# Decide which OS user runs the server and set the global RUN_AS.
# Root cannot run PostgreSQL, so root hands the work to PGTEST_USER.
# An empty RUN_AS means "run commands directly as the current user".
RUN_AS=""
pick_run_user() {
    if [[ "$(id -u)" -eq 0 ]]; then
        RUN_AS=${PGTEST_USER:-postgres}
        id -u "$RUN_AS" >/dev/null 2>&1 ||
            die "running as root but user '$RUN_AS' does not exist (it comes with the postgresql package)"
        command -v runuser >/dev/null 2>&1 || die "running as root but 'runuser' is not installed"
    fi
}

# Run a command as the server user. We move to / first so a cwd that the
# server user cannot read (such as /root) does not produce warnings.
as_server_user() {
    if [[ -n "$RUN_AS" ]]; then
        (cd / && runuser -u "$RUN_AS" -- "$@")
    else
        (cd / && "$@")
    fi
}

# True if something already listens on the TCP port (any address).
port_in_use() {
    local port=$1
    if command -v ss >/dev/null 2>&1; then
        if [[ -n "$(ss -Hltn "sport = :$port" 2>/dev/null)" ]]; then
            return 0
        fi
    fi
    # Fallback, and a second opinion: try to connect on loopback.
    if (exec 3<>"/dev/tcp/127.0.0.1/$port") 2>/dev/null; then
        return 0
    fi
    return 1
}

# Print a port that looks free, starting from a random point in 55432-57431
# so that parallel runs rarely race for the same one.
pick_free_port() {
    local port=$((55432 + RANDOM % 2000)) tries=0
    while port_in_use "$port"; do
        tries=$((tries + 1))
        ((tries < 2000)) || die "could not find a free TCP port"
        port=$((port + 1))
        ((port <= 57431)) || port=55432
    done
    printf '%s\n' "$port"
}

# Show the end of the logs so a failed start can be diagnosed from CI output.
show_logs() {
    local f
    for f in "$@"; do
        if [[ -s "$f" ]]; then
            log "---- last lines of $f ----"
            tail -n 30 "$f" >&2 || true
        fi
    done
}

# Stop the server in DIR/data if one is running. Never fails.
stop_server() {
    local dir=$1 data=$1/data bindir owner pid
    [[ -f "$data/postmaster.pid" ]] || return 0

    # pg_ctl must run as the owner of the data directory, never as root.
    owner=$(stat -c %U "$data")
    bindir=$(find_bindir)
    if [[ -n "$bindir" ]]; then
        if [[ "$(id -u)" -eq 0 ]]; then
            RUN_AS=$owner
        fi
        as_server_user "$bindir/pg_ctl" -D "$data" -m immediate -w -t 10 stop >/dev/null 2>&1 || true
    fi

    # If pg_ctl is unavailable or failed, kill the postmaster by the pid in
    # its lock file, but only after checking that this pid really is a
    # postmaster serving this data directory.
    if [[ -f "$data/postmaster.pid" ]]; then
        pid=$(head -n 1 "$data/postmaster.pid" 2>/dev/null || true)
        if [[ "$pid" =~ ^[0-9]+$ && -r "/proc/$pid/cmdline" ]] &&
            tr '\0' ' ' <"/proc/$pid/cmdline" | grep -qF -- "$data"; then
            # SIGQUIT is what "pg_ctl -m immediate" sends; it lets the
            # postmaster release its shared memory. SIGKILL is the last resort.
            log "pg_ctl stop failed; sending SIGQUIT to postmaster $pid"
            kill -QUIT "$pid" 2>/dev/null || true
            local i
            for i in $(seq 50); do
                kill -0 "$pid" 2>/dev/null || break
                sleep 0.1
            done
            if kill -0 "$pid" 2>/dev/null; then
                log "postmaster $pid still running after ${i}x0.1s; sending SIGKILL"
                kill -KILL "$pid" 2>/dev/null || true
                sleep 0.5
            fi
        fi
    fi
}

cmd_start() {
    local dir=$1 port=${2:-} fixed_port=1

    local bindir
    bindir=$(find_bindir)
    if [[ -z "$bindir" ]]; then
        printf '%s\n' "$SKIP_MSG" >&2
        exit 3
    fi

    if [[ -n "$port" ]]; then
        if ! [[ "$port" =~ ^[0-9]{1,5}$ ]] || ((10#$port < 1 || 10#$port > 65535)); then
            die "bad port: $port"
        fi
        port=$((10#$port))
    else
        fixed_port=0
    fi

    pick_run_user

    # Prepare DIR. It may exist already (e.g. from mktemp -d) but must be empty.
    mkdir -p -- "$dir"
    dir=$(cd -- "$dir" && pwd -P)
    if [[ -n "$(ls -A -- "$dir")" ]]; then
        die "$dir is not empty; refusing to put a cluster there"
    fi
    # Quotes or newlines would break postgresql.conf; keep paths simple.
    case $dir in
        *[\'\"\\$'\n']*) die "directory path must not contain quotes, backslashes or newlines: $dir" ;;
    esac
    # Unix socket paths are limited to 107 bytes on Linux.
    local sockdir=$dir/sock
    # The socket file name adds 16 bytes: "/.s.PGSQL.65535".
    ((${#sockdir} + 16 <= 107)) || die "directory path is too long for a unix socket: $dir"

    touch "$dir/.pgtest"
    mkdir "$sockdir"
    if [[ -n "$RUN_AS" ]]; then
        chown -R "$RUN_AS:" "$dir"
        as_server_user test -w "$dir" ||
            die "user $RUN_AS cannot write to $dir (is a parent directory private?)"
    fi
    chmod 700 "$dir"

    local data=$dir/data setup_log=$dir/setup.log server_log=$dir/server.log
    local initdb_log=$dir/initdb.log
    as_server_user touch "$initdb_log" "$setup_log" "$server_log"

    log "using $bindir; initialising cluster in $data"
    # -A trust: no passwords for local sockets or loopback TCP.
    # -N: skip fsync of the new files, they are throwaway anyway.
    if ! as_server_user "$bindir/initdb" -D "$data" -U postgres -A trust -N \
        -E UTF8 --locale=C >"$initdb_log" 2>&1; then
        log "initdb failed"
        show_logs "$initdb_log"
        exit 1
    fi

    # Settings for a fast, disposable test server. The port is passed on the
    # pg_ctl command line so that retrying on another port needs no edit here.
    cat >>"$data/postgresql.conf" <<EOF

# ---- added by scripts/pgtest.sh (throwaway test cluster) ----
listen_addresses = '127.0.0.1'
unix_socket_directories = '$sockdir'
max_connections = 200
fsync = off
synchronous_commit = off
full_page_writes = off
wal_level = minimal
max_wal_senders = 0
EOF

    # Start the server. If we chose the port ourselves and another process
    # grabbed it in the meantime (parallel runs), try a different one.
    local attempt=0 started=0 seen
    while ((attempt < 10)); do
        attempt=$((attempt + 1))
        if ((fixed_port == 0)); then
            port=$(pick_free_port)
        fi
        log "starting server on 127.0.0.1:$port"
        # Remember how long the log was, so we only look at this attempt.
        seen=$(wc -l <"$server_log")
        if as_server_user "$bindir/pg_ctl" -D "$data" -l "$server_log" -w -t 30 \
            -o "-p $port" start >>"$setup_log" 2>&1; then
            started=1
            break
        fi
        if ((fixed_port == 0)) && tail -n +"$((seen + 1))" "$server_log" |
            grep -q 'could not bind\|could not create any TCP/IP sockets'; then
            log "port $port was taken, retrying"
            continue
        fi
        break
    done
    if ((started == 0)); then
        log "server failed to start"
        show_logs "$setup_log" "$server_log"
        stop_server "$dir"
        exit 1
    fi

    # Create the role and database the tests use. Each -c runs on its own,
    # which CREATE DATABASE needs (it cannot run inside a transaction).
    local psql=psql
    if [[ -x "$bindir/psql" ]]; then
        psql=$bindir/psql
    fi
    if ! as_server_user "$psql" -X -q -v ON_ERROR_STOP=1 -h "$sockdir" -p "$port" -U postgres -d postgres \
        -c "CREATE ROLE $DB_ROLE WITH LOGIN SUPERUSER PASSWORD '$DB_PASSWORD'" \
        -c "CREATE DATABASE $DB_NAME OWNER $DB_ROLE" >>"$setup_log" 2>&1; then
        log "could not create role/database"
        show_logs "$setup_log" "$server_log"
        stop_server "$dir"
        exit 1
    fi

    local url="postgres://$DB_ROLE:$DB_PASSWORD@127.0.0.1:$port/$DB_NAME?sslmode=disable"
    printf '%s\n' "$url" >"$dir/url"
    log "ready: $url"
    printf '%s\n' "$url"
}

cmd_stop() {
    local dir=$1
    [[ -e "$dir" ]] || return 0
    [[ -d "$dir" ]] || die "$dir is not a directory"
    dir=$(cd -- "$dir" && pwd -P)
    [[ "$dir" != / ]] || die "refusing to remove /"

    if [[ ! -e "$dir/.pgtest" ]]; then
        # An empty directory is fine to remove (e.g. start bailed out early);
        # anything else was not created by us and is left alone.
        if [[ -z "$(ls -A -- "$dir")" ]]; then
            rmdir -- "$dir"
            return 0
        fi
        die "$dir was not created by pgtest.sh (no .pgtest marker); not removing it"
    fi

    stop_server "$dir"
    rm -rf -- "$dir"
}

main() {
    (($# >= 1)) || usage
    local cmd=$1
    shift
    case $cmd in
        start)
            (($# == 1 || $# == 2)) || usage
            [[ -n "$1" ]] || usage
            cmd_start "$@"
            ;;
        stop)
            (($# == 1)) || usage
            [[ -n "$1" ]] || usage
            cmd_stop "$1"
            ;;
        -h | --help | help) usage ;;
        *) usage ;;
    esac
}

main "$@"

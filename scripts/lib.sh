# Shared helpers for scripts/serve and scripts/test. Source it; it defines functions only.
#
# Logging goes to stderr so that functions which "return" a value by printing it
# (start_private_postgres, free_port, resolve_python) can be used in $(...).

log() { printf '[postern] %s\n' "$*" >&2; }
die() { log "error: $*"; exit 1; }

is_root() { [ "$(id -u)" -eq 0 ]; }

# Prints the absolute path of the real Python interpreter. `python3` may be a pyenv shim that
# costs ~120 ms per start, so resolve it once and use the absolute path afterwards.
resolve_python() {
    local py
    py=$(python3 -c 'import sys; print(sys.executable)' 2>/dev/null) || true
    [ -n "$py" ] && [ -x "$py" ] || py=$(command -v python3) || die "python3 not found"
    printf '%s\n' "$py"
}

# Installs the Debian packages the build and the private PostgreSQL need; skips apt entirely
# when all of them are already installed.
ensure_system_packages() {
    local missing=() pkg
    # nodejs and python3-bcrypt: the hook shims and examples under plugins/ (and their tests);
    # wrk: the HTTP load generator scripts/bench drives both servers with.
    for pkg in postgresql libssl-dev pkg-config nodejs python3-bcrypt wrk; do
        dpkg-query -W -f='${Status}' "$pkg" 2>/dev/null | grep -q 'install ok installed' || missing+=("$pkg")
    done
    [ ${#missing[@]} -eq 0 ] && return 0
    local sudo=()
    is_root || sudo=(sudo)
    log "installing system packages: ${missing[*]}"
    export DEBIAN_FRONTEND=noninteractive
    "${sudo[@]}" apt-get update -qq </dev/null >&2
    "${sudo[@]}" apt-get install -y -qq --no-install-recommends \
        -o Dpkg::Options::=--force-confdef -o Dpkg::Options::=--force-confold \
        "${missing[@]}" </dev/null >&2
}

# Installs the conformance suite's Python packages when they are not importable.
# pycognito is optional: tests that need it skip themselves when it is missing.
ensure_python_packages() {
    local py=${PY:-$(resolve_python)}
    export PIP_ROOT_USER_ACTION=ignore PIP_NO_INPUT=1 PIP_DISABLE_PIP_VERSION_CHECK=1
    if ! "$py" -c 'import boto3, botocore, jwt, cryptography, pytest, requests, pyotp, moto, moto.server, aiosmtpd' >/dev/null 2>&1; then
        log "installing Python packages for the conformance suite"
        "$py" -m pip install -q boto3 PyJWT cryptography pytest requests pyotp 'moto[server]' aiosmtpd </dev/null >&2 \
            || die "pip install failed"
    fi
    # pycognito is the reference SRP client the SRP tests drive unchanged; soft-webauthn (over fido2) is
    # the software authenticator of the passkey tests.
    if ! "$py" -c 'import pycognito, fido2, soft_webauthn' >/dev/null 2>&1; then
        "$py" -m pip install -q pycognito fido2 soft-webauthn </dev/null >&2 || die "pip install pycognito fido2 soft-webauthn failed"
    fi
}

# Prints the directory holding initdb/pg_ctl/postgres (highest installed major version).
pg_bindir() {
    if [ -n "${POSTERN_PG_BINDIR:-}" ]; then
        printf '%s\n' "$POSTERN_PG_BINDIR"
        return 0
    fi
    local dir
    dir=$(ls -d /usr/lib/postgresql/*/bin 2>/dev/null | sort -V | tail -n 1)
    [ -n "$dir" ] && [ -x "$dir/pg_ctl" ] || die "PostgreSQL server binaries not found under /usr/lib/postgresql (apt-get install postgresql)"
    printf '%s\n' "$dir"
}

# Runs a PostgreSQL server binary; as the `postgres` user when we are root (the server refuses root).
run_pg() {
    if is_root; then
        runuser -u postgres -- "$@"
    else
        "$@"
    fi
}

# Makes sure the postgres user can traverse every ancestor of DIR (adds o+x only where missing).
ensure_traversable_for_postgres() {
    local dir=$1 parent
    is_root || return 0
    parent=$(dirname "$dir")
    while [ "$parent" != "/" ]; do
        if ! runuser -u postgres -- test -x "$parent" 2>/dev/null; then
            log "granting traverse permission (o+x) on $parent so the postgres user can reach $dir"
            chmod o+x "$parent"
        fi
        parent=$(dirname "$parent")
    done
}

# Prints a free TCP port on 127.0.0.1.
free_port() {
    local py=${PY:-}
    if [ -n "$py" ] || py=$(command -v python3 2>/dev/null); then
        "$py" -c 'import socket
s = socket.socket()
s.bind(("127.0.0.1", 0))
print(s.getsockname()[1])
s.close()' && return 0
    fi
    local port tries=0
    while [ $tries -lt 200 ]; do
        port=$((20000 + RANDOM % 40000))
        if ! (exec 3<>"/dev/tcp/127.0.0.1/$port") 2>/dev/null; then
            printf '%s\n' "$port"
            return 0
        fi
        tries=$((tries + 1))
    done
    die "no free port found"
}

# Starts (or reuses) a private PostgreSQL cluster in DIR/data listening on 127.0.0.1:PORT only,
# creates the database `postern` and the login role `postern_app` if missing, and prints the owner's
# URL (the superuser `postgres`, which runs migrations); application_database_url turns it into the
# server's. Trust authentication: the cluster is reachable from this machine only and holds
# development/test data.
# POSTERN_PG_FAST=1 trades durability for speed (test clusters). POSTERN_PG_SSL=1 turns TLS on with a
# self-signed certificate for `localhost` (DIR/server.crt, readable, for sslrootcert=).
# POSTERN_PG_STAT_STATEMENTS=1 preloads pg_stat_statements counting every statement, nested and
# utility ones too (scripts/bench counts SQL per request; CREATE EXTENSION is the caller's job).
start_private_postgres() {
    local dir=$1 port=$2 bindir data socketdir running_port
    [ -n "$dir" ] && [ -n "$port" ] || die "usage: start_private_postgres DIR PORT"
    bindir=$(pg_bindir)
    mkdir -p "$dir"
    dir=$(cd "$dir" && pwd)
    data="$dir/data"
    if is_root; then
        id postgres >/dev/null 2>&1 || die "user 'postgres' missing (is the postgresql package installed?)"
        ensure_traversable_for_postgres "$dir"
        chown postgres:postgres "$dir"
        [ -e "$dir/log" ] && chown postgres:postgres "$dir/log"
        if [ -d "$data" ] && [ "$(stat -c %U "$data")" != postgres ]; then chown -R postgres:postgres "$data"; fi
    fi
    chmod 700 "$dir"

    if [ ! -f "$data/PG_VERSION" ]; then
        log "creating PostgreSQL cluster in $data"
        local initflags=(-D "$data" -A trust -U postgres -E UTF8 --locale=C)
        [ "${POSTERN_PG_FAST:-}" = 1 ] && initflags+=(--no-sync)
        run_pg "$bindir/initdb" "${initflags[@]}" >"$dir/initdb.log" 2>&1 \
            || { cat "$dir/initdb.log" >&2; die "initdb failed"; }
        echo "include_if_exists = 'postern.conf'" >>"$data/postgresql.conf"
    fi

    if [ "${POSTERN_PG_SSL:-}" = 1 ] && [ ! -f "$dir/server.crt" ]; then
        log "creating a self-signed TLS certificate for localhost in $dir"
        openssl req -x509 -newkey rsa:2048 -nodes -days 30 -subj /CN=localhost -addext subjectAltName=DNS:localhost \
            -keyout "$data/server.key" -out "$data/server.crt" >/dev/null 2>&1 || die "openssl could not create a certificate"
        chmod 600 "$data/server.key"
        is_root && chown postgres:postgres "$data/server.key" "$data/server.crt"
        cp "$data/server.crt" "$dir/server.crt"
        chmod 644 "$dir/server.crt"
    fi

    # Unix sockets have a ~107-byte path limit; fall back to TCP only when DIR is too deep.
    socketdir=$dir
    [ ${#socketdir} -gt 90 ] && socketdir=''
    {
        echo "# written by scripts/lib.sh on every start"
        echo "listen_addresses = '127.0.0.1'"
        echo "port = $port"
        echo "unix_socket_directories = '$socketdir'"
        echo "max_connections = 200"
        [ -f "$data/server.crt" ] && echo "ssl = on"
        if [ "${POSTERN_PG_FAST:-}" = 1 ]; then
            echo "fsync = off"
            echo "synchronous_commit = off"
            echo "full_page_writes = off"
        fi
        if [ "${POSTERN_PG_STAT_STATEMENTS:-}" = 1 ]; then
            echo "shared_preload_libraries = 'pg_stat_statements'"
            echo "pg_stat_statements.track = all"
            echo "pg_stat_statements.track_utility = on"
            echo "pg_stat_statements.track_planning = on"
        fi
    } >"$data/postern.conf"
    chmod 644 "$data/postern.conf"
    is_root && chown postgres:postgres "$data/postern.conf"

    if run_pg "$bindir/pg_ctl" status -D "$data" >/dev/null 2>&1; then
        running_port=$(sed -n 4p "$data/postmaster.pid" 2>/dev/null || true)
        if [ "$running_port" = "$port" ]; then
            log "reusing running PostgreSQL cluster in $data (port $port)"
        else
            log "restarting PostgreSQL cluster in $data on port $port (was ${running_port:-unknown})"
            run_pg "$bindir/pg_ctl" restart -D "$data" -m fast -w -t 60 -l "$dir/log" >/dev/null \
                || { tail -n 30 "$dir/log" >&2; die "pg_ctl restart failed"; }
        fi
    else
        log "starting PostgreSQL on 127.0.0.1:$port (log: $dir/log)"
        run_pg "$bindir/pg_ctl" start -D "$data" -w -t 60 -l "$dir/log" >/dev/null \
            || { tail -n 30 "$dir/log" >&2; die "pg_ctl start failed"; }
    fi

    local psql=("$bindir/psql" -X -q -h 127.0.0.1 -p "$port" -U postgres)
    if [ -z "$("${psql[@]}" -d postgres -tAc "SELECT 1 FROM pg_database WHERE datname = 'postern'")" ]; then
        "${psql[@]}" -d postgres -c 'CREATE DATABASE postern' >/dev/null || die "could not create database postern"
    fi
    # The server's role: it owns nothing; the migrator grants it SELECT/INSERT on the log (no UPDATE,
    # DELETE or TRUNCATE) and what it needs on the projections.
    if [ -z "$("${psql[@]}" -d postgres -tAc "SELECT 1 FROM pg_roles WHERE rolname = 'postern_app'")" ]; then
        "${psql[@]}" -d postgres -c 'CREATE ROLE postern_app LOGIN' >/dev/null || die "could not create role postern_app"
    fi
    printf 'postgres://postgres@127.0.0.1:%s/postern\n' "$port"
}

# Prints the application role's URL for an owner URL printed by start_private_postgres.
application_database_url() {
    printf '%s\n' "${1/postgres:\/\/postgres@/postgres://postern_app@}"
}

# Stops the private cluster in DIR if it is running.
stop_private_postgres() {
    local dir=$1 data bindir
    data="$dir/data"
    [ -f "$data/postmaster.pid" ] || return 0
    bindir=$(pg_bindir)
    log "stopping PostgreSQL cluster in $data"
    run_pg "$bindir/pg_ctl" stop -D "$(cd "$data" && pwd)" -m fast -w -t 60 >/dev/null 2>&1 || true
}

# Waits until URL answers with HTTP 2xx, at most TIMEOUT seconds. With PID, gives up as soon as
# that process has exited.
wait_for_http() {
    local url=$1 timeout=${2:-30} pid=${3:-} deadline
    deadline=$((SECONDS + timeout))
    while [ $SECONDS -lt $deadline ]; do
        if command -v curl >/dev/null 2>&1; then
            curl -fsS -o /dev/null --max-time 2 "$url" 2>/dev/null && return 0
        else
            "${PY:-python3}" -c 'import sys, urllib.request; urllib.request.urlopen(sys.argv[1], timeout=2)' "$url" \
                >/dev/null 2>&1 && return 0
        fi
        if [ -n "$pid" ] && ! kill -0 "$pid" 2>/dev/null; then
            log "process $pid exited while waiting for $url"
            return 1
        fi
        sleep 0.2
    done
    log "timed out after ${timeout}s waiting for $url"
    return 1
}

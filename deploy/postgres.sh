# Helpers to run a private PostgreSQL cluster; sourced by run.sh and test.sh.
# initdb and pg_ctl refuse to run as root, so as root they run as the postgres user.

pg_bin() {
    local dir
    dir=$(ls -d /usr/lib/postgresql/*/bin 2>/dev/null | sort -V | tail -1)
    if [ -z "$dir" ] || [ ! -x "$dir/initdb" ]; then
        echo "PostgreSQL server binaries are missing; installing them (apt-get install postgresql)..." >&2
        as_admin apt-get update -qq >&2
        as_admin env DEBIAN_FRONTEND=noninteractive apt-get install -y -qq postgresql postgresql-contrib >&2
        # Debian starts a system cluster on install; this project uses its own, so leave that one alone.
        dir=$(ls -d /usr/lib/postgresql/*/bin | sort -V | tail -1)
    fi
    echo "$dir"
}

as_admin() {
    if [ "$(id -u)" -eq 0 ]; then "$@"; else sudo "$@"; fi
}

# Runs a command as the cluster's owner: postgres when we are root, else ourselves.
as_pg() {
    if [ "$(id -u)" -eq 0 ]; then runuser -u postgres -- "$@"; else "$@"; fi
}

# pg_init DATA_DIR PASSWORD: create a cluster owned by the right user, if it does not exist yet.
pg_init() {
    local data="$1" password="$2" bin
    bin=$(pg_bin)
    if [ -f "$data/PG_VERSION" ]; then return 0; fi
    mkdir -p "$data"
    if [ "$(id -u)" -eq 0 ]; then chown postgres:postgres "$data"; fi
    chmod 700 "$data"
    local pwfile
    pwfile=$(mktemp)
    printf '%s\n' "$password" > "$pwfile"
    if [ "$(id -u)" -eq 0 ]; then chown postgres "$pwfile"; fi
    as_pg "$bin/initdb" -D "$data" -U postgres -E UTF8 --locale=C.UTF-8 -A scram-sha-256 --pwfile="$pwfile" >/dev/null
    rm -f "$pwfile"
}

# pg_start DATA_DIR PORT: start on loopback only, sockets inside the data folder.
pg_start() {
    local data="$1" port="$2" bin
    bin=$(pg_bin)
    as_pg "$bin/pg_ctl" -D "$data" -l "$data/server.log" -w -t 60 \
        -o "-p $port -c listen_addresses=127.0.0.1 -c unix_socket_directories=$data -c max_connections=${PG_MAX_CONNECTIONS:-200} -c synchronous_commit=on" \
        start >/dev/null
}

pg_stop() {
    local data="$1" bin
    bin=$(pg_bin)
    as_pg "$bin/pg_ctl" -D "$data" -m fast -w stop >/dev/null 2>&1 || true
}

# A free loopback TCP port.
free_port() {
    python3 - <<'PY' 2>/dev/null || echo $((20000 + RANDOM % 20000))
import socket
s = socket.socket(); s.bind(("127.0.0.1", 0)); print(s.getsockname()[1]); s.close()
PY
}

# A folder the postgres user can reach: the wanted one if every parent is traversable, else one under /var/tmp.
reachable_dir() {
    local wanted="$1" fallback="$2"
    mkdir -p "$wanted"
    if [ "$(id -u)" -ne 0 ] || runuser -u postgres -- test -x "$wanted"; then
        echo "$wanted"
    else
        mkdir -p "$fallback"
        chmod 755 "$fallback"
        echo "$fallback"
    fi
}

#!/usr/bin/env bash
# Runs CongressVote with its own PostgreSQL cluster.
#   bash deploy/run.sh            a demo congress over HTTP; open the addresses it prints; Ctrl-C stops everything.
#   bash deploy/run.sh congress   a real congress: no demo data, HTTPS with the hall's own certificate authority
#                                 (CONGRESSVOTE_HTTPS_PORT, 5443; plain HTTP on CONGRESSVOTE_PORT only redirects and
#                                 serves /ca), data in deploy/.congress, the first administrator's password printed once.
# Settings (environment): CONGRESSVOTE_PORT (5000), CONGRESSVOTE_PG_PORT (55432), CONGRESSVOTE_DATA (deploy/.data),
# CONGRESSVOTE_PUBLIC_URL (the address tablets use, e.g. http://192.168.1.10:5000), CONGRESSVOTE_STAFF_PASSWORD,
# CONGRESSVOTE_CERT (a .pfx: serve HTTPS; see deploy/make-cert.sh), CONGRESSVOTE_CERT_PASSWORD and
# CONGRESSVOTE_BACKUP (where a backup is written after every close; $DATA/backups).
set -euo pipefail
ROOT=$(cd "$(dirname "$0")/.." && pwd)
source "$ROOT/deploy/postgres.sh"

MODE=${1:-demo}
case "$MODE" in demo|congress) ;; *) echo "usage: bash deploy/run.sh [demo|congress]"; exit 2;; esac
PORT=${CONGRESSVOTE_PORT:-5000}
HTTPS_PORT=${CONGRESSVOTE_HTTPS_PORT:-5443}
PG_PORT=${CONGRESSVOTE_PG_PORT:-55432}
pg_bin >/dev/null   # installs PostgreSQL first, so the postgres user exists when folders are checked
if [ "$MODE" = congress ]; then
    DATA=$(reachable_dir "${CONGRESSVOTE_DATA:-$ROOT/deploy/.congress}" "/var/tmp/congressvote-congress")
else
    DATA=$(reachable_dir "${CONGRESSVOTE_DATA:-$ROOT/deploy/.data}" "/var/tmp/congressvote-data")
fi
PG_DATA="$DATA/pg"
APP="$DATA/app"

command -v dotnet >/dev/null || { echo "The .NET SDK 10 is needed: https://dot.net (dotnet-sdk-10.0)"; exit 1; }

if [ ! -f "$DATA/pg-password" ]; then
    (umask 077; head -c 18 /dev/urandom | base64 | tr -d '/+=' > "$DATA/pg-password")
fi
PG_PASSWORD=$(cat "$DATA/pg-password")

echo "Database: private PostgreSQL cluster in $PG_DATA on 127.0.0.1:$PG_PORT"
pg_init "$PG_DATA" "$PG_PASSWORD"
pg_start "$PG_DATA" "$PG_PORT"
SERVER_PID=""
cleanup() {
    if [ -n "$SERVER_PID" ]; then kill "$SERVER_PID" 2>/dev/null || true; wait "$SERVER_PID" 2>/dev/null || true; fi
    pg_stop "$PG_DATA"
    echo "CongressVote and its database are stopped; the data is kept in $DATA."
}
trap cleanup EXIT
trap 'exit 130' INT TERM

export PGPASSWORD="$PG_PASSWORD"
PSQL="$(pg_bin)/psql"
if ! "$PSQL" -h 127.0.0.1 -p "$PG_PORT" -U postgres -tAc "SELECT 1 FROM pg_database WHERE datname = 'congressvote'" | grep -q 1; then
    "$PSQL" -h 127.0.0.1 -p "$PG_PORT" -U postgres -qc "CREATE DATABASE congressvote" >/dev/null
fi

echo "Building the server and the browser app (Release)..."
dotnet publish "$ROOT/Server/Server.csproj" -c Release -o "$APP" -nologo -v quiet

# The server runs as a role of its own that cannot rewrite the audit trail or change the schema; the owner
# (postgres) only migrates at start-up.
APP_DB_PASSWORD_FILE="$DATA/db-app-password"
[ -f "$APP_DB_PASSWORD_FILE" ] || (umask 077 && head -c 18 /dev/urandom | base64 | tr -d '/+=' > "$APP_DB_PASSWORD_FILE")
APP_DB_PASSWORD=$(cat "$APP_DB_PASSWORD_FILE")
"$PSQL" -h 127.0.0.1 -p "$PG_PORT" -U postgres -qc "DO \$\$ BEGIN
    IF NOT EXISTS (SELECT 1 FROM pg_roles WHERE rolname = 'congressvote_app') THEN CREATE ROLE congressvote_app LOGIN; END IF;
    END \$\$; ALTER ROLE congressvote_app LOGIN PASSWORD '$APP_DB_PASSWORD'" >/dev/null
export ConnectionStrings__CongressOwner="Host=127.0.0.1;Port=$PG_PORT;Database=congressvote;Username=postgres;Password=$PG_PASSWORD"
export ConnectionStrings__Congress="Host=127.0.0.1;Port=$PG_PORT;Database=congressvote;Username=congressvote_app;Password=$APP_DB_PASSWORD"
export DataProtection__KeysFolder="$DATA/keys"
# A backup after every close; point CONGRESSVOTE_BACKUP at a second disk or a USB stick on the day.
export Backup__Folder="${CONGRESSVOTE_BACKUP:-$DATA/backups}"
export Venue__PublicUrl="${CONGRESSVOTE_PUBLIC_URL:-}"
if [ "$MODE" = congress ]; then
    export Demo__Seed=false
    # The first administrator, created on the first start only; the password is shown once, then changed in Settings.
    if [ ! -f "$DATA/admin-password" ]; then
        (umask 077; head -c 12 /dev/urandom | base64 | tr -d '/+=' > "$DATA/admin-password")
        echo "First administrator / Quản trị viên đầu tiên: user admin, password $(cat "$DATA/admin-password")"
    fi
    export Setup__AdminPassword="$(cat "$DATA/admin-password")"
    export Setup__CongressName="${CONGRESSVOTE_CONGRESS_NAME:-Đại hội đại biểu}"
fi
if [ "$MODE" = demo ]; then
    export Demo__Seed=true
    export Demo__AccessFile="$DATA/demo-access.json"
    export Demo__StaffPassword="${CONGRESSVOTE_STAFF_PASSWORD:-}"
fi
if [ -n "${CONGRESSVOTE_CERT:-}" ]; then
    # HTTPS with the given certificate (deploy/make-cert.sh makes a self-signed one for a hall LAN).
    export Kestrel__Certificates__Default__Path="$(cd "$(dirname "$CONGRESSVOTE_CERT")" && pwd)/$(basename "$CONGRESSVOTE_CERT")"
    export Kestrel__Certificates__Default__Password="${CONGRESSVOTE_CERT_PASSWORD:-$(cat "$DATA/cert-password" 2>/dev/null || true)}"
    export ASPNETCORE_URLS="https://0.0.0.0:$PORT"
elif [ "$MODE" = congress ]; then
    # The server creates the hall's certificate authority once (in $DATA/keys/tls) and prints where tablets get it.
    export ASPNETCORE_URLS="http://0.0.0.0:$PORT;https://0.0.0.0:$HTTPS_PORT"
else
    export ASPNETCORE_URLS="http://0.0.0.0:$PORT"
fi
cd "$APP"
dotnet CongressVote.Server.dll &
SERVER_PID=$!
wait "$SERVER_PID"

#!/usr/bin/env bash
# Runs CongressVote with its own PostgreSQL cluster and a demo congress.
#   bash deploy/run.sh            then open the addresses it prints; Ctrl-C stops everything.
# Settings (environment): CONGRESSVOTE_PORT (5000), CONGRESSVOTE_PG_PORT (55432), CONGRESSVOTE_DATA (deploy/.data),
# CONGRESSVOTE_PUBLIC_URL (the address tablets use, e.g. http://192.168.1.10:5000), CONGRESSVOTE_STAFF_PASSWORD,
# CONGRESSVOTE_CERT (a .pfx: serve HTTPS; see deploy/make-cert.sh) and CONGRESSVOTE_CERT_PASSWORD.
set -euo pipefail
ROOT=$(cd "$(dirname "$0")/.." && pwd)
source "$ROOT/deploy/postgres.sh"

PORT=${CONGRESSVOTE_PORT:-5000}
PG_PORT=${CONGRESSVOTE_PG_PORT:-55432}
pg_bin >/dev/null   # installs PostgreSQL first, so the postgres user exists when folders are checked
DATA=$(reachable_dir "${CONGRESSVOTE_DATA:-$ROOT/deploy/.data}" "/var/tmp/congressvote-data")
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
export Demo__Seed=true
export DataProtection__KeysFolder="$DATA/keys"
export Demo__AccessFile="$DATA/demo-access.json"
export Venue__PublicUrl="${CONGRESSVOTE_PUBLIC_URL:-}"
export Demo__StaffPassword="${CONGRESSVOTE_STAFF_PASSWORD:-}"
if [ -n "${CONGRESSVOTE_CERT:-}" ]; then
    # HTTPS with the given certificate (deploy/make-cert.sh makes a self-signed one for a hall LAN).
    export Kestrel__Certificates__Default__Path="$(cd "$(dirname "$CONGRESSVOTE_CERT")" && pwd)/$(basename "$CONGRESSVOTE_CERT")"
    export Kestrel__Certificates__Default__Password="${CONGRESSVOTE_CERT_PASSWORD:-$(cat "$DATA/cert-password" 2>/dev/null || true)}"
    export ASPNETCORE_URLS="https://0.0.0.0:$PORT"
else
    export ASPNETCORE_URLS="http://0.0.0.0:$PORT"
fi
cd "$APP"
dotnet CongressVote.Server.dll &
SERVER_PID=$!
wait "$SERVER_PID"

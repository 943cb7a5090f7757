#!/usr/bin/env bash
# Two CongressVote nodes behind nginx, sharing one PostgreSQL, one Redis (the SignalR backplane) and one
# Data Protection key folder. Everything on this machine; nginx listens on every interface.
#   bash deploy/two-nodes.sh       then open http://<this machine>:8080/console ; Ctrl-C stops everything.
# Settings: CONGRESSVOTE_PROXY_PORT (8080), CONGRESSVOTE_DATA (deploy/.data-two-nodes).
set -euo pipefail
ROOT=$(cd "$(dirname "$0")/.." && pwd)
source "$ROOT/deploy/postgres.sh"

PROXY_PORT=${CONGRESSVOTE_PROXY_PORT:-8080}
DATA=$(reachable_dir "${CONGRESSVOTE_DATA:-$ROOT/deploy/.data-two-nodes}" "/var/tmp/congressvote-two-nodes")
PG_PORT=$(free_port); REDIS_PORT=$(free_port); NODE_A=$(free_port); NODE_B=$(free_port)
missing=""
command -v redis-server >/dev/null || missing="$missing redis-server"
[ -x /usr/sbin/nginx ] || command -v nginx >/dev/null || missing="$missing nginx-light"
if [ -n "$missing" ]; then as_admin apt-get update -qq; as_admin env DEBIAN_FRONTEND=noninteractive apt-get install -y -qq $missing; fi
NGINX=$(command -v nginx || echo /usr/sbin/nginx)

[ -f "$DATA/pg-password" ] || (umask 077; head -c 18 /dev/urandom | base64 | tr -d '/+=' > "$DATA/pg-password")
PG_PASSWORD=$(cat "$DATA/pg-password")
pg_init "$DATA/pg" "$PG_PASSWORD"
pg_start "$DATA/pg" "$PG_PORT"
PIDS=()
cleanup() {
    for pid in "${PIDS[@]}"; do kill "$pid" 2>/dev/null || true; done
    wait 2>/dev/null || true
    pg_stop "$DATA/pg"
}
trap cleanup EXIT
trap 'exit 130' INT TERM
export PGPASSWORD="$PG_PASSWORD"
"$(pg_bin)/psql" -h 127.0.0.1 -p "$PG_PORT" -U postgres -tAc "SELECT 1 FROM pg_database WHERE datname = 'congressvote'" | grep -q 1 \
    || "$(pg_bin)/psql" -h 127.0.0.1 -p "$PG_PORT" -U postgres -qc "CREATE DATABASE congressvote"

redis-server --port "$REDIS_PORT" --bind 127.0.0.1 --save "" --appendonly no > "$DATA/redis.log" 2>&1 &
PIDS+=($!)
dotnet publish "$ROOT/Server/Server.csproj" -c Release -o "$DATA/app" -nologo -v quiet

export ConnectionStrings__Congress="Host=127.0.0.1;Port=$PG_PORT;Database=congressvote;Username=postgres;Password=$PG_PASSWORD"
export Redis__Connection="127.0.0.1:$REDIS_PORT" DataProtection__KeysFolder="$DATA/keys"
# Badge links point at the proxy, not at a node.
export Demo__Seed=true Demo__AccessFile="$DATA/demo-access.json" \
    Venue__PublicUrl="${CONGRESSVOTE_PUBLIC_URL:-http://$(hostname -I 2>/dev/null | awk '{print $1}'):$PROXY_PORT}"
for port in "$NODE_A" "$NODE_B"; do
    (cd "$DATA/app" && ASPNETCORE_URLS="http://127.0.0.1:$port" exec dotnet CongressVote.Server.dll > "$DATA/node-$port.log" 2>&1) &
    PIDS+=($!)
done

mkdir -p "$DATA/nginx"
sed -e "s|__PREFIX__|$DATA/nginx|g" -e "s|__LISTEN__|$PROXY_PORT|g" -e "s|__NODE_A__|$NODE_A|g" -e "s|__NODE_B__|$NODE_B|g" \
    "$ROOT/deploy/nginx/congressvote.conf" > "$DATA/nginx/nginx.conf"
"$NGINX" -p "$DATA/nginx" -c "$DATA/nginx/nginx.conf" -g "daemon off;" &
PIDS+=($!)
for _ in $(seq 1 120); do curl -fsS "http://127.0.0.1:$PROXY_PORT/health/ready" >/dev/null 2>&1 && break; sleep 1; done
echo "Two nodes (127.0.0.1:$NODE_A, 127.0.0.1:$NODE_B) behind nginx on port $PROXY_PORT; Redis on $REDIS_PORT."
echo "Console: http://<this machine>:$PROXY_PORT/console   (accounts in $DATA/demo-access.json)"
curl -fsS "http://127.0.0.1:$PROXY_PORT/health/ready" || true; echo
wait

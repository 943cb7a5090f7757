#!/usr/bin/env bash
# Installs CongressVote as services on a Debian venue laptop, for a real congress (run as root):
#   sudo bash deploy/install.sh                                  then open the addresses it prints
#   sudo CONGRESSVOTE_PUBLIC_URL=https://192.168.1.10 bash deploy/install.sh
# What it makes: a system user congressvote; everything it writes under /var/lib/congressvote (pg/, keys/,
# backups/); the app in /opt/congressvote; settings in /etc/congressvote/congressvote.env (docs/configuration.md);
# systemd units congressvote-db (the private PostgreSQL cluster on 127.0.0.1:55432) and congressvote (HTTPS on 443
# with the hall's own certificate authority, plain HTTP on 80 only redirecting and offering /ca). Running it again
# updates the app and the units and keeps the data and the settings.
# When nginx is installed, it serves TLS on 443 instead (deploy/nginx/congressvote-site.conf) and the server listens
# on 127.0.0.1:5000 only; the certificate is CONGRESSVOTE_TLS_CERT and CONGRESSVOTE_TLS_KEY when given, else a
# self-signed one from deploy/make-cert.sh in /var/lib/congressvote/tls.
set -euo pipefail
ROOT=$(cd "$(dirname "$0")/.." && pwd)
source "$ROOT/deploy/postgres.sh"
[ "$(id -u)" = 0 ] || { echo "Run it as root: sudo bash deploy/install.sh"; exit 1; }
command -v dotnet >/dev/null || { echo "The .NET SDK 10 is needed: https://dot.net (dotnet-sdk-10.0)"; exit 1; }
command -v systemctl >/dev/null || { echo "systemd is needed for the services; without it use: bash deploy/run.sh congress"; exit 1; }

VAR=/var/lib/congressvote
ETC=/etc/congressvote
APP=/opt/congressvote
PG_PORT=${CONGRESSVOTE_PG_PORT:-55432}
BIN=$(pg_bin)
LAN=$(ip -4 -o addr show scope global 2>/dev/null | awk '{print $4}' | cut -d/ -f1 | head -1)
NGINX=
URLS="http://0.0.0.0:80;https://0.0.0.0:443"
if command -v nginx >/dev/null || [ -x /usr/sbin/nginx ]; then
    NGINX=1
    # Behind nginx the server is reached only from loopback, and only nginx may name a client's address.
    URLS="http://127.0.0.1:5000
Proxy__KnownProxies=127.0.0.1"
fi
random() { head -c 18 /dev/urandom | base64 | tr -d '/+='; }

id congressvote >/dev/null 2>&1 || useradd --system --home-dir "$VAR" --shell /usr/sbin/nologin congressvote
install -d -o congressvote -g congressvote -m 700 "$VAR" "$VAR/keys" "$VAR/backups"
install -d -m 750 -g congressvote "$ETC"

echo "Publishing the server to $APP..."
dotnet publish "$ROOT/Server/Server.csproj" -c Release -o "$APP" -nologo -v quiet

if [ ! -f "$VAR/pg/PG_VERSION" ]; then
    (umask 077; random > "$VAR/pg-password"; random > "$VAR/db-app-password"; random > "$VAR/admin-password")
    chown congressvote:congressvote "$VAR"/*-password
    runuser -u congressvote -- "$BIN/initdb" -D "$VAR/pg" -U postgres --auth=scram-sha-256 --pwfile="$VAR/pg-password" -E UTF8 --locale=C.UTF-8 >/dev/null
fi

if [ ! -f "$ETC/congressvote.env" ]; then
    umask 027
    cat > "$ETC/congressvote.env" <<ENV
# CongressVote settings (docs/configuration.md). systemctl restart congressvote after a change.
CONGRESSVOTE_PG_PORT=$PG_PORT
ConnectionStrings__CongressOwner=Host=127.0.0.1;Port=$PG_PORT;Database=congressvote;Username=postgres;Password=$(cat "$VAR/pg-password")
ConnectionStrings__Congress=Host=127.0.0.1;Port=$PG_PORT;Database=congressvote;Username=congressvote_app;Password=$(cat "$VAR/db-app-password")
ASPNETCORE_URLS=$URLS
DataProtection__KeysFolder=$VAR/keys
Backup__Folder=$VAR/backups
Venue__PublicUrl=${CONGRESSVOTE_PUBLIC_URL:-}
Setup__AdminPassword=$(cat "$VAR/admin-password")
Setup__CongressName=${CONGRESSVOTE_CONGRESS_NAME:-Đại hội đại biểu}
ENV
    chgrp congressvote "$ETC/congressvote.env"
    first=1
fi

install -m 644 "$ROOT/deploy/systemd/congressvote-db.service" "$ROOT/deploy/systemd/congressvote.service" /etc/systemd/system/
systemctl daemon-reload
systemctl enable --now congressvote-db.service
for _ in $(seq 1 30); do "$BIN/pg_isready" -q -h 127.0.0.1 -p "$PG_PORT" && break; sleep 1; done

export PGPASSWORD; PGPASSWORD=$(cat "$VAR/pg-password")
PSQL=("$BIN/psql" -h 127.0.0.1 -p "$PG_PORT" -U postgres -v ON_ERROR_STOP=1 -qtA)
"${PSQL[@]}" -c "SELECT 1 FROM pg_database WHERE datname = 'congressvote'" | grep -q 1 || "${PSQL[@]}" -c "CREATE DATABASE congressvote"
"${PSQL[@]}" -c "DO \$\$ BEGIN
    IF NOT EXISTS (SELECT 1 FROM pg_roles WHERE rolname = 'congressvote_app') THEN CREATE ROLE congressvote_app LOGIN; END IF;
    END \$\$; ALTER ROLE congressvote_app LOGIN PASSWORD '$(cat "$VAR/db-app-password")'"

systemctl enable congressvote.service
systemctl restart congressvote.service

# Settings kept from an install without nginx have the server on 80 and 443 itself; nginx is left alone then.
if [ -n "$NGINX" ] && grep -q '^ASPNETCORE_URLS=http://127.0.0.1:5000$' "$ETC/congressvote.env"; then
    TLS=$VAR/tls
    # nginx's workers read the certificate for /ca.crt; the key stays readable by root only.
    install -d -m 755 "$TLS"
    if [ -n "${CONGRESSVOTE_TLS_CERT:-}" ]; then
        install -m 644 "$CONGRESSVOTE_TLS_CERT" "$TLS/congressvote.crt"
        install -m 600 "${CONGRESSVOTE_TLS_KEY:?give the key with CONGRESSVOTE_TLS_KEY}" "$TLS/congressvote.key"
    elif [ ! -f "$TLS/congressvote.crt" ]; then
        CONGRESSVOTE_DATA=$TLS bash "$ROOT/deploy/make-cert.sh" "${LAN:-127.0.0.1}" >/dev/null
    fi
    sed -e "s|__HTTP_LISTEN__|80|; s|__HTTPS_LISTEN__|443|; s|__HTTPS_PORT_SUFFIX__||; s|__UPSTREAM__|127.0.0.1:5000|g" \
        -e "s|__CERT__|$TLS/congressvote.crt|g; s|__KEY__|$TLS/congressvote.key|" \
        "$ROOT/deploy/nginx/congressvote-site.conf" > /etc/nginx/sites-available/congressvote
    ln -sf /etc/nginx/sites-available/congressvote /etc/nginx/sites-enabled/congressvote
    # Debian's default site would answer port 80 for the hall's address instead of this one.
    rm -f /etc/nginx/sites-enabled/default
    nginx -t -q && systemctl enable nginx && systemctl reload-or-restart nginx
fi
echo
echo "CongressVote is installed and running (systemctl status congressvote; journalctl -u congressvote)."
echo "Console / Bàn thư ký:                 https://${LAN:-<this machine>}/console"
echo "Hall certificate for tablets / chứng chỉ: http://${LAN:-<this machine>}/ca"
if [ -n "${first:-}" ]; then echo "First administrator: user admin, password $(cat "$VAR/admin-password") (change it in Settings)"; fi
echo "Before the day: bash deploy/preflight.sh with CONGRESSVOTE_DATA=$VAR CONGRESSVOTE_PORT=80 CONGRESSVOTE_HTTPS_PORT=443"

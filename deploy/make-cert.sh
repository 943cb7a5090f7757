#!/usr/bin/env bash
# Makes a self-signed certificate for a hall LAN without internet, for the server's LAN address.
#   bash deploy/make-cert.sh 192.168.1.10      -> deploy/.data/congressvote.pfx (password in deploy/.data/cert-password)
# Then: CONGRESSVOTE_CERT=deploy/.data/congressvote.pfx bash deploy/run.sh
# Tablets warn once about a certificate they do not know; accept it (or install deploy/.data/congressvote.crt on them).
set -euo pipefail
ROOT=$(cd "$(dirname "$0")/.." && pwd)
ADDRESS=${1:?give the server LAN address, e.g. 192.168.1.10}
OUT="${CONGRESSVOTE_DATA:-$ROOT/deploy/.data}"
mkdir -p "$OUT"
PASSWORD=$(head -c 18 /dev/urandom | base64 | tr -d '/+=')
SAN="IP:$ADDRESS,DNS:localhost,IP:127.0.0.1"
if ! [[ "$ADDRESS" =~ ^[0-9.]+$ ]]; then SAN="DNS:$ADDRESS,DNS:localhost,IP:127.0.0.1"; fi
openssl req -x509 -newkey rsa:2048 -sha256 -days 825 -nodes \
    -keyout "$OUT/congressvote.key" -out "$OUT/congressvote.crt" \
    -subj "/CN=CongressVote $ADDRESS" -addext "subjectAltName=$SAN" 2>/dev/null
openssl pkcs12 -export -out "$OUT/congressvote.pfx" -inkey "$OUT/congressvote.key" -in "$OUT/congressvote.crt" -passout "pass:$PASSWORD"
(umask 077; printf '%s' "$PASSWORD" > "$OUT/cert-password")
chmod 600 "$OUT/congressvote.key" "$OUT/congressvote.pfx"
echo "Certificate for $ADDRESS: $OUT/congressvote.pfx (password in $OUT/cert-password)"

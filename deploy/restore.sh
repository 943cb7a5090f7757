#!/usr/bin/env bash
# Restores a backup made by deploy/backup.sh or by the server after a close. Stop the server first.
#   bash deploy/restore.sh <backup folder>     into run.sh's layout (CONGRESSVOTE_DATA, CONGRESSVOTE_PG_PORT)
# Another database: set PGHOST, PGPORT, PGUSER, PGPASSWORD, PGDATABASE (the database to replace) and
# CONGRESSVOTE_KEYS (its key folder). The backup is checked against its manifest first; the database is replaced
# whole; the key folder is copied aside (keys.before-restore-<time>) and the backup's keys are added to it.
set -euo pipefail
ROOT=$(cd "$(dirname "$0")/.." && pwd)
source "$ROOT/deploy/postgres.sh"
BACKUP=$(cd "${1:?give the backup folder, e.g. deploy/.data/backups/congressvote-20261202-101500-000}" && pwd)
DATA=${CONGRESSVOTE_DATA:-$ROOT/deploy/.data}
if [ -z "${PGDATABASE:-}" ]; then
    export PGHOST=127.0.0.1 PGPORT=${CONGRESSVOTE_PG_PORT:-55432} PGUSER=postgres PGDATABASE=congressvote
    PGPASSWORD=$(cat "$DATA/pg-password"); export PGPASSWORD
fi
KEYS=${CONGRESSVOTE_KEYS:-$DATA/keys}
TARGET=$PGDATABASE
BIN=$(pg_bin)

if ! (cd "$BACKUP" && sha256sum --quiet --strict -c manifest.sha256); then
    echo "The backup in $BACKUP does not match its manifest: nothing was restored." >&2
    exit 1
fi
if ! [[ "$TARGET" =~ ^[A-Za-z_][A-Za-z0-9_]*$ ]]; then echo "The database name '$TARGET' is not a plain name." >&2; exit 1; fi
connected=$("$BIN/psql" -d postgres -tAc "SELECT count(*) FROM pg_stat_activity WHERE datname = '$TARGET'")
if [ "$connected" != 0 ]; then
    echo "$connected connection(s) to $TARGET are open: stop the server first. Nothing was restored." >&2
    exit 1
fi

"$BIN/psql" -d postgres -v ON_ERROR_STOP=1 -qc "DROP DATABASE IF EXISTS $TARGET" -c "CREATE DATABASE $TARGET"
"$BIN/pg_restore" --no-owner --no-acl --exit-on-error -d "$TARGET" "$BACKUP/congress.dump"

if [ -d "$BACKUP/keys" ]; then
    if [ -d "$KEYS" ]; then cp -a "$KEYS" "$KEYS.before-restore-$(date -u +%Y%m%d-%H%M%S)"; fi
    mkdir -p "$KEYS"
    chmod 700 "$KEYS"
    cp -a "$BACKUP/keys/." "$KEYS/"
    # The audit anchor is named after the database whose head it holds.
    source_db=$(cat "$BACKUP/database.txt" 2>/dev/null || echo "$TARGET")
    if [ -f "$BACKUP/keys/audit-anchor-$source_db.json" ] && [ "$source_db" != "$TARGET" ]; then
        cp "$BACKUP/keys/audit-anchor-$source_db.json" "$KEYS/audit-anchor-$TARGET.json"
    fi
fi
echo "Restored $BACKUP into the database $TARGET and the key folder $KEYS."

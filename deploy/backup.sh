#!/usr/bin/env bash
# Backs up a CongressVote database and its key folder, in the form the server writes after every close
# (Backup__Folder): a folder with congress.dump (PostgreSQL custom format), keys/ (the Data Protection ring, the
# audit seal key and anchor, the hall's certificate authority; never the keys of secret polls still open),
# database.txt and manifest.sha256.
#   bash deploy/backup.sh [DEST]        run.sh's layout (CONGRESSVOTE_DATA, CONGRESSVOTE_PG_PORT); DEST: $DATA/backups
# Another database: set PGHOST, PGPORT, PGUSER, PGPASSWORD, PGDATABASE and CONGRESSVOTE_KEYS (its key folder).
# Prints the new backup's folder. Check a backup anywhere: (cd <folder> && sha256sum -c manifest.sha256)
set -euo pipefail
ROOT=$(cd "$(dirname "$0")/.." && pwd)
source "$ROOT/deploy/postgres.sh"
DATA=${CONGRESSVOTE_DATA:-$ROOT/deploy/.data}
if [ -z "${PGDATABASE:-}" ]; then
    export PGHOST=127.0.0.1 PGPORT=${CONGRESSVOTE_PG_PORT:-55432} PGUSER=postgres PGDATABASE=congressvote
    PGPASSWORD=$(cat "$DATA/pg-password"); export PGPASSWORD
fi
KEYS=${CONGRESSVOTE_KEYS:-$DATA/keys}
DEST=${1:-$DATA/backups}

name="congressvote-$(date -u +%Y%m%d-%H%M%S-%3N)"
partial="$DEST/.$name.partial"
mkdir -p "$partial"
chmod 700 "$partial"
trap 'rm -rf "$partial"' ERR
"$(pg_bin)/pg_dump" --format=custom --file "$partial/congress.dump"
printf '%s\n' "$PGDATABASE" > "$partial/database.txt"
if [ -d "$KEYS" ]; then
    (cd "$KEYS" && find . -type f ! -path './secret-ballots/*' ! -name '*.tmp' ! -name '*.new' -print0 |
        while IFS= read -r -d '' file; do install -D -m 600 "$file" "$partial/keys/${file#./}"; done)
fi
(cd "$partial" && find . -type f ! -name manifest.sha256 -printf '%P\n' | LC_ALL=C sort | tr '\n' '\0' | xargs -0 -r sha256sum > manifest.sha256)
mv "$partial" "$DEST/$name"
echo "$DEST/$name"

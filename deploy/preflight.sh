#!/usr/bin/env bash
# Checks the venue machine the day before: one PASS / WARN / FAIL line per check, exit status 1 if any failed.
#   bash deploy/preflight.sh             run.sh's layout (CONGRESSVOTE_DATA, or deploy/.congress for a real congress
#                                        when it exists), with the server running or not
# Settings (environment): CONGRESSVOTE_DATA, CONGRESSVOTE_PG_PORT (55432), CONGRESSVOTE_PORT (5000),
# CONGRESSVOTE_HTTPS_PORT (5443), CONGRESSVOTE_PUBLIC_URL (the address on the badges), CONGRESSVOTE_BACKUP,
# CONGRESSVOTE_KEYS, CONGRESSVOTE_MIN_FREE_GB (2), CONGRESSVOTE_MAX_BACKUP_AGE_HOURS (24), CONGRESSVOTE_CLOCK_REFERENCE
# (the time on a phone, e.g. "2026-12-03 07:45"); another database through
# PGHOST, PGPORT, PGUSER, PGPASSWORD, PGDATABASE.
set -uo pipefail
ROOT=$(cd "$(dirname "$0")/.." && pwd)
if [ -z "${CONGRESSVOTE_DATA:-}" ] && [ -d "$ROOT/deploy/.congress" ]; then DATA="$ROOT/deploy/.congress"; else DATA=${CONGRESSVOTE_DATA:-$ROOT/deploy/.data}; fi
if [ -z "${PGDATABASE:-}" ]; then
    export PGHOST=127.0.0.1 PGPORT=${CONGRESSVOTE_PG_PORT:-55432} PGUSER=postgres PGDATABASE=congressvote
    PGPASSWORD=$(cat "$DATA/pg-password" 2>/dev/null || true); export PGPASSWORD
fi
KEYS=${CONGRESSVOTE_KEYS:-$DATA/keys}
BACKUPS=${CONGRESSVOTE_BACKUP:-$DATA/backups}
PORT=${CONGRESSVOTE_PORT:-5000}
HTTPS_PORT=${CONGRESSVOTE_HTTPS_PORT:-5443}
MIN_FREE_GB=${CONGRESSVOTE_MIN_FREE_GB:-2}
MAX_BACKUP_AGE_HOURS=${CONGRESSVOTE_MAX_BACKUP_AGE_HOURS:-24}
BIN=$(ls -d /usr/lib/postgresql/*/bin 2>/dev/null | sort -V | tail -1)
failed=0

say() { printf '%-5s %-22s %s\n' "$1" "$2" "$3"; if [ "$1" = FAIL ]; then failed=1; fi; }

# 1. The database answers, and a committed ballot is on the disk before the tablet hears so.
settings=$("$BIN/psql" -tAc "SELECT current_setting('fsync') || ' ' || current_setting('synchronous_commit') || ' ' || current_setting('full_page_writes') || ' ' || current_setting('data_directory')" 2>&1)
if [ $? -ne 0 ]; then
    say FAIL database "PostgreSQL at $PGHOST:$PGPORT/$PGDATABASE does not answer: $(echo "$settings" | head -1)"
else
    read -r fsync sync fpw pgdata <<<"$settings"
    if [ "$fsync $sync $fpw" = "on on on" ]; then say PASS database "fsync, synchronous_commit and full_page_writes are on ($PGHOST:$PGPORT)"
    else say FAIL database "fsync=$fsync synchronous_commit=$sync full_page_writes=$fpw: a crash could lose acknowledged ballots"; fi
    # pg_test_fsync on the cluster's own disk when it is readable here; a rate far above what a disk can do means
    # a cache that acknowledges writes before they are stored.
    if [ -x "$BIN/pg_test_fsync" ] && [ -d "$pgdata" ] && [ -w "$pgdata" ]; then
        rate=$("$BIN/pg_test_fsync" -s 1 -f "$pgdata/preflight-fsync.tmp" 2>/dev/null | awk '/fdatasync/ && /ops\/sec/ {print int($(NF-3)); exit}')
        rm -f "$pgdata/preflight-fsync.tmp"
        if [ -z "$rate" ]; then say WARN disk-fsync "pg_test_fsync gave no figure"
        elif [ "$rate" -gt 20000 ]; then say WARN disk-fsync "$rate fdatasync/s: more than a disk can do; is a write cache without a battery acknowledging writes?"
        else say PASS disk-fsync "$rate fdatasync/s on $pgdata"; fi
    fi
fi

# 2. Free disk where the data and the backups live.
for folder in "$DATA" "$BACKUPS"; do
    probe=$folder; while [ ! -d "$probe" ] && [ "$probe" != / ]; do probe=$(dirname "$probe"); done
    free_kb=$(df -Pk "$probe" | awk 'NR==2 {print $4}')
    free_gb=$((free_kb / 1024 / 1024))
    if [ "$free_gb" -ge "$MIN_FREE_GB" ]; then say PASS free-disk "$free_gb GB free for $folder"
    else say FAIL free-disk "$free_gb GB free for $folder; at least $MIN_FREE_GB GB needed"; fi
done

# 3. The ports: free, or already CongressVote's.
for port in "$PORT" "$HTTPS_PORT"; do
    owner=$(ss -Hltnp "sport = :$port" 2>/dev/null | head -1)
    pid=$(echo "$owner" | grep -o 'pid=[0-9]*' | head -1 | cut -d= -f2)
    if [ -z "$owner" ]; then say PASS port "$port is free"
    elif [ -n "$pid" ] && tr '\0' ' ' < "/proc/$pid/cmdline" 2>/dev/null | grep -q 'CongressVote.Server'; then say PASS port "$port is served by CongressVote (running, pid $pid)"
    else say FAIL port "$port is taken by another program: $(echo "$owner" | grep -o 'users:(("[^"]*"' | cut -d'"' -f2) ${pid:+(pid $pid)}"; fi
done

# 4. The clock: every result and the audit trail carry its time; with no internet nobody corrects it.
# CONGRESSVOTE_CLOCK_REFERENCE: the time on a phone, as "2026-12-03 07:45" in this machine's zone, to compare.
year=$(date -u +%Y)
synced=$(timedatectl show -p NTPSynchronized --value 2>/dev/null || echo unknown)
if [ "$year" -lt 2025 ]; then say FAIL clock "the clock says $(date -u '+%Y-%m-%d %H:%M') UTC; set it (date -s) before anything is recorded"
elif [ -n "${CONGRESSVOTE_CLOCK_REFERENCE:-}" ]; then
    reference=$(date -d "$CONGRESSVOTE_CLOCK_REFERENCE" +%s 2>/dev/null || echo 0)
    off=$(( $(date +%s) - reference )); off=${off#-}
    if [ "$reference" = 0 ]; then say FAIL clock "cannot read the reference time '$CONGRESSVOTE_CLOCK_REFERENCE'"
    elif [ "$off" -gt 120 ]; then say FAIL clock "$(date '+%Y-%m-%d %H:%M %Z') is $off s away from the reference $CONGRESSVOTE_CLOCK_REFERENCE; set it (date -s)"
    else say PASS clock "$(date '+%Y-%m-%d %H:%M:%S %Z'), within $off s of the reference"; fi
else say PASS clock "$(date '+%Y-%m-%d %H:%M:%S %Z') (synchronised: $synced); compare it with a phone, or give CONGRESSVOTE_CLOCK_REFERENCE"; fi

# 5. The certificate: the hall authority's server certificate (or none yet: made at the first HTTPS start).
if [ -f "$KEYS/tls/server.pfx" ]; then
    pem=$(openssl pkcs12 -in "$KEYS/tls/server.pfx" -nokeys -passin pass: 2>/dev/null | openssl x509 2>/dev/null)
    if [ -z "$pem" ]; then say FAIL certificate "$KEYS/tls/server.pfx cannot be read"
    elif ! echo "$pem" | openssl x509 -noout -checkend $((7 * 86400)) >/dev/null; then say FAIL certificate "expires within 7 days: $(echo "$pem" | openssl x509 -noout -enddate | cut -d= -f2); restart the server to issue a new one"
    else
        names=$(echo "$pem" | openssl x509 -noout -ext subjectAltName 2>/dev/null | tail -1 | tr -d ' ')
        say PASS certificate "valid until $(echo "$pem" | openssl x509 -noout -enddate | cut -d= -f2); names $names"
    fi
else
    say WARN certificate "none in $KEYS/tls yet: the server makes it at its first start over HTTPS"
    names=""
fi

# 6. The address on the badges: one of this machine's, covered by the certificate, and answering.
url=${CONGRESSVOTE_PUBLIC_URL:-}
if [ -z "$url" ]; then
    lan=$(ip -4 -o addr show scope global 2>/dev/null | awk '{print $4}' | cut -d/ -f1 | head -1)
    if [ -n "$lan" ]; then say WARN badge-address "CONGRESSVOTE_PUBLIC_URL is not set: badges will carry the console's address, e.g. $lan"
    else say FAIL badge-address "this machine has no LAN address: tablets cannot reach it"; fi
else
    host=$(echo "$url" | sed -E 's#^[a-z]+://(\[[^]]*\]|[^:/]+).*#\1#')
    if [[ "$host" =~ ^[0-9.]+$ ]] && ! ip -4 -o addr show 2>/dev/null | grep -qw "$host"; then
        say FAIL badge-address "$host (from $url) is not an address of this machine"
    elif [ -n "$names" ] && [[ "$url" == https://* ]] && ! echo "$names" | grep -qiE "(IPAddress|DNS):$host(,|$)"; then
        say FAIL badge-address "$host is not among the certificate's names ($names)"
    elif curl -sk -o /dev/null --max-time 3 "$url/health/live"; then say PASS badge-address "$url answers"
    else say WARN badge-address "$url does not answer (is the server running?)"; fi
fi

# 7. The Data Protection keys: they keep tablets signed in across restarts and seal the audit trail.
if [ ! -d "$KEYS" ]; then say FAIL keys "$KEYS does not exist"
elif ! ls "$KEYS"/key-*.xml >/dev/null 2>&1; then say FAIL keys "no key ring in $KEYS"
elif [ "$(stat -c %a "$KEYS")" != 700 ] && [ -n "$(find "$KEYS" -maxdepth 0 -perm /077)" ]; then say WARN keys "$KEYS can be read by other users (chmod 700 it)"
else say PASS keys "key ring in $KEYS ($(ls "$KEYS"/key-*.xml | wc -l) key(s))"; fi

# 8. The last backup: recent, and whole.
latest=$(ls -d "$BACKUPS"/congressvote-* 2>/dev/null | sort | tail -1)
if [ -z "$latest" ]; then say FAIL backup "no backup in $BACKUPS (bash deploy/backup.sh makes one)"
elif ! (cd "$latest" && sha256sum --quiet --strict -c manifest.sha256 >/dev/null 2>&1); then say FAIL backup "$latest does not match its manifest"
else
    age_h=$(( ($(date +%s) - $(stat -c %Y "$latest/manifest.sha256")) / 3600 ))
    if [ "$age_h" -gt "$MAX_BACKUP_AGE_HOURS" ]; then say FAIL backup "the last backup is $age_h hours old: $latest"
    else say PASS backup "$latest, $age_h hour(s) old, matches its manifest"; fi
fi

exit "$failed"

#!/usr/bin/env bash
# Runs the whole test suite against a throwaway PostgreSQL cluster, installing what the tests need when missing.
#   bash deploy/test.sh [extra dotnet test arguments, e.g. --filter Category!=Browser]
# Prints "N passed, N failed" on a line of its own; TRX results and screenshots go to artifacts/.
set -euo pipefail
ROOT=$(cd "$(dirname "$0")/.." && pwd)
source "$ROOT/deploy/postgres.sh"

command -v dotnet >/dev/null || { echo "The .NET SDK 10 is needed: https://dot.net (dotnet-sdk-10.0)"; exit 1; }
if ! command -v pdftotext >/dev/null || ! command -v pdftoppm >/dev/null; then
    echo "Installing poppler-utils for the badge sheet tests..."
    as_admin apt-get update -qq
    as_admin env DEBIAN_FRONTEND=noninteractive apt-get install -y -qq poppler-utils >/dev/null
fi
if ! command -v chromium >/dev/null; then
    echo "Installing chromium for the browser tests..."
    as_admin apt-get update -qq
    as_admin env DEBIAN_FRONTEND=noninteractive apt-get install -y -qq chromium >/dev/null
fi

WORK=$(mktemp -d /tmp/congressvote-test.XXXXXX)
chmod 755 "$WORK"
PG_DATA="$WORK/pg"
PG_PORT=$(free_port)
PG_PASSWORD=$(head -c 12 /dev/urandom | base64 | tr -d '/+=')
pg_init "$PG_DATA" "$PG_PASSWORD"
PG_MAX_CONNECTIONS=500 pg_start "$PG_DATA" "$PG_PORT"
cleanup() {
    pg_stop "$PG_DATA"
    rm -rf "$WORK"
}
trap cleanup EXIT
echo "Throwaway PostgreSQL on 127.0.0.1:$PG_PORT"

export CONGRESSVOTE_TEST_DB="Host=127.0.0.1;Port=$PG_PORT;Username=postgres;Password=$PG_PASSWORD"
export CONGRESSVOTE_ARTIFACTS="$ROOT/artifacts"
RESULTS="$ROOT/artifacts/test-results"
rm -rf "$RESULTS"
mkdir -p "$RESULTS"

status=0
dotnet test "$ROOT/CongressVote.sln" -c Release --logger "trx;LogFileName=results.trx" --results-directory "$RESULTS" "$@" || status=$?

python3 - "$RESULTS" <<'PY' || echo "0 passed, 1 failed"
import glob, sys, xml.etree.ElementTree as ET
passed = failed = 0
for path in glob.glob(sys.argv[1] + "/**/*.trx", recursive=True):
    counters = ET.parse(path).getroot().find(".//{*}Counters")
    passed += int(counters.get("passed", 0))
    failed += int(counters.get("failed", 0)) + int(counters.get("error", 0)) + int(counters.get("timeout", 0)) + int(counters.get("aborted", 0))
if passed + failed == 0:
    failed = 1  # no results at all is a failure, not a pass
print(f"{passed} passed, {failed} failed")
PY
exit $status

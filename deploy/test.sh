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
missing=""
command -v chromium >/dev/null || missing="$missing chromium"
# Two nodes behind a reverse proxy with the SignalR backplane: Debian's nginx and redis-server, run by the tests
# themselves on loopback ports (the packages' own services are not used).
command -v nginx >/dev/null || [ -x /usr/sbin/nginx ] || missing="$missing nginx-light"
command -v redis-server >/dev/null || missing="$missing redis-server"
# axe-core for the accessibility tests comes from the npm registry.
command -v npm >/dev/null || missing="$missing npm"
if [ -n "$missing" ]; then
    echo "Installing$missing for the browser and two-node tests..."
    as_admin apt-get update -qq
    as_admin env DEBIAN_FRONTEND=noninteractive apt-get install -y -qq $missing >/dev/null
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

# The fault, two-node and app-size tests run the published server as a process of its own; publish it once.
echo "Publishing the server (Release) for the tests that run it as a process..."
dotnet publish "$ROOT/Server/Server.csproj" -c Release -o "$WORK/app" -nologo -v quiet
export CONGRESSVOTE_PUBLISHED_APP="$WORK/app"
# Thousands of loopback WebSockets in the load and fault tests: use every descriptor the system allows.
ulimit -n "$(ulimit -Hn)" 2>/dev/null || true
# The accessibility tests inject axe-core into the pages from this folder, and the wire tests run the official
# JavaScript SignalR client from it (both pinned in tests/a11y/package-lock.json).
if [ ! -f "$ROOT/tests/a11y/node_modules/axe-core/axe.min.js" ] || [ ! -d "$ROOT/tests/a11y/node_modules/@microsoft/signalr" ]; then
    echo "Installing axe-core and the JavaScript SignalR client from npm for the accessibility and wire tests..."
    (cd "$ROOT/tests/a11y" && npm ci --no-audit --no-fund --loglevel=error)
fi
export CONGRESSVOTE_AXE="$ROOT/tests/a11y/node_modules/axe-core/axe.min.js"

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

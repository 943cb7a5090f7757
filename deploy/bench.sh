#!/usr/bin/env bash
# The benchmark suite (docs/benchmarks.md): a private PostgreSQL, the published Release server with a demo congress
# of 10,000 delegates, the load generator over real WebSockets on loopback, and pgbench for the durable-insert
# ceiling in the same run.
#   bash deploy/bench.sh            the full suite (about 15 minutes on 2 cores)
#   BENCH_SMALL=1 bash deploy/bench.sh   a quick pass: 363 and 2,000 delegates, 10 s sustained
# Results: artifacts/bench/*.json and artifacts/bench/summary.md.
set -euo pipefail
ROOT=$(cd "$(dirname "$0")/.." && pwd)
source "$ROOT/deploy/postgres.sh"

WORK=$(mktemp -d /var/tmp/congressvote-bench.XXXXXX)
if [ "$(id -u)" -eq 0 ]; then chmod 755 "$WORK"; fi
OUT="$ROOT/artifacts/bench"
mkdir -p "$OUT"
rm -f "$OUT"/*.json # the summary reads this run's results only
PG_PORT=$(free_port)
APP_PORT=$(free_port)
PG_PASSWORD=bench
DELEGATES=${BENCH_DELEGATES:-10000}
SUSTAINED_SECONDS=${BENCH_SUSTAINED_SECONDS:-30}
# Asked above what the machine holds, so the figure is the most it stores durably, not the rate asked.
SUSTAINED_RATE=${BENCH_SUSTAINED_RATE:-9000}
if [ -n "${BENCH_SMALL:-}" ]; then DELEGATES=2000; SUSTAINED_SECONDS=10; fi

# 10,000 WebSockets on each side of loopback need more descriptors than the default 1,024.
ulimit -n 65536 2>/dev/null || ulimit -n "$(ulimit -Hn)"

SERVER_PID=""
cleanup() {
    if [ -n "$SERVER_PID" ]; then kill "$SERVER_PID" 2>/dev/null || true; wait "$SERVER_PID" 2>/dev/null || true; fi
    pg_stop "$WORK/pg"
    rm -rf "$WORK"
}
trap cleanup EXIT

echo "== PostgreSQL on 127.0.0.1:$PG_PORT (synchronous_commit on, fsync on)"
PG_MAX_CONNECTIONS=200 pg_init "$WORK/pg" "$PG_PASSWORD"
PG_MAX_CONNECTIONS=200 pg_start "$WORK/pg" "$PG_PORT"
export PGPASSWORD=$PG_PASSWORD
BIN=$(pg_bin)
"$BIN/psql" -h 127.0.0.1 -p "$PG_PORT" -U postgres -qc "CREATE DATABASE congressvote" >/dev/null
"$BIN/psql" -h 127.0.0.1 -p "$PG_PORT" -U postgres -qc "CREATE DATABASE ceiling" >/dev/null
DB="Host=127.0.0.1;Port=$PG_PORT;Database=congressvote;Username=postgres;Password=$PG_PASSWORD"

echo "== Publishing the server and building the load generator (Release)"
dotnet publish "$ROOT/Server/Server.csproj" -c Release -o "$WORK/app" -nologo -v quiet
dotnet build "$ROOT/tests/CongressVote.LoadGen/CongressVote.LoadGen.csproj" -c Release -nologo -v quiet
LOADGEN="$ROOT/tests/CongressVote.LoadGen/bin/Release/net10.0/CongressVote.LoadGen.dll"

start_server() { # the published server; the demo congress is seeded on the first start only
(
    cd "$WORK/app"
    export ConnectionStrings__Congress="$DB" Demo__Seed=true Demo__Delegates=$DELEGATES Demo__CheckedIn=$DELEGATES \
        Demo__AccessFile="$WORK/access.json" DataProtection__KeysFolder="$WORK/keys" \
        RateLimits__PerAddressPerMinute=1000000 RateLimits__OverallPerSecond=100000 \
        ASPNETCORE_URLS="http://127.0.0.1:$APP_PORT" Logging__LogLevel__Default=Warning
    exec dotnet CongressVote.Server.dll
) >> "$OUT/server.log" 2>&1 &
SERVER_PID=$!
# dotnet's own pid is the server's (exec above).
}

echo "== Starting the server with a demo congress of $DELEGATES delegates"
: > "$OUT/server.log"
start_server
for _ in $(seq 1 300); do
    if [ -f "$WORK/access.json" ] && curl -fsS "http://127.0.0.1:$APP_PORT/health/ready" >/dev/null 2>&1; then break; fi
    sleep 1
done
[ -f "$WORK/access.json" ] || { echo "the server did not start; see $OUT/server.log"; exit 1; }

# Tablets speak the hub protocol over bare sockets (LeanTablets), cheap for the generator, except the first 200,
# which keep the SignalR .NET client as the control; BENCH_LEAN=false for the full client everywhere.
LEAN=${BENCH_LEAN:-true}
run() { # run NAME ARGS...: one load generator run; its JSON summary goes to artifacts/bench/NAME.json
    local name=$1; shift
    echo "== $name"
    dotnet "$LOADGEN" --url "http://127.0.0.1:$APP_PORT" --access "$WORK/access.json" --db "$DB" \
        --server-pid "$SERVER_PID" --scenario "$name" --json "$OUT/$name.json" --connect-parallelism 64 --lean "$LEAN" "$@" | tee -a "$OUT/runs.txt"
}

# reconnect NAME N: N idle tablets, the server killed with SIGKILL and started again here; the generator times
# the tablets' return (back and snapshot read) from the moment the server answers /health/ready.
reconnect() {
    local name=$1 tablets=$2
    echo "== $name"
    dotnet "$LOADGEN" --mode reconnect --url "http://127.0.0.1:$APP_PORT" --access "$WORK/access.json" \
        --server-pid "$SERVER_PID" --scenario "$name" --json "$OUT/$name.json" --connect-parallelism 64 --delegates "$tablets" \
        > >(tee -a "$OUT/runs.txt") &
    local generator=$!
    # The server dies when the generator kills it, once its tablets are connected; if the generator ends first,
    # it failed before the kill and its own exit status says so.
    wait -n "$SERVER_PID" "$generator" || true
    if ! kill -0 "$generator" 2>/dev/null; then wait "$generator"; return; fi
    wait "$SERVER_PID" 2>/dev/null || true
    start_server
    # Tablets not all back is a result for the summary, not a reason to stop the suite.
    wait "$generator" || echo "$name: not every tablet was back and resynchronised" | tee -a "$OUT/runs.txt"
}

: > "$OUT/runs.txt"
run "burst-363" --delegates 363
run "burst-2000" --delegates 2000
# The same burst with the SignalR client on every tablet: the generator's CPU of the two kinds, side by side.
run "burst-2000-full" --delegates 2000 --lean false
run "burst-2000-secret" --delegates 2000 --secret true
if [ -z "${BENCH_SMALL:-}" ]; then
    run "burst-10000" --delegates "$DELEGATES"
    run "burst-10000-full" --delegates "$DELEGATES" --lean false
    run "burst-10000-secret" --delegates "$DELEGATES" --secret true
fi
# Every delegate of the congress votes on each poll in turn, as in a hall: with fewer, most of each poll's roll
# never votes and opening and closing polls (each writes the whole roll) is most of what is measured.
run "sustained" --timing steady --delegates "$DELEGATES" --rate "$SUSTAINED_RATE" --seconds "$SUSTAINED_SECONDS"
run "sustained-secret" --timing steady --delegates "$DELEGATES" --rate "$SUSTAINED_RATE" --seconds "$SUSTAINED_SECONDS" --secret true
reconnect "reconnect-363" 363
reconnect "reconnect-2000" 2000

echo "== Ceiling: pgbench single-row durable inserts, same cluster, same settings"
"$BIN/psql" -h 127.0.0.1 -p "$PG_PORT" -U postgres -d ceiling -qc \
    "CREATE TABLE vote (poll_id uuid NOT NULL, id uuid NOT NULL, choice smallint NOT NULL, PRIMARY KEY (poll_id, id))" >/dev/null
echo "INSERT INTO vote VALUES ('00000000-0000-0000-0000-000000000001', gen_random_uuid(), 0);" > "$WORK/insert.sql"
CEILING=0
for clients in 4 8 16; do
    tps=$("$BIN/pgbench" -h 127.0.0.1 -p "$PG_PORT" -U postgres -n -c "$clients" -j 2 -T 10 -f "$WORK/insert.sql" ceiling 2>/dev/null \
        | awk '/^tps/ {print int($3)}')
    echo "pgbench -c $clients: $tps inserts/s" | tee -a "$OUT/runs.txt"
    if [ "${tps:-0}" -gt "$CEILING" ]; then CEILING=$tps; fi
done

python3 - "$OUT" "$CEILING" <<'PY'
import json, sys, os, glob
out, ceiling = sys.argv[1], int(sys.argv[2])
rows = []
for name in ["burst-363", "burst-2000", "burst-2000-full", "burst-2000-secret", "burst-10000", "burst-10000-full", "burst-10000-secret", "sustained", "sustained-secret"]:
    path = os.path.join(out, name + ".json")
    if os.path.exists(path):
        rows.append(json.load(open(path)))
def cpu(r):
    parts = [r.get(k) for k in ("ServerCpuMsPerVote", "DatabaseCpuMsPerVote", "GeneratorCpuMsPerVote")]
    if any(p is None for p in parts):
        return ""
    return ", ".join("%.2f" % p for p in parts) + " = %.2f" % sum(parts)
lines = ["| scenario | connections (lean) | acked | lost | dup | ack p50 | ack p99 | ack p99.9 | tally p99 | votes/s | server peak | KB/conn | CPU ms/ballot server, db, generator | close |",
         "|---|---|---|---|---|---|---|---|---|---|---|---|---|---|"]
for r in rows:
    kb = r.get("ServerKbPerConnection")
    close = "" if r.get("CloseMs") is None else "%.0f ms" % r["CloseMs"]
    lines.append(f"| {r['Scenario']} | {r['Connected']} ({r.get('LeanConnected', 0)}) | {r['Acknowledged']} | {r['Lost']} | {r['Duplicated']} | {r['AckP50Ms']:.1f} ms | {r['AckP99Ms']:.1f} ms | {r['AckP999Ms']:.1f} ms | {r['TallyP99Ms']:.1f} ms | {r['VotesPerSecond']:.0f} | {r['ServerPeakMb'] or 0:.0f} MB | {kb if kb is None else round(kb, 1)} | {cpu(r)} | {close} |")
storms = [json.load(open(os.path.join(out, n + ".json"))) for n in ["reconnect-363", "reconnect-2000"] if os.path.exists(os.path.join(out, n + ".json"))]
if storms:
    lines.append("")
    lines.append("| reconnect after kill -9 | tablets (lean) | back and resynchronised | kill to ready | resync median after ready | resync last after ready | kill to last resync | target |")
    lines.append("|---|---|---|---|---|---|---|---|")
    for s in storms:
        target = "5 s" if s["Tablets"] <= 363 else "30 s"
        lines.append(f"| {s['Scenario']} | {s['Connected']} ({s['LeanConnected']}) | {s['Resynchronised']} | {s['DownSeconds']:.2f} s | {s['ResyncMedianSeconds']:.2f} s | {s['ResyncLastSeconds']:.2f} s | {s['KillToLastResyncSeconds']:.2f} s | {target} |")
sustained = next((r for r in rows if r["Scenario"] == "sustained"), None)
secret = next((r for r in rows if r["Scenario"] == "sustained-secret"), None)
lines.append("")
lines.append(f"pgbench ceiling (best of 4, 8, 16 clients): {ceiling} durable single-row inserts/s")
if sustained and ceiling:
    lines.append(f"sustained / ceiling: {sustained['VotesPerSecond'] / ceiling * 100:.0f}%")
if sustained and secret:
    lines.append(f"secret / named sustained: {secret['VotesPerSecond'] / sustained['VotesPerSecond'] * 100:.0f}%")
text = "\n".join(lines)
open(os.path.join(out, "summary.md"), "w").write(text + "\n")
print(text)
PY

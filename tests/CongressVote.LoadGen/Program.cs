using System.Globalization;
using System.Text.Json;
using CongressVote.LoadGen;

// The load generator: simulated delegates over real WebSockets against a running server (loopback only).
//   dotnet run --project tests/CongressVote.LoadGen -- --url http://127.0.0.1:5000 --access deploy/.data/demo-access.json
//       [--delegates 363] [--timing burst|steady] [--window-ms 1000] [--rate 2000] [--seconds 30] [--projectors 1]
//       [--scenario name] [--secret true] [--db "Host=...;Database=..."] [--server-pid N] [--json result.json] [--keys acked.txt]
//       [--lean true] [--control 200]   (bare-socket tablets, all but the first 200, which keep the SignalR client)
//       [--warm-up false]   (by default one tablet of each kind casts on a poll of its own before the clocks start)
//       [--private-network true]
//   --mode reconnect --server-pid N [--delegates 2000] [--control 200]: the tablets connect, the server is killed
//       (SIGKILL) and, once its owner has restarted it, the time until every tablet is back and has read a snapshot.   (a private address too, for a client in a network namespace on this machine)
// Exit code 0 when no acknowledged ballot was lost or duplicated, 2 otherwise.
var arguments = new Dictionary<string, string>(StringComparer.Ordinal);
for (int i = 0; i + 1 < args.Length; i += 2)
{
    arguments[args[i].TrimStart('-')] = args[i + 1];
}

string Arg(string name, string fallback) => arguments.TryGetValue(name, out var value) ? value : fallback;
int Int(string name, int fallback) => int.Parse(Arg(name, fallback.ToString(CultureInfo.InvariantCulture)), CultureInfo.InvariantCulture);

if (!arguments.TryGetValue("access", out var accessFile))
{
    Console.Error.WriteLine("usage: --url http://127.0.0.1:5000 --access demo-access.json [--delegates N] [--timing burst|steady] ...");
    return 64;
}

// The access file the demo start-up writes: staff passwords, the projector link and every delegate's link.
using var access = JsonDocument.Parse(await File.ReadAllTextAsync(accessFile));
var root = access.RootElement;
string Fragment(string link) => link[(link.IndexOf('#', StringComparison.Ordinal) + 1)..];
var tokens = root.GetProperty("Delegates").EnumerateArray().Select(d => Fragment(d.GetProperty("Link").GetString()!)).ToList();
var secretary = root.GetProperty("Staff").EnumerateArray().First(s => s.GetProperty("Role").GetString() == "secretary");
int count = Math.Min(Int("delegates", tokens.Count), tokens.Count);

var options = new LoadOptions
{
    BaseUrl = new Uri(Arg("url", "http://127.0.0.1:5000")),
    Tokens = tokens.Take(count).ToList(),
    StaffUser = secretary.GetProperty("UserName").GetString()!,
    StaffPassword = secretary.GetProperty("Password").GetString()!,
    ProjectorCode = Fragment(root.GetProperty("ProjectorLink").GetString()!),
    Projectors = Int("projectors", 1),
    Scenario = Arg("scenario", $"{Arg("timing", "burst")} {count}"),
    Timing = Arg("timing", "burst") == "steady" ? CastTiming.Steady : CastTiming.Burst,
    BurstWindow = TimeSpan.FromMilliseconds(Int("window-ms", 1000)),
    Secret = Arg("secret", "false") == "true",
    Rate = Int("rate", 2000),
    Duration = TimeSpan.FromSeconds(Int("seconds", 30)),
    ConnectParallelism = Int("connect-parallelism", 32),
    Database = arguments.GetValueOrDefault("db"),
    ServerPid = arguments.TryGetValue("server-pid", out var pid) ? int.Parse(pid, CultureInfo.InvariantCulture) : null,
    Progress = Console.Error,
    AllowPrivateNetwork = Arg("private-network", "false") == "true",
    Lean = Arg("lean", "false") == "true",
    Control = Int("control", 200),
    WarmUp = Arg("warm-up", "true") == "true",
};

using var stop = new CancellationTokenSource(TimeSpan.FromSeconds(Int("timeout-seconds", 600)));
if (Arg("mode", "vote") == "reconnect")
{
    // The reconnect storm: connect, kill the server (--server-pid), time the tablets' return once it is restarted.
    var storm = await ReconnectStorm.RunAsync(options.BaseUrl, options.Tokens, ReconnectStorm.Kill(options.ServerPid ?? throw new ArgumentException("--server-pid is needed")),
        options.Control, options.ConnectParallelism, options.Scenario, Console.Error, stop.Token);
    Console.WriteLine(ReconnectSummary.Header);
    Console.WriteLine(storm.Line());
    if (arguments.TryGetValue("json", out var stormPath))
    {
        await File.WriteAllTextAsync(stormPath, JsonSerializer.Serialize(storm, new JsonSerializerOptions { WriteIndented = true }));
    }

    return storm.AllBack ? 0 : 2;
}

var run = new LoadRun(options);
var summary = await run.RunAsync(stop.Token);
Console.WriteLine(LoadRun.Table([summary]));
foreach (var (reason, n) in run.Refusals)
{
    Console.WriteLine($"not acknowledged: {n} ({reason})");
}

if (arguments.TryGetValue("keys", out var keysPath))
{
    // Every acknowledged key, one a line: a caller that cannot reach the database from here checks them itself.
    await File.WriteAllLinesAsync(keysPath, run.AcknowledgedKeys.Select(k => k.ToString()));
}

if (arguments.TryGetValue("json", out var jsonPath))
{
    await File.WriteAllTextAsync(jsonPath, JsonSerializer.Serialize(summary, new JsonSerializerOptions { WriteIndented = true }));
}

return summary.Lost == 0 && summary.Duplicated == 0 ? 0 : 2;

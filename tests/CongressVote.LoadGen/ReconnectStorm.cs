using System.Collections.Concurrent;
using System.Diagnostics;
using System.Globalization;

namespace CongressVote.LoadGen;

/// <summary>
/// What a reconnect storm measured, in seconds from the moment the restarted server answered /health/ready (a
/// tablet can be back a moment before the poll notices: a negative figure).
/// </summary>
public sealed record ReconnectSummary(
    string Scenario,
    int Tablets,
    int Connected,
    int LeanConnected,
    int Resynchronised,
    double DownSeconds,
    double BackMedianSeconds,
    double BackLastSeconds,
    double ResyncMedianSeconds,
    double ResyncLastSeconds,
    double KillToLastResyncSeconds,
    double GeneratorCpuMsPerTablet)
{
    public bool AllBack => Connected > 0 && Resynchronised == Connected;

    public string Line() => string.Create(CultureInfo.InvariantCulture,
        $"| {Scenario} | {Connected} ({LeanConnected} lean) | {Resynchronised} | {DownSeconds:0.00} s | {BackMedianSeconds:0.00} s | {BackLastSeconds:0.00} s | {ResyncMedianSeconds:0.00} s | {ResyncLastSeconds:0.00} s | {KillToLastResyncSeconds:0.00} s | {GeneratorCpuMsPerTablet:0.00} |");

    public const string Header = "| scenario | tablets connected | back and resynchronised | kill to ready | back median | back last | resync median | resync last | kill to last resync | generator CPU ms/tablet |\n|---|---|---|---|---|---|---|---|---|---|";
}

/// <summary>
/// The hall's tablets after a crash: they connect and stay idle, the server is killed with SIGKILL, and each tablet
/// comes back on the tablet's schedule and reads a snapshot, as the tablet app does. The crash is the caller's: from
/// the command line it kills the server's process and deploy/bench.sh, waiting for it to die, starts it again; a
/// test kills and restarts its own server. This times the return. Most tablets are
/// <see cref="LeanTablets"/>, the first few (the control) the full SignalR client.
/// </summary>
public static class ReconnectStorm
{
    public static async Task<ReconnectSummary> RunAsync(Uri baseUrl, IReadOnlyList<string> tokens, Func<Task> crash, int control, int parallelism,
        string scenario, TextWriter progress, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(tokens);
        ArgumentNullException.ThrowIfNull(crash);
        ArgumentNullException.ThrowIfNull(progress);
        int full = Math.Min(control, tokens.Count);
        using var http = new HttpClient(new SocketsHttpHandler { UseCookies = false, MaxConnectionsPerServer = 256 }) { BaseAddress = baseUrl, Timeout = TimeSpan.FromSeconds(60) };
        http.DefaultRequestHeaders.Add(CongressVote.Shared.Routes.CsrfHeader, "1");

        progress.WriteLine($"[{scenario}] connecting {tokens.Count} tablets...");
        await using var controls = await IdleTablets.ConnectAsync(baseUrl, [.. tokens.Take(full)], parallelism, resync: true);
        var resynchronised = new ConcurrentDictionary<int, DateTime>();
        var back = new ConcurrentDictionary<int, DateTime>();
        await using var lean = await LeanTablets.ConnectAsync(baseUrl, http, [.. tokens.Skip(full)], parallelism, cancellationToken: cancellationToken);
        // Lean tablets are numbered after the controls; the latest event of each tablet counts.
        lean.ResyncOnReconnect = true;
        lean.Reconnected = (i, at) => back[full + i] = at;
        lean.Resynchronised = (i, at) => resynchronised[full + i] = at;
        int leanConnected = lean.Connected;
        int connected = controls.Connected + leanConnected;
        progress.WriteLine($"[{scenario}] {connected} connected ({leanConnected} lean); killing the server");

        double cpuBefore = Process.GetCurrentProcess().TotalProcessorTime.TotalMilliseconds;
        var killed = DateTime.UtcNow;
        await crash();

        var ready = await WaitReadyAsync(http, cancellationToken);
        progress.WriteLine($"[{scenario}] ready {(ready - killed).TotalSeconds:0.00} s after the kill");
        var deadline = ready.AddSeconds(90);
        while (DateTime.UtcNow < deadline && Count() < connected)
        {
            await Task.Delay(100, cancellationToken);
        }

        double cpu = Process.GetCurrentProcess().TotalProcessorTime.TotalMilliseconds - cpuBefore;
        foreach (var (tablet, at) in controls.Resynchronised)
        {
            resynchronised[tablet] = at;
        }

        var backTimes = back.Values.Concat(controls.Reconnections).Select(t => (t - ready).TotalSeconds).Order().ToList();
        var resyncTimes = resynchronised.Values.Select(t => (t - ready).TotalSeconds).Order().ToList();
        return new ReconnectSummary(scenario, tokens.Count, connected, leanConnected, resyncTimes.Count, (ready - killed).TotalSeconds,
            Median(backTimes), backTimes.LastOrDefault(), Median(resyncTimes), resyncTimes.LastOrDefault(),
            resyncTimes.Count == 0 ? 0 : resyncTimes[^1] + (ready - killed).TotalSeconds, cpu / Math.Max(1, connected));

        int Count() => resynchronised.Count + controls.Resynchronised.Select(r => r.Tablet).Distinct().Count();
    }

    /// <summary>SIGKILL: no graceful close, the sockets just die.</summary>
    public static Func<Task> Kill(int pid) => () =>
    {
        using var server = Process.GetProcessById(pid);
        server.Kill();
        return Task.CompletedTask;
    };

    private static double Median(List<double> sorted) => sorted.Count == 0 ? 0 : sorted[sorted.Count / 2];

    private static async Task<DateTime> WaitReadyAsync(HttpClient http, CancellationToken cancellationToken)
    {
        var giveUp = DateTime.UtcNow.AddMinutes(3);
        while (DateTime.UtcNow < giveUp)
        {
            try
            {
                using var response = await http.GetAsync(new Uri("/health/ready", UriKind.Relative), cancellationToken);
                if (response.IsSuccessStatusCode)
                {
                    return DateTime.UtcNow;
                }
            }
            catch (HttpRequestException)
            {
                // Not listening yet.
            }

            await Task.Delay(50, cancellationToken);
        }

        throw new TimeoutException("the server was not ready again within 3 minutes");
    }
}

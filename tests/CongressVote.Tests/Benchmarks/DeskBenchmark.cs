using System.Diagnostics;
using System.Globalization;
using System.Net.Http.Json;
using CongressVote.Shared;
using CongressVote.Tests.Infrastructure;

namespace CongressVote.Tests.Benchmarks;

/// <summary>
/// How long a desk waits for the answer to a scan (request to response, through the real endpoint into
/// PostgreSQL): 363 delegates checked in one after another, as at the door. A benchmark: runs only when asked.
/// </summary>
[Explicit("benchmark"), Category("Benchmark")]
public sealed class DeskBenchmark
{
    [Test]
    public async Task Scan_363_badges()
    {
        await using var server = await CongressServer.StartAsync();
        var access = await server.CreateCongressAsync(officialDelegates: 363, guests: 0, checkedIn: 0);
        using var desk = await server.SignInStaffAsync(access, "credentials");
        var times = new List<double>();
        foreach (var d in access.Delegates)
        {
            var clock = Stopwatch.StartNew();
            using var response = await desk.PostAsJsonAsync("/api/checkin/scan", new ScanRequest($"http://hall/t#{d.Token}", null, "Cửa 1"), TestJson.Options);
            var result = await response.Content.ReadFromJsonAsync<ScanResultDto>(TestJson.Options);
            times.Add(clock.Elapsed.TotalMilliseconds);
            Assert.That(result!.Outcome, Is.EqualTo(ScanOutcome.CheckedIn));
        }

        times.Sort();
        string line = string.Create(CultureInfo.InvariantCulture,
            $"scan 363 badges one after another: median {times[times.Count / 2]:F1} ms, p99 {times[(int)(times.Count * 0.99)]:F1} ms, max {times[^1]:F1} ms");
        TestContext.Out.WriteLine(line);
        await TestContext.Progress.WriteLineAsync(line);
    }
}

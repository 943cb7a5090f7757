using CongressVote.LoadGen;
using CongressVote.Tests.Infrastructure;

namespace CongressVote.Tests.Benchmarks;

/// <summary>
/// The load generator's CI-sized run: 363 delegates over real WebSockets, every acknowledged key looked up in
/// PostgreSQL. It fails on a lost or duplicated ballot, never on a timing (timings are for docs/benchmarks.md).
/// Most tablets speak the hub protocol over bare sockets, as in deploy/bench.sh; a few keep the SignalR client,
/// and both kinds must have every ballot recorded, so a mistake in the bare protocol fails here.
/// </summary>
// Heavy (many sockets, a saturated CPU) or timing-sensitive: runs alone, never beside the browser tests.
[NonParallelizable]
public sealed class LoadSmokeTests
{
    [Test, CancelAfter(300_000)]
    public async Task A_burst_of_363_delegates_on_bare_sockets_and_the_full_client_loses_and_duplicates_no_acknowledged_ballot()
    {
        await using var server = await CongressServer.StartAsync();
        var access = await server.CreateCongressAsync(officialDelegates: 363, guests: 0);
        var run = new LoadRun(LoadRuns.For(server.BaseAddress, access, server.ConnectionString, "smoke 363") with { Lean = true, Control = 63 });

        var summary = await run.RunAsync();
        await TestContext.Out.WriteLineAsync(LoadRun.Table([summary]));

        Assert.Multiple(() =>
        {
            Assert.That(summary.Connected, Is.EqualTo(363));
            Assert.That(summary.LeanConnected, Is.EqualTo(300), "all but the 63 controls on bare sockets");
            Assert.That(summary.Acknowledged, Is.EqualTo(363), () => string.Join(", ", run.Refusals.Select(r => $"{r.Key}: {r.Value}")));
            Assert.That(summary.Lost, Is.Zero);
            Assert.That(summary.Duplicated, Is.Zero);
            Assert.That(summary.VerifiedBy, Is.EqualTo("database"));
        });
    }

    [Test, CancelAfter(300_000)]
    public async Task A_steady_run_across_several_polls_loses_and_duplicates_nothing()
    {
        await using var server = await CongressServer.StartAsync();
        var access = await server.CreateCongressAsync(officialDelegates: 100, guests: 0);
        var run = new LoadRun(LoadRuns.For(server.BaseAddress, access, server.ConnectionString, "smoke steady") with
        {
            Lean = true,
            Control = 20,
            Timing = CastTiming.Steady,
            Rate = 200,
            Duration = TimeSpan.FromSeconds(2),
        });

        var summary = await run.RunAsync();
        await TestContext.Out.WriteLineAsync(LoadRun.Table([summary]));

        Assert.Multiple(() =>
        {
            Assert.That(summary.Polls, Is.GreaterThanOrEqualTo(2), "100 delegates at 200 a second need a new poll every half second");
            Assert.That(summary.Acknowledged, Is.EqualTo(summary.Attempted), () => string.Join(", ", run.Refusals.Select(r => $"{r.Key}: {r.Value}")));
            Assert.That(summary.Lost, Is.Zero);
            Assert.That(summary.Duplicated, Is.Zero);
        });
    }
}

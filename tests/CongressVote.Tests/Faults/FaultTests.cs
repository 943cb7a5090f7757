using System.Collections.Concurrent;
using CongressVote.LoadGen;
using CongressVote.Server.Demo;
using CongressVote.Shared;
using CongressVote.Tests.Infrastructure;
using Microsoft.AspNetCore.SignalR.Client;
using Npgsql;

namespace CongressVote.Tests.Faults;

/// <summary>
/// Nothing acknowledged is ever lost, nothing is stored twice: ballots cast while the server is killed, PostgreSQL
/// crashes, or database connections are cut. The load generator records every acknowledged key; afterwards each is
/// looked up in PostgreSQL. Loopback only, bounded; docs/reliability.md has the figures.
/// </summary>
[Category("Fault")]
// Heavy (many sockets, a saturated CPU) or timing-sensitive: runs alone, never beside the browser tests.
[NonParallelizable]
public sealed class FaultTests
{
    // No projector: these runs count what is stored, not what the hall sees.
    private static LoadOptions Options(Uri server, DemoAccess access, string database, string scenario, int burstSeconds) =>
        LoadRuns.For(server, access, database, scenario) with
        {
            ProjectorCode = null,
            BurstWindow = TimeSpan.FromSeconds(burstSeconds),
            CastDeadline = TimeSpan.FromSeconds(150),
        };

    private static async Task<long> CountAsync(string connectionString, string sql)
    {
        await using var connection = new NpgsqlConnection(new NpgsqlConnectionStringBuilder(connectionString) { Pooling = false }.ConnectionString);
        await connection.OpenAsync();
        await using var command = new NpgsqlCommand(sql, connection);
        return (long)(await command.ExecuteScalarAsync())!;
    }

    private static void Report(string fault, int injected, LoadSummary summary, IReadOnlyDictionary<string, int> refusals) =>
        TestContext.Out.WriteLine(
            $"| {fault} | {injected} | {summary.Connected} | {summary.Acknowledged} | {summary.Lost} | {summary.Duplicated} | {summary.AckP99Ms:0} ms | {string.Join(", ", refusals.Select(r => $"{r.Key} {r.Value}"))} |");

    [Test, CancelAfter(420_000)]
    public async Task Killing_the_server_five_times_during_a_2000_ballot_burst_loses_and_duplicates_nothing()
    {
        await using var node = await PublishedServer.StartAsync();
        var access = await node.CreateCongressAsync(officialDelegates: 2000);
        var run = new LoadRun(Options(node.BaseAddress, access, node.ConnectionString, "kill -9 ×5", burstSeconds: 25));
        var running = run.RunAsync();

        // Five kill -9 while ballots arrive, each followed by a restart on the same port, then one graceful stop
        // (SIGTERM: the ballot box finishes what it holds, takes nothing new) and a last restart.
        await Machine.WaitForOpenPollAsync(node.ConnectionString, access.CongressId);
        int faults = 0;
        for (int kill = 0; kill < 5; kill++)
        {
            await Task.Delay(Random.Shared.Next(1000, 2500));
            await node.KillAsync();
            faults++;
            await node.StartProcessAsync();
        }

        await Task.Delay(1000);
        await node.TerminateAsync();
        faults++;
        await node.StartProcessAsync();

        var summary = await running;
        Report("server killed (kill -9 ×5, SIGTERM ×1)", faults, summary, run.Refusals);
        Assert.Multiple(async () =>
        {
            Assert.That(summary.Lost, Is.Zero, "every acknowledged key is in the database");
            Assert.That(summary.Duplicated, Is.Zero);
            Assert.That(summary.Acknowledged, Is.EqualTo(2000), "every client reconnected and finished");
            Assert.That(await CountAsync(node.ConnectionString, "SELECT count(*) FROM poll_voter"), Is.EqualTo(2000));
            Assert.That(await CountAsync(node.ConnectionString, "SELECT count(*) FROM ballot"), Is.EqualTo(2000));
        });
    }

    [Test, CancelAfter(300_000)]
    public async Task Crashing_PostgreSQL_mid_burst_loses_and_duplicates_nothing()
    {
        await using var cluster = await PrivateCluster.StartAsync();
        string database = cluster.ConnectionString("congressvote");
        await using var node = await PublishedServer.StartAsync(database);
        var access = await node.CreateCongressAsync(officialDelegates: 500);
        var run = new LoadRun(Options(node.BaseAddress, access, database, "postgres -m immediate", burstSeconds: 8));
        var running = run.RunAsync();

        await Machine.WaitForOpenPollAsync(database, access.CongressId);
        await Task.Delay(2000);
        await cluster.CrashAsync();
        await Task.Delay(2000);
        await cluster.StartAgainAsync();

        var summary = await running;
        Report("PostgreSQL stopped -m immediate", 1, summary, run.Refusals);
        Assert.Multiple(async () =>
        {
            Assert.That(summary.Lost, Is.Zero);
            Assert.That(summary.Duplicated, Is.Zero);
            Assert.That(summary.Acknowledged, Is.EqualTo(500));
            Assert.That(await CountAsync(database, "SELECT count(*) FROM ballot"), Is.EqualTo(500));
        });
    }

    [Test, CancelAfter(300_000)]
    public async Task Terminating_the_servers_database_connections_mid_burst_loses_and_duplicates_nothing()
    {
        await using var server = await CongressServer.StartAsync();
        var access = await server.CreateCongressAsync(officialDelegates: 800, guests: 0);
        var run = new LoadRun(Options(server.BaseAddress, access, server.ConnectionString, "pg_terminate_backend", burstSeconds: 6));
        var running = run.RunAsync();

        await Machine.WaitForOpenPollAsync(server.ConnectionString, access.CongressId);
        int terminated = 0;
        await using (var admin = new NpgsqlConnection(server.ConnectionString))
        {
            await admin.OpenAsync();
            for (int round = 0; round < 6; round++)
            {
                await Task.Delay(700);
                await using var kill = new NpgsqlCommand(
                    "SELECT count(pg_terminate_backend(pid)) FROM pg_stat_activity WHERE datname = current_database() AND pid <> pg_backend_pid()", admin);
                terminated += (int)(long)(await kill.ExecuteScalarAsync())!;
            }
        }

        var summary = await running;
        Report("pg_terminate_backend", terminated, summary, run.Refusals);
        Assert.Multiple(() =>
        {
            Assert.That(terminated, Is.GreaterThan(0), "connections were cut");
            Assert.That(summary.Lost, Is.Zero);
            Assert.That(summary.Duplicated, Is.Zero);
            Assert.That(summary.Acknowledged, Is.EqualTo(800));
        });
    }

    [Test, CancelAfter(300_000)]
    public async Task Ten_thousand_submissions_with_repeated_keys_store_one_ballot_each()
    {
        await using var server = await CongressServer.StartAsync();
        var access = await server.CreateCongressAsync(officialDelegates: 500, guests: 0);
        var poll = await server.OpenPollAsync(access);
        var hubs = await Task.WhenAll(access.Delegates.Select(d => server.ConnectDelegateAsync(d.Token)));
        var answers = new ConcurrentBag<CastResult>();
        try
        {
            // Each delegate sends the same ballot (same key) 20 times at once: a tablet retrying on a bad link.
            await Task.WhenAll(hubs.Select(async (hub, i) =>
            {
                var ballot = new CastRequest(poll.Id, i % 3 == 0 ? VoteChoice.No : VoteChoice.Yes, Guid.NewGuid());
                var results = await Task.WhenAll(Enumerable.Range(0, 20).Select(_ => hub.InvokeAsync<CastResult>(nameof(ICongressHub.Cast), ballot)));
                foreach (var result in results)
                {
                    answers.Add(result);
                }
            }));
        }
        finally
        {
            await Task.WhenAll(hubs.Select(h => h.DisposeAsync().AsTask()));
        }

        var closed = await server.ClosePollAsync(access, poll.Id);
        TestContext.Out.WriteLine($"| repeated keys | {answers.Count} submissions | 500 | {answers.Count(a => a.Status == CastStatus.Recorded)} recorded answers | 0 | {closed.Result!.Yes + closed.Result.No - 500} |");
        Assert.Multiple(async () =>
        {
            Assert.That(answers, Has.Count.EqualTo(10_000));
            Assert.That(answers.Select(a => a.Status), Is.All.EqualTo(CastStatus.Recorded), "a retry gets the first answer again");
            Assert.That(await server.CountAsync("SELECT count(*) FROM ballot WHERE poll_id = $1", poll.Id), Is.EqualTo(500));
            Assert.That(closed.Result.Yes + closed.Result.No, Is.EqualTo(500));
        });
    }
}

public sealed class ReconnectTests
{
    /// <summary>
    /// The hall's tablets after a crash: every one back on its own, and how long after the restarted server was ready
    /// the last one came back (docs/benchmarks.md; printed, not asserted: this machine is shared). 363 tablets here;
    /// CONGRESSVOTE_RECONNECT_TABLETS=2000 for the full-size run.
    /// </summary>
    [Test, CancelAfter(300_000)]
    public async Task After_a_server_crash_every_tablet_comes_back_by_itself()
    {
        int count = int.TryParse(Environment.GetEnvironmentVariable("CONGRESSVOTE_RECONNECT_TABLETS"), out int given) ? given : 363;
        await using var node = await PublishedServer.StartAsync();
        var access = await node.CreateCongressAsync(officialDelegates: count);
        await using var tablets = await IdleTablets.ConnectAsync(node.BaseAddress, [.. access.Delegates.Select(d => d.Token)]);
        Assert.That(tablets.Connected, Is.EqualTo(count));

        await node.KillAsync();
        var restarted = DateTime.UtcNow;
        await node.StartProcessAsync();
        // Seen ready by polling /health/ready: tablets may be back a moment before the poll notices.
        var ready = DateTime.UtcNow;
        var deadline = ready.AddSeconds(60);
        while (tablets.Reconnections.Count < count && DateTime.UtcNow < deadline)
        {
            await Task.Delay(100);
        }

        var back = tablets.Reconnections.Select(r => (r - ready).TotalSeconds).Order().ToList();
        TestContext.Out.WriteLine(
            $"{count} tablets: {back.Count} back; server ready {(ready - restarted).TotalSeconds:0.00} s after the restart; " +
            $"tablets back (from ready) median {back[back.Count / 2]:0.00} s, last {back[^1]:0.00} s");
        Assert.Multiple(() =>
        {
            Assert.That(back, Has.Count.EqualTo(count), "every tablet reconnected by itself");
            Assert.That(tablets.Connected, Is.EqualTo(count));
        });
    }
}

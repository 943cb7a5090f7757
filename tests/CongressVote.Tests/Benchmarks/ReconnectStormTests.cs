using CongressVote.LoadGen;
using CongressVote.Tests.Infrastructure;

namespace CongressVote.Tests.Benchmarks;

/// <summary>
/// The benchmark suite's reconnect storm at the hall's size, so the bare-socket tablets' way back (reconnect
/// schedule, handshake, snapshot asked again after an error) runs in CI as well as the .NET client's. Fails only
/// when a tablet never comes back; the times are printed for docs/benchmarks.md, not asserted.
/// </summary>
// Kills and restarts a published server under hundreds of sockets: runs alone.
[NonParallelizable]
public sealed class ReconnectStormTests
{
    [Test, CancelAfter(300_000)]
    public async Task After_a_kill_9_every_bare_socket_and_full_client_tablet_is_back_and_has_read_its_snapshot()
    {
        await using var node = await PublishedServer.StartAsync();
        var access = await node.CreateCongressAsync(officialDelegates: 363);

        var storm = await ReconnectStorm.RunAsync(node.BaseAddress, [.. access.Delegates.Select(d => d.Token)], async () =>
        {
            await node.KillAsync();
            await node.StartProcessAsync();
        }, control: 63, parallelism: 32, "reconnect 363", TestContext.Progress, CancellationToken.None);
        await TestContext.Out.WriteLineAsync(ReconnectSummary.Header + "\n" + storm.Line());

        Assert.Multiple(() =>
        {
            Assert.That(storm.Connected, Is.EqualTo(363));
            Assert.That(storm.LeanConnected, Is.EqualTo(300), "all but the 63 controls on bare sockets");
            Assert.That(storm.Resynchronised, Is.EqualTo(363), "every tablet back with a snapshot it read");
        });
    }
}

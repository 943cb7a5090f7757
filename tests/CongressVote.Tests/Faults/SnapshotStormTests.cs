using CongressVote.Shared;
using CongressVote.Tests.Infrastructure;
using Microsoft.AspNetCore.SignalR.Client;

namespace CongressVote.Tests.Faults;

/// <summary>
/// After a restart every tablet asks for a snapshot at once. The server reads only a few at a time, so a small
/// connection pool is never exhausted: every tablet gets its snapshot and a ballot cast meanwhile is stored.
/// </summary>
public sealed class SnapshotStormTests
{
    [Test, CancelAfter(240_000)]
    public async Task Four_hundred_tablets_asking_for_a_snapshot_at_once_all_get_one_from_a_pool_of_twelve_connections()
    {
        // A pool of 12 that gives up after 2 s: 400 snapshots of six queries each, read all at once, would wait longer.
        string connectionString = await TestDatabase.CreateAsync() + ";Maximum Pool Size=12;Timeout=2";
        await using var server = await CongressServer.StartAsync(connectionString: connectionString);
        var access = await server.CreateCongressAsync(officialDelegates: 400, guests: 0);
        var poll = await server.OpenPollAsync(access);
        var tablets = new List<HubConnection>();
        foreach (var chunk in access.Delegates.Chunk(25))
        {
            tablets.AddRange(await Task.WhenAll(chunk.Select(d => server.ConnectDelegateAsync(d.Token))));
        }

        try
        {
            var storm = tablets.Skip(1).Select(t => t.InvokeAsync<CongressSnapshotDto>(nameof(ICongressHub.Snapshot))).ToList();
            var ballot = await tablets[0].InvokeAsync<CastResult>(nameof(ICongressHub.Cast), new CastRequest(poll.Id, VoteChoice.Yes, Guid.NewGuid()));
            var snapshots = await Task.WhenAll(storm);

            Assert.Multiple(async () =>
            {
                Assert.That(snapshots, Has.Length.EqualTo(399));
                Assert.That(snapshots.Select(s => s.CurrentPoll?.Id), Is.All.EqualTo(poll.Id), "every tablet sees the open vote");
                Assert.That(ballot.Status, Is.EqualTo(CastStatus.Recorded), "a ballot cast during the storm is stored");
                Assert.That(await server.CountAsync("SELECT count(*) FROM poll_voter WHERE poll_id = $1", poll.Id), Is.EqualTo(1));
            });
        }
        finally
        {
            await Task.WhenAll(tablets.Select(t => t.DisposeAsync().AsTask()));
        }
    }
}

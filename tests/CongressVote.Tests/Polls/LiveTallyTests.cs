using System.Collections.Concurrent;
using System.Net.Http.Json;
using CongressVote.Shared;
using CongressVote.Tests.Infrastructure;
using Microsoft.AspNetCore.SignalR.Client;

namespace CongressVote.Tests.Polls;

/// <summary>
/// The hall screen's live tally is added up in memory from the stored batches and recounted in PostgreSQL when due.
/// These tests hold it to the database: never ahead of the stored ballots, consistent within itself, and equal to the
/// database's count once ballots stop, including after a vote that moved from one option to another.
/// </summary>
public sealed class LiveTallyTests
{
    private CongressServer _server = default!;

    [OneTimeSetUp]
    public async Task StartServer() => _server = await CongressServer.StartAsync();

    [OneTimeTearDown]
    public async Task StopServer() => await _server.DisposeAsync();

    private static async Task<TallyDto> WaitForAsync(ConcurrentQueue<TallyDto> tallies, Func<TallyDto, bool> done)
    {
        var deadline = DateTime.UtcNow.AddSeconds(10);
        while (DateTime.UtcNow < deadline && !(tallies.LastOrDefault() is { } last && done(last)))
        {
            await Task.Delay(50);
        }

        return tallies.Last();
    }

    [Test, CancelAfter(120_000)]
    public async Task Live_tallies_during_waves_of_ballots_never_run_ahead_of_the_stored_ones_and_end_equal_to_the_database()
    {
        var access = await _server.CreateCongressAsync(officialDelegates: 150, guests: 0);
        var poll = await _server.OpenPollAsync(access);
        await using var projector = await _server.ConnectProjectorAsync(access.ProjectorCode);
        var tallies = new ConcurrentQueue<TallyDto>();
        projector.On<TallyDto>(nameof(ICongressClient.TallyChanged), tallies.Enqueue);
        var delegates = await Task.WhenAll(access.Delegates.Select(d => _server.ConnectDelegateAsync(d.Token)));
        try
        {
            // Three waves with pauses longer than a push interval, so figures added up in memory and recounts both go out.
            var choices = Enumerable.Range(0, delegates.Length).Select(i => (VoteChoice)(i % 5 == 0 ? 1 : i % 9 == 0 ? 2 : 0)).ToArray();
            foreach (var wave in delegates.Select((hub, i) => (hub, i)).Chunk(50))
            {
                var results = await Task.WhenAll(wave.Select(d =>
                    d.hub.InvokeAsync<CastResult>(nameof(ICongressHub.Cast), new CastRequest(poll.Id, choices[d.i], Guid.NewGuid()))));
                Assert.That(results.Select(r => r.Status), Is.All.EqualTo(CastStatus.Recorded));
                await Task.Delay(400);
            }

            var last = await WaitForAsync(tallies, t => t.Turnout == 150);
            long yes = await _server.CountAsync("SELECT count(*) FROM ballot WHERE poll_id = $1 AND choice = 0", poll.Id);
            long no = await _server.CountAsync("SELECT count(*) FROM ballot WHERE poll_id = $1 AND choice = 1", poll.Id);
            long abstain = await _server.CountAsync("SELECT count(*) FROM ballot WHERE poll_id = $1 AND choice = 2", poll.Id);
            var seen = tallies.Where(t => t.PollId == poll.Id && t.Counts is not null).ToList();
            Assert.Multiple(() =>
            {
                Assert.That(last.Counts, Is.EqualTo(new[] { (int)yes, (int)no, (int)abstain }), "the last tally is the database's count");
                Assert.That(seen, Has.Count.GreaterThan(2), "the screen saw the tally grow wave by wave");
                foreach (var tally in seen)
                {
                    Assert.That(tally.Counts!.Sum(), Is.EqualTo(tally.Turnout), "each tally adds up to its own turnout");
                    Assert.That(tally.Counts![0] <= yes && tally.Counts[1] <= no && tally.Counts[2] <= abstain, Is.True,
                        $"a tally never shows more than was stored: {string.Join(", ", tally.Counts)}");
                    Assert.That(tally.Entitled, Is.EqualTo(150));
                }

                Assert.That(seen.Select(t => t.Turnout), Is.Ordered, "turnout only grows while the vote is open");
            });
        }
        finally
        {
            await Task.WhenAll(delegates.Select(d => d.DisposeAsync().AsTask()));
        }
    }

    [Test, CancelAfter(60_000)]
    public async Task A_changed_vote_moves_the_live_tally_from_the_old_option_to_the_new_one()
    {
        var access = await _server.CreateCongressAsync(officialDelegates: 3, guests: 0);
        using var staff = await _server.SignInStaffAsync(access);
        await using var projector = await _server.ConnectProjectorAsync(access.ProjectorCode);
        var item = (await projector.InvokeAsync<CongressSnapshotDto>(nameof(ICongressHub.Snapshot))).Agenda[0];
        using var created = await staff.PostAsJsonAsync("/api/polls", new MotionEditDto(item.Id, "Biểu quyết có thể đổi", "", false, true, null, true, null), TestJson.Options);
        var motion = (await created.EnsureSuccessStatusCode().Content.ReadFromJsonAsync<PollDto>(TestJson.Options))!;
        (await staff.PostAsync(Routes.OpenPoll(motion.Id), null)).EnsureSuccessStatusCode();
        var tallies = new ConcurrentQueue<TallyDto>();
        projector.On<TallyDto>(nameof(ICongressClient.TallyChanged), tallies.Enqueue);
        await using var hub = await _server.ConnectDelegateAsync(access.Delegates[0].Token);

        await hub.InvokeAsync<CastResult>(nameof(ICongressHub.Cast), new CastRequest(motion.Id, VoteChoice.No, Guid.NewGuid()));
        var before = await WaitForAsync(tallies, t => t.Counts is [0, 1, 0]);
        await hub.InvokeAsync<CastResult>(nameof(ICongressHub.Cast), new CastRequest(motion.Id, VoteChoice.Yes, Guid.NewGuid()));
        var after = await WaitForAsync(tallies, t => t.Counts is [1, 0, 0]);

        Assert.Multiple(() =>
        {
            Assert.That(before.Counts, Is.EqualTo(new[] { 0, 1, 0 }));
            Assert.That(after.Counts, Is.EqualTo(new[] { 1, 0, 0 }), "the No became a Yes on the hall screen");
            Assert.That(after.Turnout, Is.EqualTo(1), "one delegate, one vote");
        });
    }

    [Test, CancelAfter(60_000)]
    public async Task Every_tablet_asking_at_once_after_a_secret_vote_closes_gets_its_counts_and_while_open_only_turnout()
    {
        var access = await _server.CreateCongressAsync(officialDelegates: 20, guests: 0);
        using var staff = await _server.SignInStaffAsync(access);
        var delegates = await Task.WhenAll(access.Delegates.Select(d => _server.ConnectDelegateAsync(d.Token)));
        try
        {
            var item = (await delegates[0].InvokeAsync<CongressSnapshotDto>(nameof(ICongressHub.Snapshot))).Agenda[1];
            using var created = await staff.PostAsJsonAsync("/api/polls", new MotionEditDto(item.Id, "Phiếu kín", "", true, true, null), TestJson.Options);
            var motion = (await created.EnsureSuccessStatusCode().Content.ReadFromJsonAsync<PollDto>(TestJson.Options))!;
            (await staff.PostAsync(Routes.OpenPoll(motion.Id), null)).EnsureSuccessStatusCode();
            for (int i = 0; i < delegates.Length; i++)
            {
                var result = await delegates[i].InvokeAsync<CastResult>(nameof(ICongressHub.Cast),
                    new CastRequest(motion.Id, i % 4 == 0 ? VoteChoice.No : VoteChoice.Yes, Guid.NewGuid()));
                Assert.That(result.Status, Is.EqualTo(CastStatus.Recorded));
            }

            var whileOpen = await Task.WhenAll(delegates.Select(d => d.InvokeAsync<CongressSnapshotDto>(nameof(ICongressHub.Snapshot))));
            (await staff.PostAsync(Routes.ClosePoll(motion.Id), null)).EnsureSuccessStatusCode();
            // Every tablet at once, as after a restart: the closed poll's tally is counted once and served to all.
            var afterClose = await Task.WhenAll(delegates.Select(d => d.InvokeAsync<CongressSnapshotDto>(nameof(ICongressHub.Snapshot))));

            long yes = await _server.CountAsync("SELECT count(*) FROM ballot WHERE poll_id = $1 AND choice = 0", motion.Id);
            long no = await _server.CountAsync("SELECT count(*) FROM ballot WHERE poll_id = $1 AND choice = 1", motion.Id);
            Assert.Multiple(() =>
            {
                Assert.That(whileOpen.Select(s => s.Tally?.Counts), Is.All.Null, "a secret vote shows turnout only while open");
                Assert.That(whileOpen.Select(s => s.Tally?.Turnout), Is.All.EqualTo(20));
                Assert.That((yes, no), Is.EqualTo((15L, 5L)), "the ballots were unsealed at close");
                Assert.That(afterClose.Select(s => s.Tally?.Counts), Is.All.EqualTo(new[] { (int)yes, (int)no, 0 }),
                    "every snapshot after the close has the counts from the database, none the open poll's hidden ones");
            });
        }
        finally
        {
            await Task.WhenAll(delegates.Select(d => d.DisposeAsync().AsTask()));
        }
    }
}

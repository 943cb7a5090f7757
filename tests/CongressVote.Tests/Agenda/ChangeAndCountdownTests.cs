using System.Net;
using System.Net.Http.Json;
using CongressVote.Shared;
using CongressVote.Tests.Infrastructure;
using Microsoft.AspNetCore.SignalR.Client;

namespace CongressVote.Tests.Agenda;

public sealed class ChangeAndCountdownTests
{
    private CongressServer _server = default!;

    [OneTimeSetUp]
    public async Task StartServer() => _server = await CongressServer.StartAsync();

    [OneTimeTearDown]
    public async Task StopServer() => await _server.DisposeAsync();

    private async Task<(Server.Demo.DemoAccess Access, HttpClient Staff, PollDto Motion)> MotionAsync(bool secret, bool allowChange, int? countdown = null)
    {
        var access = await _server.CreateCongressAsync(officialDelegates: 3, guests: 0);
        var staff = await _server.SignInStaffAsync(access);
        await using var projector = await _server.ConnectProjectorAsync(access.ProjectorCode);
        var item = (await projector.InvokeAsync<CongressSnapshotDto>(nameof(ICongressHub.Snapshot))).Agenda[0];
        using var created = await staff.PostAsJsonAsync("/api/polls", new MotionEditDto(item.Id, "Biểu quyết thử", "", secret, true, null, allowChange, countdown), TestJson.Options);
        created.EnsureSuccessStatusCode();
        return (access, staff, (await created.Content.ReadFromJsonAsync<PollDto>(TestJson.Options))!);
    }

    [Test]
    public async Task Where_the_vote_allows_it_a_delegate_changes_their_vote_before_close_and_only_the_last_choice_counts()
    {
        var (access, staff, motion) = await MotionAsync(secret: false, allowChange: true);
        (await staff.PostAsync(Routes.OpenPoll(motion.Id), null)).EnsureSuccessStatusCode();
        await using var hub = await _server.ConnectDelegateAsync(access.Delegates[0].Token);

        var first = await hub.InvokeAsync<CastResult>(nameof(ICongressHub.Cast), new CastRequest(motion.Id, VoteChoice.No, Guid.NewGuid()));
        var changed = await hub.InvokeAsync<CastResult>(nameof(ICongressHub.Cast), new CastRequest(motion.Id, VoteChoice.Yes, Guid.NewGuid()));
        using var close = await staff.PostAsync(Routes.ClosePoll(motion.Id), null);
        var result = (await close.Content.ReadFromJsonAsync<PollDto>(TestJson.Options))!.Result!;
        var afterClose = await hub.InvokeAsync<CastResult>(nameof(ICongressHub.Cast), new CastRequest(motion.Id, VoteChoice.No, Guid.NewGuid()));

        Assert.Multiple(async () =>
        {
            Assert.That((first.Status, changed.Status), Is.EqualTo((CastStatus.Recorded, CastStatus.Recorded)));
            Assert.That((result.Yes, result.No), Is.EqualTo((1, 0)));
            Assert.That(await _server.CountAsync("SELECT count(*) FROM ballot WHERE poll_id = $1", motion.Id), Is.EqualTo(1));
            Assert.That(afterClose.Status, Is.EqualTo(CastStatus.AlreadyVoted), "no change after close");
        });
        staff.Dispose();
    }

    [Test]
    public async Task Without_the_option_a_second_choice_is_refused()
    {
        var (access, staff, motion) = await MotionAsync(secret: false, allowChange: false);
        (await staff.PostAsync(Routes.OpenPoll(motion.Id), null)).EnsureSuccessStatusCode();
        await using var hub = await _server.ConnectDelegateAsync(access.Delegates[0].Token);

        await hub.InvokeAsync<CastResult>(nameof(ICongressHub.Cast), new CastRequest(motion.Id, VoteChoice.No, Guid.NewGuid()));
        var second = await hub.InvokeAsync<CastResult>(nameof(ICongressHub.Cast), new CastRequest(motion.Id, VoteChoice.Yes, Guid.NewGuid()));

        Assert.That(second.Status, Is.EqualTo(CastStatus.AlreadyVoted));
        staff.Dispose();
    }

    [Test]
    public async Task A_secret_vote_cannot_allow_changes()
    {
        var access = await _server.CreateCongressAsync(officialDelegates: 2, guests: 0);
        using var staff = await _server.SignInStaffAsync(access);
        await using var projector = await _server.ConnectProjectorAsync(access.ProjectorCode);
        var item = (await projector.InvokeAsync<CongressSnapshotDto>(nameof(ICongressHub.Snapshot))).Agenda[0];

        using var response = await staff.PostAsJsonAsync("/api/polls", new MotionEditDto(item.Id, "Kín", "", true, true, null, AllowChange: true), TestJson.Options);

        Assert.Multiple(async () =>
        {
            Assert.That(response.StatusCode, Is.EqualTo(HttpStatusCode.BadRequest));
            Assert.That(await response.Content.ReadAsStringAsync(), Does.Contain("secret_cannot_change"));
        });
    }

    [Test, CancelAfter(30_000)]
    public async Task A_vote_with_a_countdown_closes_by_itself_and_every_screen_hears_it()
    {
        var (access, staff, motion) = await MotionAsync(secret: false, allowChange: false, countdown: 60);
        await using var projector = await _server.ConnectProjectorAsync(access.ProjectorCode);
        var closed = new TaskCompletionSource<PollDto>();
        projector.On<PollDto>(nameof(ICongressClient.PollChanged), p =>
        {
            if (p.Id == motion.Id && p.State == PollState.Closed)
            {
                closed.TrySetResult(p);
            }
        });
        using var opened = await staff.PostAsync(Routes.OpenPoll(motion.Id), null);
        var open = (await opened.Content.ReadFromJsonAsync<PollDto>(TestJson.Options))!;
        // Bring the end forward rather than wait a minute.
        await _server.CountAsync("WITH u AS (UPDATE poll SET closes_at = now() + interval '1 second' WHERE id = $1 RETURNING 1) SELECT count(*) FROM u", motion.Id);

        var result = await closed.Task.WaitAsync(TimeSpan.FromSeconds(10));

        Assert.Multiple(async () =>
        {
            Assert.That(open.ClosesAt, Is.EqualTo(DateTimeOffset.UtcNow.AddSeconds(60)).Within(TimeSpan.FromSeconds(15)));
            Assert.That(result.Result, Is.Not.Null);
            Assert.That(await _server.CountAsync("SELECT count(*) FROM audit_event WHERE action = 'poll.close' AND actor = 'countdown' AND subject = $1::text", motion.Id), Is.EqualTo(1));
        });
        staff.Dispose();
    }
}

using System.Collections.Concurrent;
using System.Net;
using System.Net.Http.Json;
using CongressVote.Shared;
using CongressVote.Tests.Infrastructure;
using Microsoft.AspNetCore.SignalR;
using Microsoft.AspNetCore.SignalR.Client;

namespace CongressVote.Tests.Polls;

/// <summary>Casting over real WebSockets against the real server and PostgreSQL. Each test has a congress of its own.</summary>
public sealed class CastingTests
{
    private CongressServer _server = default!;

    [OneTimeSetUp]
    public async Task StartServer() => _server = await CongressServer.StartAsync();

    [OneTimeTearDown]
    public async Task StopServer() => await _server.DisposeAsync();

    [Test, CancelAfter(120_000)]
    public async Task All_363_delegates_voting_at_once_are_acknowledged_stored_once_and_seen_by_the_projector()
    {
        var access = await _server.CreateCongressAsync(officialDelegates: 363, guests: 0);
        var poll = await _server.OpenPollAsync(access);

        await using var projector = await _server.ConnectProjectorAsync(access.ProjectorCode);
        var tallies = new ConcurrentQueue<TallyDto>();
        projector.On<TallyDto>(nameof(ICongressClient.TallyChanged), tallies.Enqueue);

        var delegates = await Task.WhenAll(access.Delegates.Select(d => _server.ConnectDelegateAsync(d.Token)));
        try
        {
            // Everyone votes at once; choices vary so the per-option counts are checked too.
            var choices = Enumerable.Range(0, delegates.Length).Select(i => (VoteChoice)(i % 7 == 0 ? 1 : i % 11 == 0 ? 2 : 0)).ToArray();
            var results = await Task.WhenAll(delegates.Select((hub, i) =>
                hub.InvokeAsync<CastResult>(nameof(ICongressHub.Cast), new CastRequest(poll.Id, choices[i], Guid.NewGuid()))));

            Assert.That(results.Select(r => r.Status), Is.All.EqualTo(CastStatus.Recorded));
            Assert.That(await _server.CountAsync("SELECT count(*) FROM poll_voter WHERE poll_id = $1", poll.Id), Is.EqualTo(363));
            Assert.That(await _server.CountAsync("SELECT count(*) FROM ballot WHERE poll_id = $1", poll.Id), Is.EqualTo(363));

            // Tallies are coalesced; the projector's newest one must reach the database's count.
            int expectedYes = choices.Count(c => c == VoteChoice.Yes);
            var deadline = DateTime.UtcNow.AddSeconds(10);
            while (DateTime.UtcNow < deadline && tallies.LastOrDefault()?.Turnout != 363)
            {
                await Task.Delay(50);
            }

            var last = tallies.Last();
            Assert.Multiple(() =>
            {
                Assert.That(last.Turnout, Is.EqualTo(363));
                Assert.That(last.Counts![0], Is.EqualTo(expectedYes));
                Assert.That(tallies, Has.Count.LessThan(363), "tallies are coalesced, not one broadcast per ballot");
            });

            var closed = await _server.ClosePollAsync(access, poll.Id);
            Assert.Multiple(() =>
            {
                Assert.That(closed.State, Is.EqualTo(PollState.Closed));
                Assert.That(closed.Result!.Yes, Is.EqualTo(expectedYes));
                Assert.That(closed.Result.Yes + closed.Result.No + closed.Result.Abstain, Is.EqualTo(363));
                Assert.That(closed.Result.Passed, Is.EqualTo(expectedYes > 181));
            });
        }
        finally
        {
            await Task.WhenAll(delegates.Select(d => d.DisposeAsync().AsTask()));
        }
    }

    [Test]
    public async Task A_second_ballot_from_the_same_delegate_is_refused_and_stores_nothing()
    {
        var access = await _server.CreateCongressAsync();
        var poll = await _server.OpenPollAsync(access);
        await using var hub = await _server.ConnectDelegateAsync(access.Delegates[0].Token);

        var first = await hub.InvokeAsync<CastResult>(nameof(ICongressHub.Cast), new CastRequest(poll.Id, VoteChoice.Yes, Guid.NewGuid()));
        var second = await hub.InvokeAsync<CastResult>(nameof(ICongressHub.Cast), new CastRequest(poll.Id, VoteChoice.No, Guid.NewGuid()));

        await Assert.MultipleAsync(async () =>
        {
            Assert.That(first.Status, Is.EqualTo(CastStatus.Recorded));
            Assert.That(second.Status, Is.EqualTo(CastStatus.AlreadyVoted));
            Assert.That(await _server.CountAsync("SELECT count(*) FROM ballot WHERE poll_id = $1", poll.Id), Is.EqualTo(1));
            Assert.That(await _server.CountAsync("SELECT count(*) FROM ballot WHERE poll_id = $1 AND choice = 0", poll.Id), Is.EqualTo(1));
        });
    }

    [Test]
    public async Task Retrying_with_the_same_key_returns_the_same_answer_and_stores_nothing_new()
    {
        var access = await _server.CreateCongressAsync();
        var poll = await _server.OpenPollAsync(access);
        await using var hub = await _server.ConnectDelegateAsync(access.Delegates[0].Token);
        var request = new CastRequest(poll.Id, VoteChoice.Abstain, Guid.NewGuid());

        var first = await hub.InvokeAsync<CastResult>(nameof(ICongressHub.Cast), request);
        var retry = await hub.InvokeAsync<CastResult>(nameof(ICongressHub.Cast), request);

        await Assert.MultipleAsync(async () =>
        {
            Assert.That(retry, Is.EqualTo(first));
            Assert.That(retry.Status, Is.EqualTo(CastStatus.Recorded));
            Assert.That(await _server.CountAsync("SELECT count(*) FROM ballot WHERE poll_id = $1", poll.Id), Is.EqualTo(1));
        });
    }

    [Test]
    public async Task Concurrent_retries_of_one_key_store_one_ballot()
    {
        var access = await _server.CreateCongressAsync();
        var poll = await _server.OpenPollAsync(access);
        await using var hub = await _server.ConnectDelegateAsync(access.Delegates[0].Token);
        var request = new CastRequest(poll.Id, VoteChoice.Yes, Guid.NewGuid());

        var results = await Task.WhenAll(Enumerable.Range(0, 10).Select(_ => hub.InvokeAsync<CastResult>(nameof(ICongressHub.Cast), request)));

        await Assert.MultipleAsync(async () =>
        {
            Assert.That(results.Select(r => r.Status), Is.All.EqualTo(CastStatus.Recorded));
            Assert.That(await _server.CountAsync("SELECT count(*) FROM ballot WHERE poll_id = $1", poll.Id), Is.EqualTo(1));
        });
    }

    [Test]
    public async Task A_ballot_on_a_closed_poll_is_refused_with_a_reason_and_stores_nothing()
    {
        var access = await _server.CreateCongressAsync();
        var poll = await _server.OpenPollAsync(access);
        await _server.ClosePollAsync(access, poll.Id);
        await using var hub = await _server.ConnectDelegateAsync(access.Delegates[1].Token);

        var result = await hub.InvokeAsync<CastResult>(nameof(ICongressHub.Cast), new CastRequest(poll.Id, VoteChoice.Yes, Guid.NewGuid()));

        await Assert.MultipleAsync(async () =>
        {
            Assert.That(result.Status, Is.EqualTo(CastStatus.PollNotOpen));
            Assert.That(await _server.CountAsync("SELECT count(*) FROM ballot WHERE poll_id = $1", poll.Id), Is.Zero);
        });
    }

    [Test]
    public async Task A_ballot_on_a_draft_poll_is_refused()
    {
        var access = await _server.CreateCongressAsync();
        Guid draft = await _server.PollIdAsync(access, "Thông qua Nghị quyết");
        await using var hub = await _server.ConnectDelegateAsync(access.Delegates[0].Token);

        var result = await hub.InvokeAsync<CastResult>(nameof(ICongressHub.Cast), new CastRequest(draft, VoteChoice.Yes, Guid.NewGuid()));

        Assert.That(result.Status, Is.EqualTo(CastStatus.PollNotOpen));
    }

    [Test]
    public async Task A_ballot_for_an_unknown_poll_is_refused()
    {
        var access = await _server.CreateCongressAsync();
        await using var hub = await _server.ConnectDelegateAsync(access.Delegates[0].Token);

        var result = await hub.InvokeAsync<CastResult>(nameof(ICongressHub.Cast), new CastRequest(Guid.NewGuid(), VoteChoice.Yes, Guid.NewGuid()));

        Assert.That(result.Status, Is.EqualTo(CastStatus.UnknownPoll));
    }

    [Test]
    public async Task A_ballot_for_another_congress_poll_is_refused_as_unknown()
    {
        var mine = await _server.CreateCongressAsync();
        var other = await _server.CreateCongressAsync();
        var otherPoll = await _server.OpenPollAsync(other);
        await using var hub = await _server.ConnectDelegateAsync(mine.Delegates[0].Token);

        var result = await hub.InvokeAsync<CastResult>(nameof(ICongressHub.Cast), new CastRequest(otherPoll.Id, VoteChoice.Yes, Guid.NewGuid()));

        await Assert.MultipleAsync(async () =>
        {
            Assert.That(result.Status, Is.EqualTo(CastStatus.UnknownPoll));
            Assert.That(await _server.CountAsync("SELECT count(*) FROM ballot WHERE poll_id = $1", otherPoll.Id), Is.Zero);
        });
    }

    [Test]
    public async Task A_choice_that_is_not_an_option_is_refused_and_stores_nothing()
    {
        var access = await _server.CreateCongressAsync();
        var poll = await _server.OpenPollAsync(access);
        await using var hub = await _server.ConnectDelegateAsync(access.Delegates[0].Token);

        var result = await hub.InvokeAsync<CastResult>(nameof(ICongressHub.Cast), new CastRequest(poll.Id, (VoteChoice)7, Guid.NewGuid()));

        await Assert.MultipleAsync(async () =>
        {
            Assert.That(result.Status, Is.EqualTo(CastStatus.InvalidChoice));
            Assert.That(await _server.CountAsync("SELECT count(*) FROM ballot WHERE poll_id = $1", poll.Id), Is.Zero);
        });
    }

    [Test]
    public async Task Abstaining_is_refused_where_the_poll_does_not_offer_it()
    {
        var access = await _server.CreateCongressAsync();
        Guid pollId = await _server.PollIdAsync(access, "Thông qua Chương trình");
        await _server.CountAsync("WITH u AS (UPDATE poll SET allow_abstain = false WHERE id = $1 RETURNING 1) SELECT count(*) FROM u", pollId);
        await _server.OpenPollAsync(access);
        await using var hub = await _server.ConnectDelegateAsync(access.Delegates[0].Token);

        var result = await hub.InvokeAsync<CastResult>(nameof(ICongressHub.Cast), new CastRequest(pollId, VoteChoice.Abstain, Guid.NewGuid()));

        await Assert.MultipleAsync(async () =>
        {
            Assert.That(result.Status, Is.EqualTo(CastStatus.InvalidChoice));
            Assert.That(await _server.CountAsync("SELECT count(*) FROM poll_voter WHERE poll_id = $1", pollId), Is.Zero);
        });
    }

    [Test]
    public async Task A_guest_is_not_entitled_to_vote()
    {
        var access = await _server.CreateCongressAsync(officialDelegates: 5, guests: 1);
        var poll = await _server.OpenPollAsync(access);
        var guest = access.Delegates.Single(d => d.Code.StartsWith("KM", StringComparison.Ordinal));
        using (var desk = await _server.SignInStaffAsync(access))
        {
            (await desk.PostAsJsonAsync("/api/checkin/scan", new ScanRequest(guest.Token, null, "door 1"), TestJson.Options)).EnsureSuccessStatusCode();
        }

        await using var hub = await _server.ConnectDelegateAsync(guest.Token);

        var result = await hub.InvokeAsync<CastResult>(nameof(ICongressHub.Cast), new CastRequest(poll.Id, VoteChoice.Yes, Guid.NewGuid()));

        Assert.That(result.Status, Is.EqualTo(CastStatus.NotEntitled));
    }

    [Test]
    public async Task An_unknown_badge_token_is_refused_with_a_reason()
    {
        var (client, _) = _server.NewBrowserlessClient();
        using (client)
        {
            using var response = await client.PostAsJsonAsync(Routes.DelegateLogin, CongressServer.Login("AAAAAAAAAAAAAAAAAAAAAA"));
            var problem = await response.Content.ReadAsStringAsync();
            Assert.Multiple(() =>
            {
                Assert.That(response.StatusCode, Is.EqualTo(HttpStatusCode.Unauthorized));
                Assert.That(problem, Does.Contain("\"code\":\"unknown_token\""));
            });
        }
    }

    [TestCase("short")]
    [TestCase("AAAAAAAAAAAAAAAAAAAA/=")]
    [TestCase("")]
    public async Task A_malformed_badge_token_is_refused_with_a_reason(string token)
    {
        var (client, _) = _server.NewBrowserlessClient();
        using (client)
        {
            using var response = await client.PostAsJsonAsync(Routes.DelegateLogin, CongressServer.Login(token));
            await Assert.MultipleAsync(async () =>
            {
                Assert.That(response.StatusCode, Is.EqualTo(HttpStatusCode.BadRequest));
                Assert.That(await response.Content.ReadAsStringAsync(), Does.Contain("\"code\":\"malformed_token\""));
            });
        }
    }

    [Test]
    public void A_hub_connection_without_a_session_is_refused()
    {
        var ex = Assert.ThrowsAsync<HttpRequestException>(() => _server.ConnectHubAsync(cookies: null));
        Assert.That(ex!.StatusCode, Is.EqualTo(HttpStatusCode.Unauthorized));
    }

    [Test]
    public async Task A_projector_cannot_cast()
    {
        var access = await _server.CreateCongressAsync();
        var poll = await _server.OpenPollAsync(access);
        await using var projector = await _server.ConnectProjectorAsync(access.ProjectorCode);

        var ex = Assert.ThrowsAsync<HubException>(() =>
            projector.InvokeAsync<CastResult>(nameof(ICongressHub.Cast), new CastRequest(poll.Id, VoteChoice.Yes, Guid.NewGuid())));

        await Assert.MultipleAsync(async () =>
        {
            Assert.That(ex!.Message, Does.Contain("unauthorized").IgnoreCase);
            Assert.That(await _server.CountAsync("SELECT count(*) FROM ballot WHERE poll_id = $1", poll.Id), Is.Zero);
        });
    }

    [Test]
    public async Task A_hub_message_over_4_KB_closes_the_connection_with_an_error_and_stores_nothing()
    {
        var access = await _server.CreateCongressAsync();
        var poll = await _server.OpenPollAsync(access);
        await using var hub = await _server.ConnectDelegateAsync(access.Delegates[0].Token);
        var closed = new TaskCompletionSource<Exception?>();
        hub.Closed += ex =>
        {
            closed.TrySetResult(ex);
            return Task.CompletedTask;
        };

        // A padded payload: the server must refuse it before binding, not store a ballot.
        _ = hub.InvokeAsync<CastResult>(nameof(ICongressHub.Cast), new CastRequest(poll.Id, VoteChoice.Yes, Guid.NewGuid()), new string('x', 5000))
            .ContinueWith(t => t.Exception, TaskScheduler.Default);
        var reason = await closed.Task.WaitAsync(TimeSpan.FromSeconds(10));

        await Assert.MultipleAsync(async () =>
        {
            Assert.That(reason?.Message, Does.Contain("closed with an error"));
            Assert.That(await _server.CountAsync("SELECT count(*) FROM ballot WHERE poll_id = $1", poll.Id), Is.Zero);
        });
    }

    [Test]
    public async Task Two_staff_closing_at_once_close_the_poll_once()
    {
        var access = await _server.CreateCongressAsync();
        var poll = await _server.OpenPollAsync(access);
        using var secretary = await _server.SignInStaffAsync(access, "secretary");
        using var chair = await _server.SignInStaffAsync(access, "chair");

        var responses = await Task.WhenAll(secretary.PostAsync(Routes.ClosePoll(poll.Id), null), chair.PostAsync(Routes.ClosePoll(poll.Id), null));

        await Assert.MultipleAsync(async () =>
        {
            Assert.That(responses.Select(r => r.StatusCode), Is.EquivalentTo(new[] { HttpStatusCode.OK, HttpStatusCode.Conflict }));
            Assert.That(await _server.CountAsync("SELECT count(*) FROM audit_event WHERE action = 'poll.close' AND subject = $1::text", poll.Id), Is.EqualTo(1));
        });
        foreach (var response in responses)
        {
            response.Dispose();
        }
    }

    [Test]
    public async Task A_second_poll_cannot_open_while_one_is_open()
    {
        var access = await _server.CreateCongressAsync();
        await _server.OpenPollAsync(access);
        using var staff = await _server.SignInStaffAsync(access);
        Guid other = await _server.PollIdAsync(access, "Thông qua Nghị quyết");

        using var response = await staff.PostAsync(Routes.OpenPoll(other), null);

        await Assert.MultipleAsync(async () =>
        {
            Assert.That(response.StatusCode, Is.EqualTo(HttpStatusCode.Conflict));
            Assert.That(await response.Content.ReadAsStringAsync(), Does.Contain("another_poll_open"));
        });
    }

    [Test]
    public async Task A_delegate_cannot_open_a_poll()
    {
        var access = await _server.CreateCongressAsync();
        Guid pollId = await _server.PollIdAsync(access, "Thông qua Chương trình");
        var (client, _) = _server.NewBrowserlessClient();
        using (client)
        {
            (await client.PostAsJsonAsync(Routes.DelegateLogin, CongressServer.Login(access.Delegates[0].Token))).EnsureSuccessStatusCode();
            using var response = await client.PostAsync(Routes.OpenPoll(pollId), null);
            Assert.That(response.StatusCode, Is.EqualTo(HttpStatusCode.Forbidden));
        }
    }

    [Test]
    public async Task The_snapshot_after_voting_shows_the_delegate_their_recorded_choice()
    {
        var access = await _server.CreateCongressAsync();
        var poll = await _server.OpenPollAsync(access);
        await using var hub = await _server.ConnectDelegateAsync(access.Delegates[2].Token);
        await hub.InvokeAsync<CastResult>(nameof(ICongressHub.Cast), new CastRequest(poll.Id, VoteChoice.No, Guid.NewGuid()));

        var snapshot = await hub.InvokeAsync<CongressSnapshotDto>(nameof(ICongressHub.Snapshot));

        Assert.Multiple(() =>
        {
            Assert.That(snapshot.CurrentPoll?.Id, Is.EqualTo(poll.Id));
            Assert.That(snapshot.MyBallot?.Choice, Is.EqualTo(VoteChoice.No));
            Assert.That(snapshot.Tally?.Turnout, Is.EqualTo(1));
        });
    }
}

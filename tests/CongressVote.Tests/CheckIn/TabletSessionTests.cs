using System.Net;
using System.Net.Http.Json;
using CongressVote.Shared;
using CongressVote.Tests.Infrastructure;
using Microsoft.AspNetCore.SignalR.Client;

namespace CongressVote.Tests.CheckIn;

/// <summary>A tablet session is bound to its device; a second device waits for the help desk.</summary>
public sealed class TabletSessionTests
{
    private CongressServer _server = default!;

    [OneTimeSetUp]
    public async Task StartServer() => _server = await CongressServer.StartAsync();

    [OneTimeTearDown]
    public async Task StopServer() => await _server.DisposeAsync();

    private async Task<(HttpClient Client, System.Net.CookieContainer Cookies, HttpResponseMessage Response)> SignInAsync(string token, string device)
    {
        var (client, cookies) = _server.NewBrowserlessClient();
        var response = await client.PostAsJsonAsync(Routes.DelegateLogin, CongressServer.Login(token, device));
        return (client, cookies, response);
    }

    [Test]
    public async Task A_delegate_who_has_not_checked_in_cannot_sign_in_a_tablet()
    {
        var access = await _server.CreateCongressAsync(officialDelegates: 4, guests: 0, checkedIn: 0);

        var (client, _, response) = await SignInAsync(access.Delegates[0].Token, "tablet-0001");

        Assert.Multiple(async () =>
        {
            Assert.That(response.StatusCode, Is.EqualTo(HttpStatusCode.Forbidden));
            Assert.That(await response.Content.ReadAsStringAsync(), Does.Contain("not_checked_in"));
        });
        client.Dispose();
        response.Dispose();
    }

    [Test]
    public async Task The_same_tablet_signing_in_again_keeps_its_session()
    {
        var access = await _server.CreateCongressAsync(officialDelegates: 4, guests: 0);

        var (a, _, first) = await SignInAsync(access.Delegates[0].Token, "tablet-0001");
        var (b, _, again) = await SignInAsync(access.Delegates[0].Token, "tablet-0001");

        Assert.Multiple(async () =>
        {
            Assert.That(first.StatusCode, Is.EqualTo(HttpStatusCode.OK));
            Assert.That(again.StatusCode, Is.EqualTo(HttpStatusCode.OK));
            Assert.That(await _server.CountAsync("SELECT count(*) FROM delegate_session s JOIN delegate d ON d.id = s.delegate_id WHERE d.congress_id = $1", access.CongressId), Is.EqualTo(1));
        });
        a.Dispose();
        b.Dispose();
    }

    [Test, CancelAfter(60_000)]
    public async Task A_second_device_waits_for_the_help_desk_then_the_first_is_signed_out_and_disconnected()
    {
        var access = await _server.CreateCongressAsync(officialDelegates: 4, guests: 0);
        var poll = await _server.OpenPollAsync(access);
        string token = access.Delegates[0].Token;
        var (first, firstCookies, firstResponse) = await SignInAsync(token, "tablet-first");
        firstResponse.EnsureSuccessStatusCode();
        var firstHub = await _server.ConnectHubAsync(firstCookies);
        var ended = new TaskCompletionSource();
        var closed = new TaskCompletionSource();
        firstHub.On(nameof(ICongressClient.SessionEnded), () => ended.TrySetResult());
        firstHub.Closed += _ =>
        {
            closed.TrySetResult();
            return Task.CompletedTask;
        };

        var (second, secondCookies, held) = await SignInAsync(token, "tablet-second");
        var heldResult = (await held.Content.ReadFromJsonAsync<DelegateLoginResultDto>(TestJson.Options))!;
        using var helpDesk = await _server.SignInStaffAsync(access, "credentials");
        var desk = (await helpDesk.GetFromJsonAsync<HelpDeskDto>("/api/helpdesk", TestJson.Options))!;

        using var approve = await helpDesk.PostAsync($"/api/helpdesk/requests/{heldResult.RequestId}/approve", null);
        await Task.WhenAll(ended.Task, closed.Task).WaitAsync(TimeSpan.FromSeconds(5));
        using var firstAfter = await first.GetAsync(Routes.Session);
        using var secondAgain = await second.PostAsJsonAsync(Routes.DelegateLogin, CongressServer.Login(token, "tablet-second"));
        await using var secondHub = await _server.ConnectHubAsync(secondCookies);
        var cast = await secondHub.InvokeAsync<CastResult>(nameof(ICongressHub.Cast), new CastRequest(poll.Id, VoteChoice.Yes, Guid.NewGuid()));

        Assert.Multiple(async () =>
        {
            Assert.That(held.StatusCode, Is.EqualTo(HttpStatusCode.Accepted));
            Assert.That(heldResult.Outcome, Is.EqualTo(LoginOutcome.HeldForApproval));
            Assert.That(desk.Requests.Single().Code, Is.EqualTo(access.Delegates[0].Code));
            Assert.That(desk.Sessions.Single().Connected, Is.True);
            Assert.That(approve.StatusCode, Is.EqualTo(HttpStatusCode.NoContent));
            Assert.That(firstAfter.StatusCode, Is.EqualTo(HttpStatusCode.Unauthorized), "the first tablet's cookie no longer works");
            Assert.That(secondAgain.StatusCode, Is.EqualTo(HttpStatusCode.OK));
            Assert.That(cast.Status, Is.EqualTo(CastStatus.Recorded));
            Assert.That(await _server.CountAsync("SELECT count(*) FROM audit_event WHERE congress_id = $1 AND action = 'session.device_approved'", access.CongressId), Is.EqualTo(1));
        });
        await firstHub.DisposeAsync();
        first.Dispose();
        second.Dispose();
        held.Dispose();
    }

    [Test, CancelAfter(60_000)]
    public async Task Staff_can_end_a_lost_tablets_session_and_it_can_no_longer_vote()
    {
        var access = await _server.CreateCongressAsync(officialDelegates: 4, guests: 0);
        var poll = await _server.OpenPollAsync(access);
        var (tablet, cookies, response) = await SignInAsync(access.Delegates[1].Token, "tablet-lost");
        response.EnsureSuccessStatusCode();
        await using var hub = await _server.ConnectHubAsync(cookies);
        var closed = new TaskCompletionSource();
        hub.Closed += _ =>
        {
            closed.TrySetResult();
            return Task.CompletedTask;
        };
        using var helpDesk = await _server.SignInStaffAsync(access, "credentials");
        var session = (await helpDesk.GetFromJsonAsync<HelpDeskDto>("/api/helpdesk", TestJson.Options))!.Sessions.Single();

        using var end = await helpDesk.PostAsync($"/api/helpdesk/sessions/{session.SessionId}/end", null);
        await closed.Task.WaitAsync(TimeSpan.FromSeconds(5));

        Assert.Multiple(async () =>
        {
            Assert.That(end.StatusCode, Is.EqualTo(HttpStatusCode.NoContent));
            Assert.ThrowsAsync<HttpRequestException>(() => _server.ConnectHubAsync(cookies), "the old cookie cannot reconnect");
            Assert.That(await _server.CountAsync("SELECT count(*) FROM poll_voter WHERE poll_id = $1", poll.Id), Is.Zero);
        });
        tablet.Dispose();
        response.Dispose();
    }

    [Test]
    public async Task A_cast_through_an_ended_session_is_refused()
    {
        var access = await _server.CreateCongressAsync(officialDelegates: 4, guests: 0);
        var poll = await _server.OpenPollAsync(access);
        await using var hub = await _server.ConnectDelegateAsync(access.Delegates[2].Token);
        await _server.CountAsync("WITH e AS (UPDATE delegate_session s SET ended_at = now() FROM delegate d WHERE d.id = s.delegate_id AND d.congress_id = $1 RETURNING 1) SELECT count(*) FROM e", access.CongressId);

        var result = await hub.InvokeAsync<CastResult>(nameof(ICongressHub.Cast), new CastRequest(poll.Id, VoteChoice.Yes, Guid.NewGuid()));

        Assert.Multiple(async () =>
        {
            Assert.That(result.Status, Is.EqualTo(CastStatus.SessionEnded));
            Assert.That(await _server.CountAsync("SELECT count(*) FROM ballot WHERE poll_id = $1", poll.Id), Is.Zero);
        });
    }
}

/// <summary>Sign-in attempts are limited per address, with a clear 429.</summary>
public sealed class RateLimitTests
{
    [Test]
    public async Task Badge_sign_ins_beyond_the_per_address_limit_get_a_429_with_a_reason()
    {
        await using var server = await CongressServer.StartAsync(new Dictionary<string, string?> { ["RateLimits:PerAddressPerMinute"] = "5" });
        var (client, _) = server.NewBrowserlessClient();
        using (client)
        {
            var statuses = new List<HttpStatusCode>();
            string last = "";
            for (int i = 0; i < 7; i++)
            {
                using var response = await client.PostAsJsonAsync(Routes.DelegateLogin, CongressServer.Login("AAAAAAAAAAAAAAAAAAAAA" + (char)('A' + i)));
                statuses.Add(response.StatusCode);
                last = await response.Content.ReadAsStringAsync();
            }

            Assert.Multiple(() =>
            {
                Assert.That(statuses.Take(5), Is.All.EqualTo(HttpStatusCode.Unauthorized));
                Assert.That(statuses.Skip(5), Is.All.EqualTo(HttpStatusCode.TooManyRequests));
                Assert.That(last, Does.Contain("rate_limited"));
            });
        }
    }
}

public sealed class CheckedOutVotingTests
{
    [Test]
    public async Task A_delegate_checked_out_at_the_door_cannot_vote_until_back_in()
    {
        await using var server = await CongressServer.StartAsync();
        var access = await server.CreateCongressAsync(officialDelegates: 3, guests: 0);
        var poll = await server.OpenPollAsync(access);
        using var desk = await server.SignInStaffAsync(access, "credentials");
        await using var hub = await server.ConnectDelegateAsync(access.Delegates[0].Token);
        using var scan = await desk.PostAsJsonAsync("/api/checkin/scan", new ScanRequest(access.Delegates[0].Token, null, "Cửa 1"), TestJson.Options);
        var id = (await scan.Content.ReadFromJsonAsync<ScanResultDto>(TestJson.Options))!.DelegateId!.Value;
        (await desk.PostAsJsonAsync("/api/checkin/checkout", new ScanRequest(null, id, "Cửa 1"), TestJson.Options)).EnsureSuccessStatusCode();

        var whileOut = await hub.InvokeAsync<CastResult>(nameof(ICongressHub.Cast), new CastRequest(poll.Id, VoteChoice.Yes, Guid.NewGuid()));
        (await desk.PostAsJsonAsync("/api/checkin/scan", new ScanRequest(null, id, "Cửa 1"), TestJson.Options)).EnsureSuccessStatusCode();
        var backIn = await hub.InvokeAsync<CastResult>(nameof(ICongressHub.Cast), new CastRequest(poll.Id, VoteChoice.Yes, Guid.NewGuid()));

        Assert.Multiple(() =>
        {
            Assert.That(whileOut.Status, Is.EqualTo(CastStatus.NotPresent));
            Assert.That(backIn.Status, Is.EqualTo(CastStatus.Recorded));
        });
    }
}

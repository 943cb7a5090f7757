using System.Net;
using System.Net.Http.Json;
using CongressVote.Shared;
using CongressVote.Tests.Infrastructure;
using Microsoft.AspNetCore.SignalR.Client;

namespace CongressVote.Tests.Agenda;

/// <summary>Proxies and vote weights: off by default, and counted by the tallies and the rules when used.</summary>
public sealed class ProxyAndWeightTests
{
    private CongressServer _server = default!;

    [OneTimeSetUp]
    public async Task StartServer() => _server = await CongressServer.StartAsync();

    [OneTimeTearDown]
    public async Task StopServer() => await _server.DisposeAsync();

    private static async Task AllowProxiesAsync(HttpClient admin)
    {
        var settings = (await admin.GetFromJsonAsync<CongressSettingsDto>("/api/congress", TestJson.Options))!;
        (await admin.PutAsJsonAsync("/api/congress", settings with { AllowProxy = true }, TestJson.Options)).EnsureSuccessStatusCode();
    }

    [Test]
    public async Task A_holder_votes_for_an_absent_delegate_only_where_the_congress_allows_proxies()
    {
        // Delegates 0 and 1 are present; delegate 2 is absent and gives a proxy to delegate 0.
        var access = await _server.CreateCongressAsync(officialDelegates: 3, guests: 0, checkedIn: 2);
        using var admin = await _server.SignInStaffAsync(access, "admin");
        (await admin.PostAsJsonAsync("/api/proxies", new ProxyEditDto(access.Delegates[2].Code, access.Delegates[0].Code), TestJson.Options)).EnsureSuccessStatusCode();
        Guid grantor = (await DelegateLists.ListAsync(admin)).Items.Single(d => d.Code == access.Delegates[2].Code).Id;
        var poll = await _server.OpenPollAsync(access);
        await using var holder = await _server.ConnectDelegateAsync(access.Delegates[0].Token);
        await using var other = await _server.ConnectDelegateAsync(access.Delegates[1].Token);

        var whileOff = await holder.InvokeAsync<CastResult>(nameof(ICongressHub.Cast), new CastRequest(poll.Id, VoteChoice.Yes, Guid.NewGuid(), grantor));
        await AllowProxiesAsync(admin);
        var byStranger = await other.InvokeAsync<CastResult>(nameof(ICongressHub.Cast), new CastRequest(poll.Id, VoteChoice.No, Guid.NewGuid(), grantor));
        var byHolder = await holder.InvokeAsync<CastResult>(nameof(ICongressHub.Cast), new CastRequest(poll.Id, VoteChoice.Yes, Guid.NewGuid(), grantor));
        var own = await holder.InvokeAsync<CastResult>(nameof(ICongressHub.Cast), new CastRequest(poll.Id, VoteChoice.Yes, Guid.NewGuid()));
        var snapshot = await holder.InvokeAsync<CongressSnapshotDto>(nameof(ICongressHub.Snapshot));
        var closed = await _server.ClosePollAsync(access, poll.Id);

        Assert.Multiple(async () =>
        {
            Assert.That(whileOff.Status, Is.EqualTo(CastStatus.NotEntitled), "proxies are off by default");
            Assert.That(byStranger.Status, Is.EqualTo(CastStatus.NotEntitled), "only the holder of the proxy");
            Assert.That(byHolder.Status, Is.EqualTo(CastStatus.Recorded));
            Assert.That(own.Status, Is.EqualTo(CastStatus.Recorded), "the holder still votes for themself");
            Assert.That(snapshot.Proxies!.Single().Voted, Is.True);
            Assert.That(closed.Result!.Yes, Is.EqualTo(2));
            Assert.That(await _server.CountAsync("SELECT count(*) FROM poll_voter WHERE poll_id = $1 AND cast_by IS NOT NULL", poll.Id), Is.EqualTo(1));
        });
    }

    [Test]
    public async Task Vote_weights_count_in_the_tally_the_base_and_the_decision()
    {
        var access = await _server.CreateCongressAsync(officialDelegates: 3, guests: 0);
        using var admin = await _server.SignInStaffAsync(access, "admin");
        var heavy = (await DelegateLists.ListAsync(admin)).Items.Single(d => d.Code == access.Delegates[0].Code);
        using var refused = await admin.PutAsJsonAsync($"/api/delegates/{heavy.Id}/weight", new WeightDto(0), TestJson.Options);
        (await admin.PutAsJsonAsync($"/api/delegates/{heavy.Id}/weight", new WeightDto(5), TestJson.Options)).EnsureSuccessStatusCode();
        var poll = await _server.OpenPollAsync(access);
        await using (var a = await _server.ConnectDelegateAsync(access.Delegates[0].Token))
        {
            await a.InvokeAsync<CastResult>(nameof(ICongressHub.Cast), new CastRequest(poll.Id, VoteChoice.Yes, Guid.NewGuid()));
        }

        await using (var b = await _server.ConnectDelegateAsync(access.Delegates[1].Token))
        {
            await b.InvokeAsync<CastResult>(nameof(ICongressHub.Cast), new CastRequest(poll.Id, VoteChoice.No, Guid.NewGuid()));
        }

        var closed = await _server.ClosePollAsync(access, poll.Id);

        Assert.Multiple(() =>
        {
            Assert.That(refused.StatusCode, Is.EqualTo(HttpStatusCode.BadRequest));
            Assert.That((closed.Result!.Yes, closed.Result.No, closed.Result.Entitled), Is.EqualTo((5, 1, 7)));
            Assert.That(closed.Result.Passed, Is.True, "5 of 7 weighted votes is more than half");
        });
    }
}

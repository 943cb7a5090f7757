using System.Net;
using System.Net.Http.Json;
using CongressVote.Shared;
using CongressVote.Tests.Infrastructure;
using Microsoft.AspNetCore.SignalR.Client;

namespace CongressVote.Tests.Agenda;

public sealed class PaperVoteTests
{
    private CongressServer _server = default!;

    [OneTimeSetUp]
    public async Task StartServer() => _server = await CongressServer.StartAsync();

    [OneTimeTearDown]
    public async Task StopServer() => await _server.DisposeAsync();

    [Test]
    public async Task Paper_votes_add_to_the_electronic_ones_and_may_not_exceed_the_delegates_present()
    {
        var access = await _server.CreateCongressAsync(officialDelegates: 6, guests: 0, checkedIn: 5);
        var poll = await _server.OpenPollAsync(access);
        using var chair = await _server.SignInStaffAsync(access, "chair");
        await using (var hub = await _server.ConnectDelegateAsync(access.Delegates[0].Token))
        {
            await hub.InvokeAsync<CastResult>(nameof(ICongressHub.Cast), new CastRequest(poll.Id, VoteChoice.Yes, Guid.NewGuid()));
        }

        using var added = await chair.PostAsJsonAsync($"/api/polls/{poll.Id}/paper", new PaperCountDto(2, 1, 0, "Hòm phiếu số 1"), TestJson.Options);
        var tally = (await added.Content.ReadFromJsonAsync<TallyDto>(TestJson.Options))!;
        using var tooMany = await chair.PostAsJsonAsync($"/api/polls/{poll.Id}/paper", new PaperCountDto(2, 0, 0, null), TestJson.Options);
        var closed = await _server.ClosePollAsync(access, poll.Id);

        Assert.Multiple(async () =>
        {
            Assert.That(added.StatusCode, Is.EqualTo(HttpStatusCode.OK));
            Assert.That((tally.Turnout, tally.Counts![0], tally.Counts[1]), Is.EqualTo((4, 3, 1)));
            Assert.That(tooMany.StatusCode, Is.EqualTo(HttpStatusCode.Conflict), "1 electronic + 3 paper + 2 > 5 present");
            Assert.That(await tooMany.Content.ReadAsStringAsync(), Does.Contain("paper_exceeds_present"));
            Assert.That((closed.Result!.Yes, closed.Result.No), Is.EqualTo((3, 1)));
            Assert.That(closed.Result.Passed, Is.False, "3 of 6 summoned is not more than half");
        });
    }

    [Test]
    public async Task The_secretary_cannot_enter_paper_votes_and_none_are_taken_after_close()
    {
        var access = await _server.CreateCongressAsync(officialDelegates: 4, guests: 0);
        var poll = await _server.OpenPollAsync(access);
        using var secretary = await _server.SignInStaffAsync(access, "secretary");
        using var chair = await _server.SignInStaffAsync(access, "chair");

        using var bySecretary = await secretary.PostAsJsonAsync($"/api/polls/{poll.Id}/paper", new PaperCountDto(1, 0, 0, null), TestJson.Options);
        await _server.ClosePollAsync(access, poll.Id);
        using var afterClose = await chair.PostAsJsonAsync($"/api/polls/{poll.Id}/paper", new PaperCountDto(1, 0, 0, null), TestJson.Options);

        Assert.Multiple(() =>
        {
            Assert.That(bySecretary.StatusCode, Is.EqualTo(HttpStatusCode.Forbidden));
            Assert.That(afterClose.StatusCode, Is.EqualTo(HttpStatusCode.Conflict));
        });
    }
}

using System.Net;
using System.Net.Http.Json;
using CongressVote.Shared;
using CongressVote.Tests.Infrastructure;
using Microsoft.AspNetCore.SignalR.Client;

namespace CongressVote.Tests.Agenda;

public sealed class RecountTests
{
    [Test]
    public async Task A_recount_recomputes_from_the_ballots_and_keeps_the_figures_before_and_after_on_record()
    {
        await using var server = await CongressServer.StartAsync();
        var access = await server.CreateCongressAsync(officialDelegates: 3, guests: 0);
        var poll = await server.OpenPollAsync(access);
        foreach (var d in access.Delegates.Take(2))
        {
            await using var hub = await server.ConnectDelegateAsync(d.Token);
            await hub.InvokeAsync<CastResult>(nameof(ICongressHub.Cast), new CastRequest(poll.Id, VoteChoice.Yes, Guid.NewGuid()));
        }

        await server.ClosePollAsync(access, poll.Id);
        // A stored figure that no longer matches the ballots, as a faulty manual correction would leave it.
        await server.CountAsync("WITH u AS (UPDATE poll SET yes_count = 0, passed = false, verdict = 'Failed' WHERE id = $1 RETURNING 1) SELECT count(*) FROM u", poll.Id);
        using var counting = await server.SignInStaffAsync(access, "chair");

        using var noReason = await counting.PostAsJsonAsync($"/api/polls/{poll.Id}/recount", new RecountRequestDto(""), TestJson.Options);
        using var recount = await counting.PostAsJsonAsync($"/api/polls/{poll.Id}/recount", new RecountRequestDto("Kiểm tra lại theo đề nghị của Ban Kiểm phiếu"), TestJson.Options);
        var after = (await recount.Content.ReadFromJsonAsync<PollDto>(TestJson.Options))!;

        Assert.Multiple(async () =>
        {
            Assert.That(noReason.StatusCode, Is.EqualTo(HttpStatusCode.BadRequest));
            Assert.That(after.Result!.Yes, Is.EqualTo(2));
            Assert.That(after.Result.Verdict, Is.EqualTo(Verdict.Passed));
            Assert.That(await server.CountAsync("SELECT count(*) FROM poll_recount WHERE poll_id = $1 AND yes_before = 0 AND yes_after = 2", poll.Id), Is.EqualTo(1));
        });
    }
}

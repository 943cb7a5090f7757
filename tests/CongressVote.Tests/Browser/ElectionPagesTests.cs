using System.Net.Http.Json;
using CongressVote.Server.Demo;
using CongressVote.Shared;
using CongressVote.Tests.Infrastructure;
using Microsoft.AspNetCore.SignalR.Client;
using Microsoft.Playwright;

namespace CongressVote.Tests.Browser;

public sealed partial class BrowserTests
{
    [Test, CancelAfter(180_000)]
    public async Task A_long_election_result_turns_pages_on_the_hall_screen_so_every_elected_candidate_is_shown_at_full_size()
    {
        DemoAccess access = await _server.CreateCongressAsync(officialDelegates: 5, guests: 0);
        using var staff = await _server.SignInStaffAsync(access);
        Guid item = await ItemIdAsync(access, "Bầu Ban Chấp hành");
        using var created = await staff.PostAsJsonAsync("/api/elections",
            new ElectionEditDto(item, "Bầu Ban Chấp hành mở rộng", 35, EmptyBallotValid: true, Rule: null), TestJson.Options);
        created.EnsureSuccessStatusCode();
        var election = (await created.Content.ReadFromJsonAsync<PollDto>(TestJson.Options))!;
        var names = Enumerable.Range(1, 45).Select(i => $"Nguyễn Văn Ứng Viên {i:00}").ToList();
        (await staff.PutAsJsonAsync($"/api/elections/{election.Id}/candidates",
            names.Select(n => new CandidateEditDto(n, 1980, null, null)).ToList(), TestJson.Options)).EnsureSuccessStatusCode();
        (await staff.PostAsync(Routes.OpenPoll(election.Id), null)).EnsureSuccessStatusCode();

        // Every delegate keeps the first 35 names: all 35 are elected, 10 are not.
        var hubs = await Task.WhenAll(access.Delegates.Select(d => _server.ConnectDelegateAsync(d.Token)));
        try
        {
            await Task.WhenAll(hubs.Select(hub => hub.InvokeAsync<CastResult>(nameof(ICongressHub.Cast),
                new CastRequest(election.Id, VoteChoice.Yes, Guid.NewGuid(), null, [.. Enumerable.Range(1, 35)], Receipts.NewCode()))));
        }
        finally
        {
            foreach (var hub in hubs)
            {
                await hub.DisposeAsync();
            }
        }

        await _server.ClosePollAsync(access, election.Id);
        var projector = await NewPageAsync("vi", 1920, 1080);
        await projector.GotoAsync($"/p#{access.ProjectorCode}");
        await Assertions.Expect(projector.Locator(".stage[data-view='electionresult']")).ToBeVisibleAsync();

        var seen = new HashSet<string>();
        for (int page = 1; page <= 3; page++)
        {
            await Assertions.Expect(projector.GetByTestId("ranked-page")).ToHaveTextAsync($"Trang {page}/3", new() { Timeout = 20_000 });
            var shown = projector.GetByTestId("projector-ranked").Locator("li[data-candidate]");
            await Assertions.Expect(shown).ToHaveCountAsync(page < 3 ? 20 : 5);
            await Assertions.Expect(shown.Last).ToBeInViewportAsync();
            foreach (string name in await shown.EvaluateAllAsync<string[]>("items => items.map(i => i.dataset.candidate)"))
            {
                seen.Add(name);
            }

            var facts = await projector.EvaluateAsync<LayoutFacts>(LayoutScript);
            Assert.That(facts.Problems, Is.Empty, $"page {page}");
            Assert.That(facts.Smallest, Is.GreaterThanOrEqualTo(0.0399), $"page {page}");
            await BrowserSession.ScreenshotAsync(projector, $"projector-election-page{page}-vi-1920x1080");
        }

        Assert.That(seen, Is.EquivalentTo(names), "every candidate appeared on one of the pages");
    }
}

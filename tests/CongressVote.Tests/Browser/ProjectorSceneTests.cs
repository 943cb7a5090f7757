using System.Net.Http.Json;
using CongressVote.Server.Demo;
using CongressVote.Shared;
using CongressVote.Tests.Infrastructure;
using Dapper;
using Microsoft.AspNetCore.SignalR.Client;
using Microsoft.Playwright;

namespace CongressVote.Tests.Browser;

public sealed partial class BrowserTests
{
    private static readonly (int Width, int Height)[] s_hallScreens = [(1280, 720), (1920, 1080), (3840, 2160)];

    /// <summary>
    /// Layout facts read from the page: the page and the stage do not scroll, no text sits outside the screen or is
    /// cut off, and the smallest text (the reconnecting mark aside) as a share of the screen's height.
    /// </summary>
    private const string LayoutScript = """
        () => {
            const W = window.innerWidth, H = window.innerHeight;
            const stage = document.querySelector('.projector .stage');
            const problems = [];
            if (!stage) return { problems: ['no stage'], smallest: 0 };
            const root = document.scrollingElement;
            if (root.scrollWidth > W + 1 || root.scrollHeight > H + 1) problems.push('the page scrolls');
            if (stage.scrollHeight > stage.clientHeight + 1 || stage.scrollWidth > stage.clientWidth + 1) problems.push('the stage overflows');
            let smallest = Infinity;
            for (const el of stage.querySelectorAll('*')) {
                if (el.closest('.link-badge')) continue;
                const text = [...el.childNodes].filter(n => n.nodeType === 3).map(n => n.textContent.trim()).join('');
                if (!text) continue;
                const r = el.getBoundingClientRect();
                if (r.width === 0 || r.height === 0) continue;
                smallest = Math.min(smallest, parseFloat(getComputedStyle(el).fontSize));
                if (r.left < -1 || r.top < -1 || r.right > W + 1 || r.bottom > H + 1) problems.push('off screen: ' + text.slice(0, 40));
                const style = getComputedStyle(el);
                const clips = style.overflowX !== 'visible' || style.overflowY !== 'visible';
                if (clips && (el.scrollWidth > el.clientWidth + 1 || el.scrollHeight > el.clientHeight + 2)) problems.push('cut off: ' + text.slice(0, 40));
            }
            return { problems, smallest: smallest / H };
        }
        """;

    private sealed class LayoutFacts
    {
        public string[] Problems { get; set; } = [];

        public double Smallest { get; set; }
    }

    [TestCase("vi"), TestCase("en"), CancelAfter(600_000)]
    public async Task Every_projector_scene_fits_720p_1080p_and_4k_screens_with_text_at_least_four_percent_of_the_height(string language)
    {
        DemoAccess access = await _server.CreateCongressAsync(officialDelegates: 40, guests: 0, checkedIn: 31);
        using var staff = await _server.SignInStaffAsync(access);
        await SetProjectorAsync(staff, ProjectorScene.Welcome, language);

        var screens = new List<(string Name, IPage Page)>();
        foreach (var (width, height) in s_hallScreens)
        {
            // The screen starts in the other language: it must follow the console's choice by itself.
            var page = await NewPageAsync(language == "vi" ? "en" : "vi", width, height);
            await page.GotoAsync($"/p#{access.ProjectorCode}");
            screens.Add(($"{width}x{height}", page));
        }

        async Task ShowsAsync(string view, string name, Func<IPage, Task>? check = null)
        {
            foreach (var (size, page) in screens)
            {
                await Assertions.Expect(page.Locator($".projector .stage[data-view='{view}']")).ToBeVisibleAsync();
                await Assertions.Expect(page.Locator("html")).ToHaveAttributeAsync("lang", language);
                if (check is not null)
                {
                    await check(page);
                }

                // Let bars and the ring finish their short transition before measuring.
                await page.WaitForTimeoutAsync(400);
                var facts = await page.EvaluateAsync<LayoutFacts>(LayoutScript);
                await BrowserSession.ScreenshotAsync(page, $"projector-{name}-{language}-{size}");
                // Contrast and the rest of axe's WCAG rules, once per scene (the picture is the same at every size).
                var violations = size == "1920x1080" ? await AxeViolationsAsync(page) : [];
                Assert.Multiple(() =>
                {
                    Assert.That(facts.Problems, Is.Empty, $"{name} at {size}");
                    Assert.That(violations, Is.Empty, $"{name}: accessibility");
                    Assert.That(facts.Smallest, Is.GreaterThanOrEqualTo(0.0399), $"{name} at {size}: the smallest text is {facts.Smallest:P1} of the screen height");
                });
            }
        }

        bool vi = language == "vi";
        // From here on the screen changes in place: the stage is never removed and never drawn empty.
        foreach (var (_, page) in screens)
        {
            // Once the screen has switched to the console's language (a reload), it stays on this page.
            await Assertions.Expect(page.Locator("html")).ToHaveAttributeAsync("lang", language);
            await Assertions.Expect(page.Locator(".projector .stage")).ToBeVisibleAsync();
            await page.EvaluateAsync("""
                () => {
                    window.blankFrames = 0;
                    const stage = document.querySelector('.projector .stage');
                    new MutationObserver(() => {
                        const body = stage.querySelector('.stage-body');
                        if (!stage.isConnected || !body || body.childElementCount === 0) window.blankFrames++;
                    }).observe(document.body, { childList: true, subtree: true });
                }
                """);
        }

        await ShowsAsync("welcome", "welcome", async page =>
            await Assertions.Expect(page.GetByTestId("stage-date")).ToHaveTextAsync(new System.Text.RegularExpressions.Regex(vi
                ? $"^Ngày {DateTime.Today.Day} tháng {DateTime.Today.Month} năm {DateTime.Today.Year}$"
                : $"^{DateTime.Today.Day} [A-Z][a-z]+ {DateTime.Today.Year}$")));

        Guid programmeItem = await ItemIdAsync(access, "Thông qua Chương trình");
        (await staff.PostAsync($"/api/agenda/{programmeItem}/current", null)).EnsureSuccessStatusCode();
        await SetProjectorAsync(staff, ProjectorScene.Agenda, language);
        await ShowsAsync("agenda", "agenda", async page =>
            await Assertions.Expect(page.Locator(".stage-agenda li.current")).ToContainTextAsync("Thông qua Chương trình"));

        await SetProjectorAsync(staff, ProjectorScene.Attendance, language);
        await ShowsAsync("attendance", "attendance", async page =>
        {
            await Assertions.Expect(page.GetByTestId("stage-present")).ToHaveTextAsync("31/40");
            await Assertions.Expect(page.GetByTestId("stage-present")).ToBeInViewportAsync();
        });

        string message = vi ? "Đại hội giải lao 15 phút.\nPhiên làm việc tiếp tục lúc 10 giờ 15 tại Hội trường lớn." : "A 15-minute break.\nThe session resumes at 10:15 in the main hall.";
        await SetProjectorAsync(staff, ProjectorScene.Message, language, message);
        await ShowsAsync("message", "message", async page =>
            await Assertions.Expect(page.GetByTestId("stage-message")).ToHaveTextAsync(message));

        // A delegate asks for the floor; the chair gives it with three minutes. Auto follows the speaker.
        var speaker = access.Delegates[30];
        var (delegateClient, _) = _server.NewBrowserlessClient();
        using (delegateClient)
        {
            (await delegateClient.PostAsJsonAsync(Routes.DelegateLogin, CongressServer.Login(speaker.Token))).EnsureSuccessStatusCode();
            using var asked = await delegateClient.PostAsJsonAsync("/api/speakers", new SpeechRequestDto("Nâng cao chất lượng đào tạo nghề cho thanh niên nông thôn"), TestJson.Options);
            var speech = (await asked.Content.ReadFromJsonAsync<SpeechDto>(TestJson.Options))!;
            (await staff.PostAsJsonAsync($"/api/speakers/{speech.Id}/start", new SpeechStartDto(180), TestJson.Options)).EnsureSuccessStatusCode();
            await SetProjectorAsync(staff, ProjectorScene.Auto, language);
            await ShowsAsync("speaker", "speaker", async page =>
            {
                await Assertions.Expect(page.GetByTestId("projector-speaker")).ToHaveTextAsync(speaker.FullName);
                await Assertions.Expect(page.GetByTestId("countdown")).ToContainTextAsync(new System.Text.RegularExpressions.Regex("0[23]:[0-5][0-9]"));
            });

            // The speaker runs over: the clock counts the time over, marked, rather than resting at 00:00.
            await using (var connection = await _server.Db.OpenConnectionAsync())
            {
                await connection.ExecuteAsync("UPDATE speech SET started_at = now() - interval '200 seconds' WHERE id = @id", new { id = speech.Id });
            }

            (await staff.PostAsync($"/api/agenda/{programmeItem}/current", null)).EnsureSuccessStatusCode();
            foreach (var (_, page) in screens)
            {
                await Assertions.Expect(page.GetByTestId("countdown")).ToContainTextAsync(new System.Text.RegularExpressions.Regex(vi ? "^Quá giờ \\+00:[2-5][0-9]$" : "^Over time \\+00:[2-5][0-9]$"));
            }

            (await staff.PostAsync($"/api/speakers/{speech.Id}/end", null)).EnsureSuccessStatusCode();
        }

        // An open show-of-hands vote: 20 yes, 2 no, 1 abstain of 40 summoned.
        var open = await _server.OpenPollAsync(access);
        var hubs = await Task.WhenAll(access.Delegates.Take(23).Select(d => _server.ConnectDelegateAsync(d.Token)));
        try
        {
            await Task.WhenAll(hubs.Select((hub, i) => hub.InvokeAsync<CastResult>(nameof(ICongressHub.Cast),
                new CastRequest(open.Id, i < 20 ? VoteChoice.Yes : i < 22 ? VoteChoice.No : VoteChoice.Abstain, Guid.NewGuid()))));
            await ShowsAsync("openvote", "open-vote", async page =>
            {
                await Assertions.Expect(page.GetByTestId("projector-turnout")).ToContainTextAsync("23/40");
                foreach (var (choice, count) in new[] { ("yes", "20"), ("no", "2"), ("abstain", "1") })
                {
                    await Assertions.Expect(page.GetByTestId($"count-{choice}")).ToHaveTextAsync(count);
                    await Assertions.Expect(page.GetByTestId($"count-{choice}")).ToBeInViewportAsync();
                }

            });

            await _server.ClosePollAsync(access, open.Id);
            await ShowsAsync("result", "result", async page =>
            {
                await Assertions.Expect(page.GetByTestId("result")).ToContainTextAsync(vi ? "Không thông qua" : "Not adopted");
                await Assertions.Expect(page.Locator(".bar-threshold")).ToBeVisibleAsync();
                await Assertions.Expect(page.GetByTestId("count-yes")).ToBeInViewportAsync();
            });

            // A secret vote shows turnout only while it is open.
            Guid reportItem = await ItemIdAsync(access, "Báo cáo thẩm tra");
            using var created = await staff.PostAsJsonAsync("/api/polls", new MotionEditDto(reportItem,
                "Bỏ phiếu kín về việc bổ sung nhân sự Ban Kiểm tra", "Đại hội bỏ phiếu kín về việc bổ sung nhân sự.", Secret: true, AllowAbstain: true, Rule: null), TestJson.Options);
            created.EnsureSuccessStatusCode();
            var secret = (await created.Content.ReadFromJsonAsync<PollDto>(TestJson.Options))!;
            (await staff.PostAsync(Routes.OpenPoll(secret.Id), null)).EnsureSuccessStatusCode();
            await Task.WhenAll(hubs.Take(17).Select(hub => hub.InvokeAsync<CastResult>(nameof(ICongressHub.Cast), new CastRequest(secret.Id, VoteChoice.Yes, Guid.NewGuid()))));
            await ShowsAsync("secretvote", "secret-vote", async page =>
            {
                await Assertions.Expect(page.GetByTestId("projector-turnout")).ToContainTextAsync("17/40");
                await Assertions.Expect(page.GetByTestId("stage-secret")).ToBeVisibleAsync();
                await Assertions.Expect(page.Locator(".bar-count")).ToHaveCountAsync(0);
            });
            await _server.ClosePollAsync(access, secret.Id);

            // The election: 15 seats among 18 candidates; each of 23 delegates keeps a different set.
            Guid electionId = await _server.PollIdAsync(access, "Bầu Ban Chấp hành");
            (await staff.PostAsync(Routes.OpenPoll(electionId), null)).EnsureSuccessStatusCode();
            await Task.WhenAll(hubs.Select((hub, i) =>
            {
                var random = new Random(i);
                int[] kept = [.. Enumerable.Range(1, 18).OrderBy(_ => random.Next()).Take(8 + (i % 8)).Order()];
                return hub.InvokeAsync<CastResult>(nameof(ICongressHub.Cast), new CastRequest(electionId, VoteChoice.Yes, Guid.NewGuid(), null, kept, Receipts.NewCode()));
            }));
            await _server.ClosePollAsync(access, electionId);
            await ShowsAsync("electionresult", "election-result", async page =>
            {
                await Assertions.Expect(page.GetByTestId("projector-ranked").Locator("li[data-candidate]")).ToHaveCountAsync(18);
                await Assertions.Expect(page.GetByTestId("projector-ranked").Locator("li[data-candidate]").Last).ToBeInViewportAsync();
                await Assertions.Expect(page.GetByTestId("result")).ToBeVisibleAsync();
            });
        }
        finally
        {
            foreach (var (size, page) in screens)
            {
                Assert.That(await page.EvaluateAsync<int>("() => window.blankFrames"), Is.Zero, $"the {size} screen went blank or was redrawn from scratch");
            }

            foreach (var hub in hubs)
            {
                await hub.DisposeAsync();
            }
        }
    }

    private static async Task SetProjectorAsync(HttpClient staff, ProjectorScene scene, string language, string? message = null)
    {
        using var response = await staff.PutAsJsonAsync("/api/projector", new ProjectorStateDto(scene, message, language), TestJson.Options);
        Assert.That(response.IsSuccessStatusCode, await response.Content.ReadAsStringAsync());
    }

    private async Task<Guid> ItemIdAsync(DemoAccess access, string titleStartsWith)
    {
        await using var connection = await _server.Db.OpenConnectionAsync();
        return await connection.QuerySingleAsync<Guid>(
            "SELECT id FROM agenda_item WHERE congress_id = @congressId AND title LIKE @title || '%'", new { congressId = access.CongressId, title = titleStartsWith });
    }
}

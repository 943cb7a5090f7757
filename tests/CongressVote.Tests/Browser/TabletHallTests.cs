using System.Net.Http.Json;
using CongressVote.Server.Demo;
using CongressVote.Tests.Infrastructure;
using Microsoft.Playwright;

namespace CongressVote.Tests.Browser;

/// <summary>The tablet as a delegate holds it in the hall: what can be tapped, read, and what stays in view.</summary>
public sealed partial class BrowserTests
{
    /// <summary>Every visible tap target and text under the tablet's page, with its box and font size.</summary>
    private const string MeasureTablet = """
        () => {
          const visible = e => { const r = e.getBoundingClientRect(); return r.width > 0 && r.height > 0 && getComputedStyle(e).visibility !== 'hidden'; };
          const targets = [...document.querySelectorAll('.tablet button, .tablet input, .tablet a, .lang button')].filter(visible)
            .map(e => ({ name: (e.textContent || e.id || e.tagName).trim().slice(0, 40), height: e.getBoundingClientRect().height, width: e.getBoundingClientRect().width }));
          const texts = [...document.querySelectorAll('.tablet *')].filter(e => visible(e) && [...e.childNodes].some(n => n.nodeType === 3 && n.textContent.trim()))
            .map(e => ({ name: e.textContent.trim().slice(0, 40), size: parseFloat(getComputedStyle(e).fontSize) }));
          return JSON.stringify({ targets, texts });
        }
        """;

    private static readonly System.Text.Json.JsonSerializerOptions s_web = new(System.Text.Json.JsonSerializerDefaults.Web);

    private static async Task AssertTabletIsComfortableAsync(IPage tablet, string where)
    {
        var measured = System.Text.Json.JsonSerializer.Deserialize<TabletMeasure>(
            await tablet.EvaluateAsync<string>(MeasureTablet), s_web)!;
        Assert.That(measured.Targets, Is.Not.Empty, where);
        Assert.Multiple(() =>
        {
            foreach (var target in measured.Targets)
            {
                Assert.That(target.Height, Is.GreaterThanOrEqualTo(44), $"{where}: tap target '{target.Name}' is {target.Height} px tall");
                Assert.That(target.Width, Is.GreaterThanOrEqualTo(44), $"{where}: tap target '{target.Name}' is {target.Width} px wide");
            }

            foreach (var text in measured.Texts)
            {
                Assert.That(text.Size, Is.GreaterThanOrEqualTo(18), $"{where}: '{text.Name}' is set in {text.Size} px");
            }
        });
    }

    private sealed record TabletMeasure(List<Measured> Targets, List<Measured> Texts);

    private sealed record Measured(string Name, double Height = 0, double Width = 0, double Size = 0);

    [TestCase(800, 1280), TestCase(1280, 800), TestCase(390, 844), CancelAfter(180_000)]
    public async Task Every_tap_target_on_the_tablet_is_at_least_44_px_and_no_text_is_under_18_px(int width, int height)
    {
        DemoAccess access = await _server.CreateCongressAsync(officialDelegates: 3, guests: 0);
        // The discussion is the current item, so the tablet offers to ask to speak.
        await _server.CountAsync("""
            WITH c AS (UPDATE congress SET current_item_id = (SELECT id FROM agenda_item WHERE congress_id = $1 AND title LIKE 'Thảo luận%' ORDER BY position LIMIT 1)
                       WHERE id = $1 RETURNING 1)
            SELECT count(*) FROM c
            """, access.CongressId);
        var tablet = await NewPageAsync("vi", width, height);
        await tablet.GotoAsync($"/t#{access.Delegates[0].Token}");

        // Between votes: the language switch, the request to speak and its field.
        await Assertions.Expect(tablet.GetByLabel("Tôi xin phát biểu về")).ToBeVisibleAsync();
        await tablet.GetByLabel("Tôi xin phát biểu về").FillAsync("Góp ý dự thảo");
        await AssertTabletIsComfortableAsync(tablet, "between votes");

        // During a vote: the three choices, Abstain in a full colour of its own rather than a disabled grey.
        await _server.OpenPollAsync(access);
        var abstain = tablet.GetByRole(AriaRole.Button, new() { Name = "Không biểu quyết", Exact = true });
        await Assertions.Expect(abstain).ToBeEnabledAsync();
        await AssertTabletIsComfortableAsync(tablet, "during a vote");
        string colour = await abstain.EvaluateAsync<string>("e => getComputedStyle(e).color");
        Assert.That(colour, Is.Not.EqualTo("rgb(107, 114, 128)"), "Abstain is not drawn in the grey of a disabled button");
        Assert.That(await abstain.EvaluateAsync<string>("e => getComputedStyle(e).opacity"), Is.EqualTo("1"));
        await BrowserSession.ScreenshotAsync(tablet, $"tablet-choices-{width}x{height}");
    }

    [Test, CancelAfter(180_000)]
    public async Task A_guests_tablet_shows_the_vote_with_no_buttons_and_says_guests_do_not_vote()
    {
        DemoAccess access = await _server.CreateCongressAsync(officialDelegates: 3, guests: 2);
        var guests = access.Delegates.Where(d => d.Code.StartsWith("KM", StringComparison.Ordinal)).ToList();
        // The guest came through the door: the desk checked them in.
        await _server.CountAsync("WITH g AS (UPDATE delegate SET checked_in_at = now() WHERE congress_id = $1 AND kind = 'guest' RETURNING 1) SELECT count(*) FROM g", access.CongressId);
        await _server.OpenPollAsync(access);

        foreach (var (guest, language, line, yes) in new[]
        {
            (guests[0], "vi", "khách mời và đại biểu dự khuyết không có quyền biểu quyết", "Tán thành"),
            (guests[1], "en", "guests and alternates have no vote", "Yes"),
        })
        {
            var tablet = await NewPageAsync(language, 800, 1280);
            await tablet.GotoAsync($"/t#{guest.Token}");
            await Assertions.Expect(tablet.GetByTestId("delegate-name")).ToHaveTextAsync(guest.FullName);
            await Assertions.Expect(tablet.GetByTestId("no-vote")).ToContainTextAsync(line);
            await Assertions.Expect(tablet.GetByRole(AriaRole.Heading, new() { Level = 1 })).ToContainTextAsync("Thông qua Chương trình");
            await Assertions.Expect(tablet.GetByRole(AriaRole.Button, new() { Name = yes, Exact = true })).ToHaveCountAsync(0);
            await Assertions.Expect(tablet.Locator(".choices button")).ToHaveCountAsync(0);
            await BrowserSession.ScreenshotAsync(tablet, $"tablet-guest-{language}");
        }

        // A delegate with a vote still gets the buttons.
        var official = await NewPageAsync("vi", 800, 1280);
        await official.GotoAsync($"/t#{access.Delegates[0].Token}");
        await Assertions.Expect(official.GetByRole(AriaRole.Button, new() { Name = "Tán thành", Exact = true })).ToBeVisibleAsync();
        await Assertions.Expect(official.GetByTestId("no-vote")).ToHaveCountAsync(0);
    }

    [TestCase(800, 1280), TestCase(1280, 800), TestCase(390, 844), CancelAfter(180_000)]
    public async Task The_election_ballot_keeps_its_count_and_Review_in_view_while_the_18th_name_is_crossed(int width, int height)
    {
        DemoAccess access = await _server.CreateCongressAsync(officialDelegates: 3, guests: 0);
        using (var secretary = await _server.SignInStaffAsync(access))
        {
            // The demo's election: 15 seats, 18 candidates.
            Guid pollId = await _server.PollIdAsync(access, "Bầu Ban Chấp hành");
            (await secretary.PostAsync(CongressVote.Shared.Routes.OpenPoll(pollId), null)).EnsureSuccessStatusCode();
        }

        var tablet = await NewPageAsync("vi", width, height);
        await tablet.GotoAsync($"/t#{access.Delegates[0].Token}");
        var lines = tablet.Locator("ol.ballot button.ballot-line");
        await Assertions.Expect(lines).ToHaveCountAsync(18);
        var last = lines.Nth(17);
        await last.ScrollIntoViewIfNeededAsync();
        await last.ClickAsync();
        await Assertions.Expect(last).ToHaveAttributeAsync("aria-pressed", "true");

        var count = tablet.GetByTestId("kept-count");
        var review = tablet.GetByRole(AriaRole.Button, new() { Name = "Xem lại phiếu bầu" });
        await Assertions.Expect(count).ToContainTextAsync("cần gạch thêm 2 người");
        await Assertions.Expect(count).ToBeInViewportAsync(new() { Ratio = 1 });
        await Assertions.Expect(review).ToBeInViewportAsync(new() { Ratio = 1 });

        // Scrolled back to the first name, the count still shows, and the crossed line is not hidden under it.
        await lines.First.ScrollIntoViewIfNeededAsync();
        await lines.First.ClickAsync();
        await Assertions.Expect(count).ToContainTextAsync("cần gạch thêm 1 người");
        await Assertions.Expect(count).ToBeInViewportAsync(new() { Ratio = 1 });
        await Assertions.Expect(review).ToBeInViewportAsync(new() { Ratio = 1 });
        await BrowserSession.ScreenshotAsync(tablet, $"tablet-ballot-sticky-{width}x{height}");
    }

    [Test, CancelAfter(240_000)]
    public async Task A_tablet_that_loses_the_server_shows_a_full_width_banner_over_the_vote_it_recorded_and_drops_it_when_back()
    {
        await using var published = await PublishedServer.StartAsync();
        DemoAccess access = await published.CreateCongressAsync(officialDelegates: 3);
        var cookies = new System.Net.CookieContainer();
        using (var staff = new HttpClient(new HttpClientHandler { CookieContainer = cookies }) { BaseAddress = published.BaseAddress })
        {
            staff.DefaultRequestHeaders.Add(CongressVote.Shared.Routes.CsrfHeader, "1");
            var secretary = access.Staff.Single(s => s.Role == "secretary");
            (await staff.PostAsJsonAsync(CongressVote.Shared.Routes.StaffLogin, new CongressVote.Shared.StaffLoginRequest(secretary.UserName, secretary.Password))).EnsureSuccessStatusCode();
            await using var db = Npgsql.NpgsqlDataSource.Create(published.ConnectionString);
            await using var connection = await db.OpenConnectionAsync();
            Guid pollId = await Dapper.SqlMapper.QuerySingleAsync<Guid>(connection,
                "SELECT id FROM poll WHERE congress_id = @CongressId AND title LIKE 'Thông qua Chương trình%'", new { access.CongressId });
            (await staff.PostAsync(CongressVote.Shared.Routes.OpenPoll(pollId), null)).EnsureSuccessStatusCode();
        }

        var tablet = await NewPageAsync("vi", 800, 1280, published.BaseAddress, serviceWorkers: false);
        await tablet.GotoAsync($"/t#{access.Delegates[0].Token}");
        await tablet.GetByRole(AriaRole.Button, new() { Name = "Tán thành", Exact = true }).ClickAsync();
        await tablet.GetByRole(AriaRole.Button, new() { Name = "Xác nhận biểu quyết" }).ClickAsync();
        await Assertions.Expect(tablet.GetByTestId("recorded")).ToContainTextAsync("Tán thành");
        await Assertions.Expect(tablet.GetByTestId("link-state")).ToHaveCountAsync(0);

        await published.KillAsync();
        var banner = tablet.GetByTestId("link-state");
        await Assertions.Expect(banner).ToContainTextAsync("Mất kết nối với máy chủ");
        await Assertions.Expect(banner).ToBeInViewportAsync(new() { Ratio = 1 });
        var box = (await banner.BoundingBoxAsync())!;
        Assert.That(box.Width, Is.EqualTo(800).Within(1), "the banner spans the screen");
        Assert.That(box.Height, Is.GreaterThanOrEqualTo(56), "the banner is not a small pill");
        // The recorded vote stays on screen, clear of the banner.
        var recorded = tablet.GetByTestId("recorded");
        await Assertions.Expect(recorded).ToContainTextAsync("Tán thành");
        await Assertions.Expect(recorded).ToBeInViewportAsync(new() { Ratio = 1 });
        Assert.That((await recorded.BoundingBoxAsync())!.Y, Is.GreaterThanOrEqualTo(box.Y + box.Height));
        await BrowserSession.ScreenshotAsync(tablet, "tablet-link-lost-vi");

        await published.StartProcessAsync();
        await Assertions.Expect(banner).ToHaveCountAsync(0, new() { Timeout = 60_000 });
        await Assertions.Expect(recorded).ToContainTextAsync("Tán thành");
    }
}

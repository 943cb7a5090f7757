using System.Text.RegularExpressions;
using CongressVote.Server.Demo;
using CongressVote.Tests.Infrastructure;
using Microsoft.Playwright;

namespace CongressVote.Tests.Browser;

/// <summary>What people see: the secretariat, a delegate's tablet and the hall projector, each in its own browser context.</summary>
[Category("Browser")]
public sealed partial class BrowserTests
{
    private CongressServer _server = default!;
    private IPlaywright _playwright = default!;
    private IBrowser _browser = default!;

    [OneTimeSetUp]
    public async Task Start()
    {
        _server = await CongressServer.StartAsync();
        (_playwright, _browser) = await BrowserSession.LaunchAsync();
        // The first load of the WebAssembly app on a busy 2-core machine can take several seconds.
        Assertions.SetDefaultExpectTimeout(30_000);
    }

    [OneTimeTearDown]
    public async Task Stop()
    {
        await _browser.DisposeAsync();
        _playwright.Dispose();
        await _server.DisposeAsync();
    }

    private async Task<IPage> NewPageAsync(string language, int width = 1280, int height = 800, Uri? server = null, bool serviceWorkers = true)
    {
        var context = await _browser.NewContextAsync(new BrowserNewContextOptions
        {
            ServiceWorkers = serviceWorkers ? ServiceWorkerPolicy.Allow : ServiceWorkerPolicy.Block,
            BaseURL = (server ?? _server.BaseAddress).ToString(),
            ViewportSize = new ViewportSize { Width = width, Height = height },
        });
        // The language is a per-device choice kept in local storage; set it before the app first starts, and keep
        // whatever the page chooses afterwards (a language switch, or the projector following the console).
        await context.AddInitScriptAsync($"if (!localStorage.getItem('congressvote.lang')) localStorage.setItem('congressvote.lang', '{language}')");
        var page = await context.NewPageAsync();
        page.Console += (_, message) =>
        {
            if (message.Type == "error")
            {
                TestContext.Progress.WriteLine($"[browser {language}] {message.Text}");
            }
        };
        return page;
    }

    [Test, CancelAfter(180_000)]
    public async Task The_secretariat_opens_a_vote_a_delegate_votes_and_the_projector_shows_the_count_and_the_result()
    {
        DemoAccess access = await _server.CreateCongressAsync(officialDelegates: 12, guests: 1);
        var secretary = access.Staff.Single(s => s.Role == "secretary");

        var console = await NewPageAsync("vi");
        await console.GotoAsync("/console");
        await console.GetByLabel("Tên đăng nhập").FillAsync(secretary.UserName);
        await console.GetByLabel("Mật khẩu").FillAsync(secretary.Password);
        await console.GetByRole(AriaRole.Button, new() { Name = "Đăng nhập" }).ClickAsync();
        var programmeVote = console.Locator("[data-poll^='Thông qua Chương trình']");
        await Assertions.Expect(programmeVote).ToBeVisibleAsync();

        var projector = await NewPageAsync("vi", 1920, 1080);
        await projector.GotoAsync($"/p#{access.ProjectorCode}");
        await Assertions.Expect(projector.Locator(".stage[data-view='welcome']")).ToBeVisibleAsync();

        await programmeVote.GetByRole(AriaRole.Button, new() { Name = "Mở biểu quyết" }).ClickAsync();
        await console.Locator("#confirm-open").ClickAsync();
        await Assertions.Expect(console.GetByTestId("turnout")).ToContainTextAsync("0 / 12");
        await Assertions.Expect(projector.GetByTestId("projector-poll")).ToContainTextAsync("Thông qua Chương trình");
        await Assertions.Expect(projector.GetByTestId("projector-turnout")).ToContainTextAsync("0/12");
        await BrowserSession.ScreenshotAsync(projector, "projector-open-vi");

        var tablet = await NewPageAsync("vi", 800, 1280);
        var invoked = new List<string>();
        tablet.WebSocket += (_, socket) => socket.FrameSent += (_, frame) =>
        {
            lock (invoked)
            {
                invoked.Add(frame.Text ?? "");
            }
        };
        await tablet.GotoAsync($"/t#{access.Delegates[0].Token}");
        await Assertions.Expect(tablet.GetByTestId("delegate-name")).ToHaveTextAsync(access.Delegates[0].FullName);
        Assert.That(tablet.Url, Does.EndWith("/vote"), "the badge token does not stay in the address bar");
        await tablet.GetByRole(AriaRole.Button, new() { Name = "Tán thành", Exact = true }).ClickAsync();
        int sentBeforeCast;
        lock (invoked)
        {
            sentBeforeCast = invoked.Count;
        }

        await tablet.GetByRole(AriaRole.Button, new() { Name = "Xác nhận biểu quyết" }).ClickAsync();
        await Assertions.Expect(tablet.GetByTestId("recorded")).ToContainTextAsync("Đã ghi nhận lúc");
        await Assertions.Expect(tablet.GetByTestId("recorded")).ToContainTextAsync("Tán thành");
        lock (invoked)
        {
            var sinceCast = invoked.Skip(sentBeforeCast).ToList();
            Assert.That(sinceCast, Has.Some.Contains("\"target\":\"Cast\""), "the tablet's frames are observed");
            Assert.That(sinceCast, Has.None.Contains("\"target\":\"Snapshot\""), "the cast's answer is enough to show it recorded");
        }
        await BrowserSession.ScreenshotAsync(tablet, "tablet-recorded-vi");

        await Assertions.Expect(projector.GetByTestId("projector-turnout")).ToContainTextAsync("1/12");
        await Assertions.Expect(projector.GetByTestId("count-yes")).ToHaveTextAsync("1");
        await Assertions.Expect(console.GetByTestId("turnout")).ToContainTextAsync("1 / 12");

        // Reloading the tablet keeps the session and shows the recorded vote.
        await tablet.ReloadAsync();
        await Assertions.Expect(tablet.GetByTestId("recorded")).ToContainTextAsync("Tán thành");

        await console.GetByRole(AriaRole.Button, new() { Name = "Kết thúc biểu quyết" }).ClickAsync();
        await console.GetByRole(AriaRole.Button, new() { Name = "Đồng ý kết thúc biểu quyết" }).ClickAsync();

        // 1 yes of 12 summoned does not reach "more than 6".
        await Assertions.Expect(projector.GetByTestId("result"))
            .ToHaveTextAsync(new Regex("Không thông qua: 1 tán thành / 12 đại biểu được triệu tập \\(8,3%\\); yêu cầu trên 6"));
        await Assertions.Expect(tablet.GetByTestId("result")).ToContainTextAsync("Không thông qua");
        await BrowserSession.ScreenshotAsync(projector, "projector-result-vi");
        await BrowserSession.ScreenshotAsync(console, "console-result-vi");
    }

    [Test, CancelAfter(120_000)]
    public async Task A_delegate_who_chose_English_votes_in_English_and_a_second_vote_is_not_offered()
    {
        DemoAccess access = await _server.CreateCongressAsync(officialDelegates: 6, guests: 0);
        await _server.OpenPollAsync(access);

        var tablet = await NewPageAsync("en", 800, 1280);
        await tablet.GotoAsync($"/t#{access.Delegates[1].Token}");
        await tablet.GetByRole(AriaRole.Button, new() { Name = "No", Exact = true }).ClickAsync();
        await tablet.GetByRole(AriaRole.Button, new() { Name = "Confirm my vote" }).ClickAsync();
        await Assertions.Expect(tablet.GetByTestId("recorded")).ToContainTextAsync("Recorded at");
        await Assertions.Expect(tablet.GetByTestId("recorded")).ToContainTextAsync("No");
        await Assertions.Expect(tablet.GetByRole(AriaRole.Button, new() { Name = "Yes", Exact = true })).ToHaveCountAsync(0);
        await BrowserSession.ScreenshotAsync(tablet, "tablet-recorded-en");
    }

    [Test, CancelAfter(60_000)]
    public async Task An_unknown_badge_link_says_so_in_the_delegates_language()
    {
        var vi = await NewPageAsync("vi");
        await vi.GotoAsync("/t#AAAAAAAAAAAAAAAAAAAAAA");
        await Assertions.Expect(vi.GetByRole(AriaRole.Alert)).ToContainTextAsync("Thẻ đại biểu không hợp lệ");

        var en = await NewPageAsync("en");
        await en.GotoAsync("/t#not-a-token");
        await Assertions.Expect(en.GetByRole(AriaRole.Alert)).ToContainTextAsync("This link is not a CongressVote badge");
    }
}

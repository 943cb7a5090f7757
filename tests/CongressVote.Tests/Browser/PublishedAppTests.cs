using CongressVote.Server.Demo;
using System.Net.Http.Json;
using CongressVote.Tests.Infrastructure;
using Microsoft.Playwright;

namespace CongressVote.Tests.Browser;

public sealed partial class BrowserTests
{
    /// <summary>
    /// The published app is trimmed harder than the build the other browser tests use: every page is opened in it,
    /// a vote is run from the keyboard, and nothing may fail in the browser.
    /// </summary>
    [Test, CancelAfter(240_000)]
    public async Task Every_page_of_the_published_trimmed_app_opens_and_runs_a_vote_without_a_browser_error()
    {
        await using var published = await PublishedServer.StartAsync();
        DemoAccess access = await published.CreateCongressAsync(officialDelegates: 3);
        var errors = new List<string>();

        async Task<IPage> PageAsync(string language, int width, int height)
        {
            var page = await NewPageAsync(language, width, height, published.BaseAddress, serviceWorkers: false);
            page.PageError += (_, error) => { lock (errors) { errors.Add($"{page.Url}: {error}"); } };
            page.Console += (_, message) =>
            {
                // The sign-in page asks for the session first and is told 401; that is the only expected refusal.
                if (message.Type == "error" && !message.Text.Contains("401", StringComparison.Ordinal))
                {
                    lock (errors) { errors.Add($"{page.Url}: {message.Text}"); }
                }
            };
            return page;
        }

        var admin = access.Staff.Single(s => s.Role == "admin");
        var console = await PageAsync("en", 1366, 900);
        await console.GotoAsync("/login");
        await console.Locator("#user").FillAsync(admin.UserName);
        await console.Locator("#password").FillAsync(admin.Password);
        await console.Locator("form.login button[type=submit]").ClickAsync();
        await console.WaitForURLAsync("**/console");

        foreach (var (path, heading) in new[]
        {
            ("console/agenda", "Agenda"), ("console/elections", "Elections"), ("console/checkin", "Check-in desk"),
            ("console/helpdesk", "Help desk"), ("console/attendance", "Credentials"), ("console/delegates", "Delegates"),
            ("console/settings", "Settings"), ("console/status", "Status"), ("console", "Secretariat console"),
        })
        {
            await console.GotoAsync("/" + path);
            await Assertions.Expect(console.Locator("h1").First).ToContainTextAsync(heading);
        }

        var projector = await PageAsync("vi", 1280, 720);
        await projector.GotoAsync($"/p#{access.ProjectorCode}");
        await Assertions.Expect(projector.Locator(".stage[data-view='welcome']")).ToBeVisibleAsync();

        await console.Keyboard.PressAsync("o");
        await console.Keyboard.PressAsync("Enter");
        await Assertions.Expect(projector.Locator(".stage[data-view='openvote']")).ToBeVisibleAsync();

        var tablet = await PageAsync("vi", 800, 1280);
        await tablet.GotoAsync($"/t#{access.Delegates[0].Token}");
        await tablet.GetByRole(AriaRole.Button, new() { Name = "Tán thành", Exact = true }).ClickAsync();
        await tablet.GetByRole(AriaRole.Button, new() { Name = "Xác nhận biểu quyết" }).ClickAsync();
        await Assertions.Expect(tablet.GetByTestId("recorded")).ToContainTextAsync("Tán thành");
        await Assertions.Expect(projector.GetByTestId("projector-turnout")).ToContainTextAsync("1/3");
        await Assertions.Expect(console.GetByTestId("projector-preview").GetByTestId("count-yes")).ToHaveTextAsync("1");

        lock (errors)
        {
            Assert.That(errors, Is.Empty);
        }
    }

    [Test, CancelAfter(240_000)]
    public async Task The_hall_screen_keeps_its_picture_with_a_reconnecting_mark_while_the_server_restarts_then_follows_the_console_again()
    {
        await using var published = await PublishedServer.StartAsync();
        DemoAccess access = await published.CreateCongressAsync(officialDelegates: 3);
        var projector = await NewPageAsync("vi", 1920, 1080, published.BaseAddress, serviceWorkers: false);
        await projector.GotoAsync($"/p#{access.ProjectorCode}");
        await Assertions.Expect(projector.Locator(".stage[data-view='welcome']")).ToBeVisibleAsync();
        await Assertions.Expect(projector.GetByTestId("link-state")).ToHaveCountAsync(0);

        await published.KillAsync();
        await Assertions.Expect(projector.GetByTestId("link-state")).ToHaveTextAsync("Đang kết nối lại…");
        await Assertions.Expect(projector.Locator(".stage[data-view='welcome']")).ToBeVisibleAsync();
        await BrowserSession.ScreenshotAsync(projector, "projector-reconnecting-vi");

        await published.StartProcessAsync();
        await Assertions.Expect(projector.GetByTestId("link-state")).ToHaveCountAsync(0, new() { Timeout = 60_000 });

        var cookies = new System.Net.CookieContainer();
        using var staff = new HttpClient(new HttpClientHandler { CookieContainer = cookies }) { BaseAddress = published.BaseAddress };
        staff.DefaultRequestHeaders.Add(CongressVote.Shared.Routes.CsrfHeader, "1");
        var secretary = access.Staff.Single(s => s.Role == "secretary");
        (await staff.PostAsJsonAsync(CongressVote.Shared.Routes.StaffLogin, new CongressVote.Shared.StaffLoginRequest(secretary.UserName, secretary.Password))).EnsureSuccessStatusCode();
        (await staff.PutAsJsonAsync("/api/projector", new CongressVote.Shared.ProjectorStateDto(CongressVote.Shared.ProjectorScene.Attendance, null, "vi"), TestJson.Options)).EnsureSuccessStatusCode();
        await Assertions.Expect(projector.Locator(".stage[data-view='attendance']")).ToBeVisibleAsync();
    }
}

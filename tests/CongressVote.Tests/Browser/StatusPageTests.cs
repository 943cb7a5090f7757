using CongressVote.Server.Demo;
using Microsoft.Playwright;

namespace CongressVote.Tests.Browser;

public sealed partial class BrowserTests
{
    [Test, CancelAfter(120_000)]
    public async Task The_status_page_shows_tablets_against_delegates_present_and_follows_a_tablet_that_connects()
    {
        DemoAccess access = await _server.CreateCongressAsync(officialDelegates: 4, guests: 0, checkedIn: 3);
        var console = await SignedInConsoleAsync(access, "vi");
        await console.GetByRole(AriaRole.Link, new() { Name = "Tình trạng" }).ClickAsync();
        var tablets = console.Locator("[data-check=tablets]");
        await Assertions.Expect(tablets).ToContainTextAsync("0 đã kết nối / 3 đại biểu có mặt");
        await Assertions.Expect(tablets).ToHaveAttributeAsync("data-ok", "false");
        await Assertions.Expect(console.Locator("[data-check=database]")).ToContainTextAsync(new System.Text.RegularExpressions.Regex(@"✓ Phản hồi sau \d+(,\d+)? ms"));
        await Assertions.Expect(console.Locator("[data-check=clock]")).ToContainTextAsync("UTC · giờ địa phương");
        await Assertions.Expect(console.Locator("[data-check=backplane]")).ToContainTextAsync("Một máy chủ, không cần");

        await using var tablet = await _server.ConnectDelegateAsync(access.Delegates[0].Token);
        // The page reads the status again by itself every few seconds.
        await Assertions.Expect(tablets).ToContainTextAsync("1 đã kết nối / 3 đại biểu có mặt");
        await BrowserSession.ScreenshotAsync(console, "console-status-vi");

        var english = await SignedInConsoleAsync(access, "en");
        await english.GotoAsync("/console/status");
        await Assertions.Expect(english.Locator("[data-check=tablets]")).ToContainTextAsync("1 connected / 3 delegates present");
        await Assertions.Expect(english.Locator("[data-check=database] th")).ToHaveTextAsync("Database");
    }
}

using CongressVote.Server.Demo;
using Microsoft.Playwright;

namespace CongressVote.Tests.Browser;

public sealed partial class BrowserTests
{
    [Test, CancelAfter(120_000)]
    public async Task The_administrator_pairs_the_projector_adds_an_account_and_verifies_the_audit_trail()
    {
        DemoAccess access = await _server.CreateCongressAsync(officialDelegates: 4, guests: 0);
        var page = await SignedInConsoleAsync(access, "en", "admin");
        await page.GotoAsync("/console/settings");

        await page.GetByRole(AriaRole.Button, new() { Name = "New projector link" }).ClickAsync();
        string link = (await page.GetByTestId("projector-link").TextContentAsync())!;
        Assert.That(link, Does.Match("/p#[A-Za-z0-9_-]{22}$"));
        // The link names the server's LAN address; this test server listens on loopback only.
        var projector = await NewPageAsync("en", 1280, 720);
        await projector.GotoAsync(link[link.IndexOf("/p#", StringComparison.Ordinal)..]);
        await Assertions.Expect(projector.GetByTestId("projector-attendance")).ToBeVisibleAsync();

        var form = page.GetByTestId("staff-form");
        await form.GetByLabel("User name").FillAsync("kiemphieu1");
        await form.GetByLabel("Display name").FillAsync("Ban Kiểm phiếu – Tổ 1");
        await form.GetByLabel("Role").SelectOptionAsync("counting");
        await form.GetByLabel("Password", new() { Exact = true }).FillAsync("short");
        await form.GetByRole(AriaRole.Button, new() { Name = "Save" }).ClickAsync();
        await Assertions.Expect(page.GetByRole(AriaRole.Alert)).ToContainTextAsync("at least 10 characters");
        await form.GetByLabel("Password", new() { Exact = true }).FillAsync("long-enough-password");
        await form.GetByRole(AriaRole.Button, new() { Name = "Save" }).ClickAsync();
        await Assertions.Expect(page.GetByTestId("staff")).ToContainTextAsync("Ban Kiểm phiếu – Tổ 1");

        await page.GetByRole(AriaRole.Button, new() { Name = "Verify the chain" }).ClickAsync();
        await Assertions.Expect(page.GetByTestId("audit-verification")).ToContainTextAsync("Intact");
        await BrowserSession.ScreenshotAsync(page, "console-settings-en");
    }
}

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
        await Assertions.Expect(projector.GetByTestId("stage-emblem")).ToHaveAttributeAsync("src", "emblem.svg");

        // The congress's own emblem replaces the app's on the welcome scene.
        await page.Locator("#emblem-file").SetInputFilesAsync(new FilePayload { Name = "logo.png", MimeType = "image/png", Buffer = Projector.ProjectorTests.TinyPng });
        await Assertions.Expect(page.GetByTestId("emblem-status")).ToHaveTextAsync("The hall screen shows the new emblem.");
        await Assertions.Expect(projector.GetByTestId("stage-emblem")).ToHaveAttributeAsync("src", new System.Text.RegularExpressions.Regex("^api/projector/emblem\\?v=\\d+$"));
        await page.Locator("#emblem-file").SetInputFilesAsync(new FilePayload { Name = "logo.png", MimeType = "image/png", Buffer = "not a picture"u8.ToArray() });
        await Assertions.Expect(page.GetByTestId("emblem-status")).ToHaveTextAsync("The emblem must be a PNG or JPEG picture.");

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

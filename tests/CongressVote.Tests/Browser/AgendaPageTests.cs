using CongressVote.Server.Demo;
using Dapper;
using Microsoft.Playwright;

namespace CongressVote.Tests.Browser;

/// <summary>The agenda page asks before it moves every tablet and the hall screen, as the console's N key does.</summary>
public sealed partial class BrowserTests
{
    [Test, CancelAfter(180_000)]
    public async Task Make_current_on_the_agenda_page_asks_first_and_moves_nothing_until_it_is_confirmed()
    {
        DemoAccess access = await _server.CreateCongressAsync(officialDelegates: 3, guests: 0);
        await using var connection = await _server.Db.OpenConnectionAsync();
        Guid closing = await connection.QuerySingleAsync<Guid>(
            "SELECT id FROM agenda_item WHERE congress_id = @CongressId AND title LIKE 'Bế mạc%'", new { access.CongressId });
        Task<Guid?> CurrentAsync() => connection.QuerySingleAsync<Guid?>("SELECT current_item_id FROM congress WHERE id = @CongressId", new { access.CongressId });
        Guid? before = await CurrentAsync();
        Assert.That(before, Is.Not.EqualTo(closing));

        var page = await SignedInConsoleAsync(access, "en", "secretary");
        await page.GotoAsync("/console/agenda");
        var row = page.GetByTestId("agenda-editor").Locator("li", new() { HasText = "Bế mạc" });
        var question = page.GetByRole(AriaRole.Alertdialog);

        // Asked, then dismissed with Escape: nothing moved.
        await row.GetByRole(AriaRole.Button, new() { Name = "Make current" }).ClickAsync();
        await Assertions.Expect(page.Locator("#confirm-current")).ToBeFocusedAsync();
        await Assertions.Expect(question).ToContainTextAsync("Move to «Bế mạc");
        await page.Keyboard.PressAsync("Escape");
        await Assertions.Expect(question).ToHaveCountAsync(0);
        Assert.That(await CurrentAsync(), Is.EqualTo(before), "a dismissed question moves nothing");

        // Asked again, and still nothing until the answer.
        await row.GetByRole(AriaRole.Button, new() { Name = "Make current" }).ClickAsync();
        await Assertions.Expect(question).ToBeVisibleAsync();
        Assert.That(await CurrentAsync(), Is.EqualTo(before), "the question alone moves nothing");
        await BrowserSession.ScreenshotAsync(page, "console-agenda-make-current-en");

        await page.Locator("#confirm-current").ClickAsync();
        await Assertions.Expect(question).ToHaveCountAsync(0);
        await Assertions.Expect(row.First).ToHaveClassAsync(new System.Text.RegularExpressions.Regex("current"));
        Assert.That(await CurrentAsync(), Is.EqualTo(closing));
    }
}

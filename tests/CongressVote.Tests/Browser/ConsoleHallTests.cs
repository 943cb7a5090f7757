using System.Net.Http.Json;
using CongressVote.Server.Demo;
using CongressVote.Shared;
using CongressVote.Tests.Infrastructure;
using Microsoft.Playwright;

namespace CongressVote.Tests.Browser;

/// <summary>The secretariat's console on the day: the vote first, the same questions by mouse and key, a lost badge replaced.</summary>
public sealed partial class BrowserTests
{
    [TestCase(1366, 768), TestCase(1920, 1080), CancelAfter(180_000)]
    public async Task During_a_vote_the_consoles_first_screen_shows_the_turnout_and_Close_and_lists_only_present_delegates_who_have_not_voted(int width, int height)
    {
        // 60 summoned, 45 through the door: the 15 absent cannot vote and are not in the list of who has not voted.
        DemoAccess access = await _server.CreateCongressAsync(officialDelegates: 60, guests: 0, checkedIn: 45);
        await _server.OpenPollAsync(access);
        var console = await SignedInConsoleAsync(access, "vi", "secretary");
        await console.SetViewportSizeAsync(width, height);

        var turnout = console.GetByTestId("turnout");
        var close = console.GetByRole(AriaRole.Button, new() { Name = "Kết thúc biểu quyết" });
        var notVoted = console.GetByTestId("not-voted");
        await Assertions.Expect(notVoted).ToHaveTextAsync("Chưa biểu quyết: 45 đại biểu có mặt");
        await Assertions.Expect(turnout).ToContainTextAsync("0 / 60");
        await Assertions.Expect(turnout).ToBeInViewportAsync(new() { Ratio = 1 });
        await Assertions.Expect(close).ToBeInViewportAsync(new() { Ratio = 1 });
        // The list is there on demand, folded: it does not push anything down.
        await Assertions.Expect(console.Locator("details.voters").First).Not.ToHaveAttributeAsync("open", "");
        await BrowserSession.ScreenshotAsync(console, $"console-open-vote-{width}x{height}");
    }

    [Test, CancelAfter(180_000)]
    public async Task Opening_a_vote_and_moving_on_with_the_mouse_ask_the_same_question_as_the_keys()
    {
        DemoAccess access = await _server.CreateCongressAsync(officialDelegates: 6, guests: 0);
        var console = await SignedInConsoleAsync(access, "en", "secretary");
        var programmeVote = console.Locator("[data-poll^='Thông qua Chương trình']");

        // The agenda's Open asks, focused like O: Escape dismisses and nothing opens.
        await programmeVote.GetByRole(AriaRole.Button, new() { Name = "Open the vote" }).ClickAsync();
        await Assertions.Expect(console.Locator("#confirm-open")).ToBeFocusedAsync();
        await Assertions.Expect(console.GetByRole(AriaRole.Alertdialog)).ToContainTextAsync("Open the vote «Thông qua Chương trình");
        await console.Keyboard.PressAsync("Escape");
        await Assertions.Expect(console.Locator("#confirm-open")).ToHaveCountAsync(0);
        await Assertions.Expect(console.Locator(".state-open")).ToHaveCountAsync(0);

        // Asked again, Enter opens it.
        await programmeVote.GetByRole(AriaRole.Button, new() { Name = "Open the vote" }).ClickAsync();
        await Assertions.Expect(console.Locator("#confirm-open")).ToBeFocusedAsync();
        await console.Keyboard.PressAsync("Enter");
        await Assertions.Expect(programmeVote.Locator(".state-open")).ToHaveCountAsync(1);

        // Make current asks like N; nothing moves until it is confirmed.
        var closing = console.Locator(".agenda-panel li[data-item^='Bế mạc']");
        await closing.GetByRole(AriaRole.Button, new() { Name = "Make current" }).ClickAsync();
        await Assertions.Expect(console.Locator("#confirm-next")).ToBeFocusedAsync();
        await Assertions.Expect(console.GetByRole(AriaRole.Alertdialog)).ToContainTextAsync("Move to «Bế mạc");
        await Assertions.Expect(closing).Not.ToHaveAttributeAsync("aria-current", "step");
        await console.Locator("#confirm-next").ClickAsync();
        await Assertions.Expect(closing).ToHaveAttributeAsync("aria-current", "step");
    }

    [Test, CancelAfter(120_000)]
    public async Task The_registry_reissues_a_lost_badge_after_asking_and_the_old_badge_stops_signing_in()
    {
        DemoAccess access = await _server.CreateCongressAsync(officialDelegates: 3, guests: 0);
        var target = access.Delegates[2];
        var page = await SignedInConsoleAsync(access, "en", "secretary");
        var questions = new List<string>();
        page.Dialog += (_, dialog) =>
        {
            questions.Add(dialog.Message);
            dialog.AcceptAsync();
        };
        await page.GotoAsync("/console/delegates");
        var row = page.GetByTestId("delegate-table").Locator("tbody tr", new() { HasText = target.FullName });

        var download = await page.RunAndWaitForDownloadAsync(() => row.GetByRole(AriaRole.Button, new() { Name = "Reissue badge" }).ClickAsync());
        Assert.That(download.SuggestedFilename, Is.EqualTo($"{target.Code}.png"));
        Assert.That(questions, Has.One.StartsWith($"Issue a new badge to {target.FullName}?"));
        await Assertions.Expect(row).ToContainTextAsync("✓");

        var (tablet, _) = _server.NewBrowserlessClient();
        using (tablet)
        {
            using var old = await tablet.PostAsJsonAsync(Routes.DelegateLogin, CongressServer.Login(target.Token));
            Assert.That(old.IsSuccessStatusCode, Is.False, "the replaced badge no longer signs a tablet in");
        }
    }

    [Test, CancelAfter(120_000)]
    public async Task The_desks_console_follows_a_vote_without_the_buttons_or_keys_that_run_it()
    {
        DemoAccess access = await _server.CreateCongressAsync(officialDelegates: 6, guests: 0);
        await _server.OpenPollAsync(access);
        var desk = await SignedInConsoleAsync(access, "en", "credentials");
        await Assertions.Expect(desk.GetByTestId("turnout")).ToContainTextAsync("0 / 6");
        await Assertions.Expect(desk.GetByRole(AriaRole.Button, new() { Name = "Close the vote" })).ToHaveCountAsync(0);
        await Assertions.Expect(desk.GetByRole(AriaRole.Button, new() { Name = "Open the vote" })).ToHaveCountAsync(0);
        await Assertions.Expect(desk.GetByRole(AriaRole.Button, new() { Name = "Make current" })).ToHaveCountAsync(0);
        await desk.Locator("h1").ClickAsync();
        await desk.Keyboard.PressAsync("c");
        await desk.Keyboard.PressAsync("n");
        await Assertions.Expect(desk.GetByRole(AriaRole.Alertdialog)).ToHaveCountAsync(0);

        // The secretary, on the same vote, has them.
        var secretary = await SignedInConsoleAsync(access, "en", "secretary");
        await Assertions.Expect(secretary.GetByRole(AriaRole.Button, new() { Name = "Close the vote" })).ToBeVisibleAsync();
    }
}

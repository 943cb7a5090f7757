using System.Text.Json;
using CongressVote.Server.Demo;
using CongressVote.Shared;
using Microsoft.AspNetCore.SignalR.Client;
using Microsoft.Playwright;

namespace CongressVote.Tests.Browser;

public sealed partial class BrowserTests
{
    [Test, CancelAfter(240_000)]
    public async Task The_operator_runs_a_vote_from_the_keyboard_and_drives_the_hall_screen_from_the_live_preview()
    {
        DemoAccess access = await _server.CreateCongressAsync(officialDelegates: 12, guests: 0);
        var console = await SignedInConsoleAsync(access, "en", "secretary");
        var projector = await NewPageAsync("vi", 1920, 1080);
        await projector.GotoAsync($"/p#{access.ProjectorCode}");
        await Assertions.Expect(projector.Locator(".stage[data-view='welcome']")).ToBeVisibleAsync();
        var preview = console.GetByTestId("projector-preview");

        // N moves through the agenda; the hall (on Auto) shows the programme with the current item marked.
        var agenda = console.Locator(".agenda-panel");
        for (int i = 0; i < 3; i++)
        {
            await console.Keyboard.PressAsync("n");
            await Assertions.Expect(console.Locator("#confirm-next")).ToBeFocusedAsync();
            await console.Keyboard.PressAsync("Enter");
            await Assertions.Expect(agenda.Locator("li[aria-current='step']")).ToHaveAttributeAsync("data-item", new System.Text.RegularExpressions.Regex(i switch
            {
                0 => "^Khai mạc",
                1 => "^Thông qua Đoàn Chủ tịch",
                _ => "^Thông qua Chương trình",
            }));
        }

        await Assertions.Expect(projector.Locator(".stage-agenda li.current")).ToContainTextAsync("Thông qua Chương trình");
        await Assertions.Expect(preview.Locator(".stage-agenda li.current")).ToContainTextAsync("Thông qua Chương trình");

        // O asks first, with the confirmation focused: Enter opens the vote.
        await console.Keyboard.PressAsync("o");
        await Assertions.Expect(console.Locator("#confirm-open")).ToBeFocusedAsync();
        await Assertions.Expect(console.GetByRole(AriaRole.Alertdialog)).ToContainTextAsync("Thông qua Chương trình");
        await console.Keyboard.PressAsync("Enter");
        await Assertions.Expect(projector.Locator(".stage[data-view='openvote']")).ToBeVisibleAsync();

        var hubs = await Task.WhenAll(access.Delegates.Take(2).Select(d => _server.ConnectDelegateAsync(d.Token)));
        try
        {
            Guid pollId = (await _server.PollIdAsync(access, "Thông qua Chương trình"));
            await Task.WhenAll(hubs.Select(h => h.InvokeAsync<CastResult>(nameof(ICongressHub.Cast), new CastRequest(pollId, VoteChoice.Yes, Guid.NewGuid()))));
        }
        finally
        {
            foreach (var hub in hubs)
            {
                await hub.DisposeAsync();
            }
        }

        await Assertions.Expect(preview.GetByTestId("projector-turnout")).ToContainTextAsync("2/12");
        await Assertions.Expect(projector.GetByTestId("projector-turnout")).ToContainTextAsync("2/12");
        await Assertions.Expect(console.GetByTestId("not-voted")).ToContainTextAsync("10");

        // C asks to close; Escape dismisses it and the vote stays open; C and Enter close it.
        await console.Keyboard.PressAsync("c");
        await Assertions.Expect(console.Locator("#confirm-close")).ToBeFocusedAsync();
        await console.Keyboard.PressAsync("Escape");
        await Assertions.Expect(console.Locator("#confirm-close")).ToHaveCountAsync(0);
        await Assertions.Expect(console.Locator(".state-open")).ToHaveCountAsync(1);
        await console.Keyboard.PressAsync("c");
        await Assertions.Expect(console.Locator("#confirm-close")).ToBeFocusedAsync();
        await console.Keyboard.PressAsync("Enter");
        await Assertions.Expect(projector.Locator(".stage[data-view='result']")).ToBeVisibleAsync();
        await Assertions.Expect(projector.GetByTestId("result")).ToContainTextAsync("Không thông qua");
        await Assertions.Expect(preview.GetByTestId("result")).ToContainTextAsync("Not adopted");

        await Assertions.Expect(console.Locator(".state-closed")).ToHaveCountAsync(1);
        await console.Keyboard.PressAsync("p");
        await Assertions.Expect(console.Locator("#confirm-publish")).ToBeFocusedAsync();
        await console.Keyboard.PressAsync("Enter");
        await Assertions.Expect(console.Locator(".state-published")).ToHaveCountAsync(1);

        // M goes to the message box (typing there triggers no shortcut); the message shows in the hall and the preview.
        await console.Keyboard.PressAsync("m");
        await Assertions.Expect(console.GetByLabel("Message for the hall")).ToBeFocusedAsync();
        await console.Keyboard.TypeAsync("Nghỉ trưa, 13 giờ 30 làm việc tiếp. 1234567");
        await console.GetByRole(AriaRole.Button, new() { Name = "Show the message" }).ClickAsync();
        await Assertions.Expect(projector.GetByTestId("stage-message")).ToHaveTextAsync("Nghỉ trưa, 13 giờ 30 làm việc tiếp. 1234567");
        await Assertions.Expect(preview.GetByTestId("stage-message")).ToHaveTextAsync("Nghỉ trưa, 13 giờ 30 làm việc tiếp. 1234567");
        await Assertions.Expect(console.Locator("button[data-scene='message']")).ToHaveAttributeAsync("aria-pressed", "true");

        // Number keys choose scenes: 4 attendance, 1 back to automatic (the published result).
        await console.Locator("h1").ClickAsync();
        await console.Keyboard.PressAsync("4");
        await Assertions.Expect(projector.Locator(".stage[data-view='attendance']")).ToBeVisibleAsync();
        await console.Keyboard.PressAsync("1");
        await Assertions.Expect(projector.Locator(".stage[data-view='result']")).ToBeVisibleAsync();
        await BrowserSession.ScreenshotAsync(console, "console-projector-control-en");

        // Quick keys are sent one after another, none lost: the last one pressed is what the hall ends on.
        await console.Keyboard.PressAsync("2");
        await console.Keyboard.PressAsync("3");
        await Assertions.Expect(projector.Locator(".stage[data-view='agenda']")).ToBeVisibleAsync();
        await Assertions.Expect(console.Locator("button[data-scene='agenda']")).ToHaveAttributeAsync("aria-pressed", "true");
        await console.Keyboard.PressAsync("1");
        await Assertions.Expect(projector.Locator(".stage[data-view='result']")).ToBeVisibleAsync();

        // The hall screen's language is the console's choice; the screen follows without anyone touching the hall PC.
        await console.GetByLabel("Screen language").SelectOptionAsync("en");
        await Assertions.Expect(projector.Locator("html")).ToHaveAttributeAsync("lang", "en");
        await Assertions.Expect(projector.GetByTestId("result")).ToContainTextAsync("Not adopted");

        // The audit trail reads as sentences in the console's language, with the vote's title rather than its id.
        await Assertions.Expect(console.GetByTestId("console-audit")).ToContainTextAsync("changed the hall screen");
        await Assertions.Expect(console.GetByTestId("console-audit")).ToContainTextAsync("published the result of: Thông qua Chương trình");
        await Assertions.Expect(console.GetByTestId("console-audit")).Not.ToContainTextAsync("poll.publish");
    }

    private static string AxePath => Environment.GetEnvironmentVariable("CONGRESSVOTE_AXE")
        ?? Path.Combine(TestContext.CurrentContext.TestDirectory, "../../../../a11y/node_modules/axe-core/axe.min.js");

    /// <summary>Runs axe-core (from npm, injected from disk) for WCAG 2.1 A and AA; returns one line per violation.</summary>
    private static async Task<List<string>> AxeViolationsAsync(IPage page)
    {
        if (!File.Exists(AxePath))
        {
            Assert.Fail($"axe-core is not installed at {AxePath}; deploy/test.sh installs it (npm ci in tests/a11y).");
        }

        // Served as if from the app's own origin, so the page's Content-Security-Policy stays enforced while
        // axe runs: an inline script tag would be refused, as it should be.
        await page.Context.RouteAsync("**/__test-axe.min.js", route => route.FulfillAsync(new RouteFulfillOptions { Path = AxePath, ContentType = "application/javascript" }));
        await page.AddScriptTagAsync(new PageAddScriptTagOptions { Url = "/__test-axe.min.js" });
        var violations = await page.EvaluateAsync<JsonElement>("""
            async () => {
                const result = await axe.run(document, { runOnly: { type: 'tag', values: ['wcag2a', 'wcag2aa', 'wcag21a', 'wcag21aa'] } });
                return result.violations.map(v => `${v.id} (${v.impact}): ${v.nodes.slice(0, 4).map(n => n.target.join(' ')).join(' | ')}`);
            }
            """);
        return [.. violations.EnumerateArray().Select(v => v.GetString()!)];
    }

    [TestCase("vi"), TestCase("en"), CancelAfter(180_000)]
    public async Task The_tablet_and_the_console_pass_the_accessibility_checks_and_the_tablet_tabs_through_choices_in_order(string language)
    {
        DemoAccess access = await _server.CreateCongressAsync(officialDelegates: 6, guests: 0);
        await _server.OpenPollAsync(access);
        bool vi = language == "vi";

        var tablet = await NewPageAsync(language, 800, 1280);
        await tablet.GotoAsync($"/t#{access.Delegates[0].Token}");
        var yes = tablet.GetByRole(AriaRole.Button, new() { Name = vi ? "Tán thành" : "Yes", Exact = true });
        await Assertions.Expect(yes).ToBeVisibleAsync();
        var tabletProblems = await AxeViolationsAsync(tablet);

        // Keyboard order follows reading order: the three choices one after another.
        await yes.FocusAsync();
        await tablet.Keyboard.PressAsync("Tab");
        await Assertions.Expect(tablet.GetByRole(AriaRole.Button, new() { Name = vi ? "Không tán thành" : "No", Exact = true })).ToBeFocusedAsync();
        await tablet.Keyboard.PressAsync("Tab");
        await Assertions.Expect(tablet.GetByRole(AriaRole.Button, new() { Name = vi ? "Không biểu quyết" : "Abstain", Exact = true })).ToBeFocusedAsync();
        await tablet.Keyboard.PressAsync("Enter");
        var confirm = tablet.GetByRole(AriaRole.Button, new() { Name = vi ? "Xác nhận biểu quyết" : "Confirm my vote" });
        await Assertions.Expect(confirm).ToBeVisibleAsync();
        var confirmProblems = await AxeViolationsAsync(tablet);

        var console = await SignedInConsoleAsync(access, language, "secretary");
        await Assertions.Expect(console.GetByTestId("turnout")).ToBeVisibleAsync();
        await Assertions.Expect(console.GetByTestId("console-audit")).ToBeVisibleAsync();
        var consoleProblems = await AxeViolationsAsync(console);

        var login = await NewPageAsync(language);
        await login.GotoAsync("/login");
        await Assertions.Expect(login.GetByRole(AriaRole.Button)).Not.ToHaveCountAsync(0);
        var loginProblems = await AxeViolationsAsync(login);

        Assert.Multiple(() =>
        {
            Assert.That(tabletProblems, Is.Empty, "tablet, choosing");
            Assert.That(confirmProblems, Is.Empty, "tablet, confirming");
            Assert.That(consoleProblems, Is.Empty, "console");
            Assert.That(loginProblems, Is.Empty, "staff sign-in");
        });
    }

    [TestCase("en", "Open the vote", "Not enough delegates are present to open a vote: 241 of 363 present, at least 242 needed.")]
    [TestCase("vi", "Mở biểu quyết", "Chưa đủ số đại biểu có mặt để mở biểu quyết: 241/363 đại biểu có mặt, cần ít nhất 242.")]
    [CancelAfter(120_000)]
    public async Task Opening_a_vote_below_quorum_is_refused_with_the_figures_in_the_consoles_language(string language, string open, string refusal)
    {
        DemoAccess access = await _server.CreateCongressAsync(officialDelegates: 363, guests: 0, checkedIn: 241);
        var console = await SignedInConsoleAsync(access, language, "secretary");
        var programmeVote = console.Locator("[data-poll^='Thông qua Chương trình']");

        await programmeVote.GetByRole(AriaRole.Button, new() { Name = open }).ClickAsync();
        await console.Locator("#confirm-open").ClickAsync();

        await Assertions.Expect(console.Locator("p.error[role=alert]")).ToHaveTextAsync(refusal);
    }
}

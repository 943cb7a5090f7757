using CongressVote.Server.Demo;
using Microsoft.Playwright;

namespace CongressVote.Tests.Browser;

/// <summary>The console as each staff role sees it: only the sections and the buttons the server accepts from that role.</summary>
public sealed partial class BrowserTests
{
    private static readonly string[] Sections =
        ["Run the congress", "Agenda & motions", "Elections", "Election dossiers", "Check-in desk", "Help desk", "Credentials report", "Documents", "Delegates & badges", "Settings & audit", "Status"];

    [TestCase("desk", "Run the congress", "Check-in desk", "Help desk", "Credentials report", "Documents", "Delegates & badges", "Status")]
    [TestCase("chair", "Run the congress", "Agenda & motions", "Elections", "Election dossiers", "Credentials report", "Documents", "Settings & audit", "Status")]
    [TestCase("counting", "Run the congress", "Elections", "Credentials report", "Documents", "Status")]
    [TestCase("admin", "Run the congress", "Agenda & motions", "Elections", "Election dossiers", "Check-in desk", "Help desk", "Credentials report", "Documents", "Delegates & badges", "Settings & audit", "Status")]
    [CancelAfter(120_000)]
    public async Task Each_role_is_offered_only_the_console_sections_it_can_use(string account, params string[] offered)
    {
        DemoAccess access = await _server.CreateCongressAsync(officialDelegates: 3, guests: 0);
        var page = await ConsoleAsAsync(access, account);

        var nav = page.GetByRole(AriaRole.Navigation, new() { Name = "Console sections" });
        await Assertions.Expect(nav.GetByRole(AriaRole.Link)).ToHaveTextAsync(offered);
        foreach (string section in Sections.Except(offered))
        {
            await Assertions.Expect(nav.GetByRole(AriaRole.Link, new() { Name = section, Exact = true })).ToHaveCountAsync(0);
        }
    }

    [Test, CancelAfter(120_000)]
    public async Task The_desk_opening_the_agenda_by_its_address_is_told_it_is_not_for_its_role_and_shown_none_of_it()
    {
        DemoAccess access = await _server.CreateCongressAsync(officialDelegates: 3, guests: 0);
        var desk = await ConsoleAsAsync(access, "desk");

        await desk.GotoAsync("/console/agenda");

        await Assertions.Expect(desk.GetByRole(AriaRole.Alert)).ToHaveTextAsync("This page is not for your role. The sections you can use are in the bar above.");
        await Assertions.Expect(desk.GetByRole(AriaRole.Heading, new() { Name = "Agenda & motions" })).ToHaveCountAsync(0);
        await Assertions.Expect(desk.GetByRole(AriaRole.Navigation, new() { Name = "Console sections" }).GetByRole(AriaRole.Link, new() { Name = "Check-in desk" })).ToBeVisibleAsync();
    }

    [Test, CancelAfter(180_000)]
    public async Task During_a_vote_the_chair_can_close_it_while_the_counting_committee_enters_paper_votes_and_cannot_close()
    {
        DemoAccess access = await _server.CreateCongressAsync(officialDelegates: 6, guests: 0);
        await _server.OpenPollAsync(access);

        var chair = await ConsoleAsAsync(access, "chair");
        await Assertions.Expect(chair.GetByRole(AriaRole.Button, new() { Name = "Close the vote" })).ToBeVisibleAsync();

        var counting = await ConsoleAsAsync(access, "counting");
        await Assertions.Expect(counting.GetByTestId("turnout")).ToContainTextAsync("0 / 6");
        await Assertions.Expect(counting.GetByText("Paper votes (vote-counting committee)")).ToBeVisibleAsync();
        await Assertions.Expect(counting.GetByRole(AriaRole.Button, new() { Name = "Close the vote" })).ToHaveCountAsync(0);
        await Assertions.Expect(counting.GetByRole(AriaRole.Button, new() { Name = "Open the vote" })).ToHaveCountAsync(0);
    }

    [Test, CancelAfter(120_000)]
    public async Task A_console_page_opened_without_signing_in_leads_to_the_sign_in_page()
    {
        var page = await NewPageAsync("en", 1366, 900);

        await page.GotoAsync("/console/status");

        await page.WaitForURLAsync("**/login");
        await Assertions.Expect(page.GetByRole(AriaRole.Heading, new() { Name = "Staff sign-in" })).ToBeVisibleAsync();
        await Assertions.Expect(page.GetByRole(AriaRole.Navigation, new() { Name = "Console sections" })).ToHaveCountAsync(0);
    }

    /// <summary>Signs in with the demo account of that user name (the two counting members share a role, not a name).</summary>
    private async Task<IPage> ConsoleAsAsync(DemoAccess access, string userName)
    {
        string suffix = access.Staff.Single(s => s.Role == "admin").UserName["admin".Length..];
        var account = access.Staff.Single(s => s.UserName == userName + suffix);
        var page = await NewPageAsync("en", 1366, 900);
        await page.GotoAsync("/login");
        await page.Locator("#user").FillAsync(account.UserName);
        await page.Locator("#password").FillAsync(account.Password);
        await page.Locator("form.login button[type=submit]").ClickAsync();
        await page.WaitForURLAsync("**/console");
        return page;
    }
}

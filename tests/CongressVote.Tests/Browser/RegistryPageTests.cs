using CongressVote.Server.Demo;
using CongressVote.Tests.Infrastructure;
using Microsoft.Playwright;

namespace CongressVote.Tests.Browser;

public sealed partial class BrowserTests
{
    private async Task<IPage> SignedInConsoleAsync(DemoAccess access, string language, string role = "secretary")
    {
        var secretary = access.Staff.Single(s => s.Role == role);
        var page = await NewPageAsync(language, 1366, 900);
        await page.GotoAsync("/login");
        await page.Locator("#user").FillAsync(secretary.UserName);
        await page.Locator("#password").FillAsync(secretary.Password);
        await page.Locator("form.login button[type=submit]").ClickAsync();
        await page.WaitForURLAsync("**/console");
        return page;
    }

    [Test, CancelAfter(120_000)]
    public async Task The_secretariat_imports_a_list_through_the_console_and_sees_it_searchable()
    {
        DemoAccess access = await _server.CreateCongressAsync(officialDelegates: 0, guests: 0);
        var page = await SignedInConsoleAsync(access, "vi");
        await page.GetByRole(AriaRole.Link, new() { Name = "Đại biểu & thẻ" }).ClickAsync();

        var file = DelegateLists.Csv(DelegateLists.VietnameseHeader,
            DelegateLists.Line("D01", "Nguyễn Văn An"), DelegateLists.Line("D02", "Đặng Thị Hương", "Quân khu 5", gender: "Nữ"),
            DelegateLists.Line("D03", "Trần Quốc Toản", "Quân khu 5", kind: "Khách mời"));
        await page.Locator("#import-file").SetInputFilesAsync(new FilePayload { Name = "danh-sach.csv", MimeType = "text/csv", Buffer = file });

        await Assertions.Expect(page.GetByTestId("import-result")).ToContainTextAsync("Đã nhập 3 dòng: thêm 3");
        await Assertions.Expect(page.GetByTestId("delegate-table").Locator("tbody tr")).ToHaveCountAsync(3);
        await Assertions.Expect(page.GetByTestId("delegate-summary")).ToContainTextAsync("Khách mời: 1");

        await page.GetByTestId("delegate-search").FillAsync("dang huong");
        await Assertions.Expect(page.GetByTestId("delegate-table").Locator("tbody tr")).ToHaveCountAsync(1);
        await Assertions.Expect(page.GetByTestId("delegate-table")).ToContainTextAsync("Đặng Thị Hương");
        await BrowserSession.ScreenshotAsync(page, "console-delegates-vi");
    }

    [Test, CancelAfter(120_000)]
    public async Task A_list_with_errors_shows_every_problem_in_English_and_imports_nothing()
    {
        DemoAccess access = await _server.CreateCongressAsync(officialDelegates: 0, guests: 0);
        var page = await SignedInConsoleAsync(access, "en");
        await page.GotoAsync("/console/delegates");

        var file = DelegateLists.Csv(DelegateLists.VietnameseHeader,
            DelegateLists.Line("E01", "Nguyễn Văn An"), DelegateLists.Line("E02", "Lê Văn Bảo", kind: "Quan sát viên"), DelegateLists.Line("E01", "Phan Văn Chí"));
        await page.Locator("#import-file").SetInputFilesAsync(new FilePayload { Name = "list.csv", MimeType = "text/csv", Buffer = file });

        var problems = page.GetByTestId("import-problems");
        await Assertions.Expect(problems).ToContainTextAsync("2 problem(s) found. Nothing was imported");
        await Assertions.Expect(problems).ToContainTextAsync("Unknown delegate type \"Quan sát viên\"");
        await Assertions.Expect(problems).ToContainTextAsync("The code repeats an earlier row: E01 (2)");
        await Assertions.Expect(page.GetByTestId("delegate-count")).ToContainTextAsync("Showing 0 of 0");
        await BrowserSession.ScreenshotAsync(page, "console-import-errors-en");
    }
}

public sealed partial class BrowserTests
{
    [Test, CancelAfter(120_000)]
    public async Task During_a_vote_the_desk_revokes_a_badge_only_after_the_chair_types_their_password()
    {
        DemoAccess access = await _server.CreateCongressAsync(officialDelegates: 3, guests: 0);
        await _server.OpenPollAsync(access);
        var chair = access.Staff.Single(s => s.Role == "chair");
        var target = access.Delegates[1];
        var page = await SignedInConsoleAsync(access, "en", "credentials");
        page.Dialog += (_, dialog) => dialog.AcceptAsync();
        await page.GotoAsync("/console/delegates");
        var row = page.GetByTestId("delegate-table").Locator("tbody tr", new() { HasText = target.FullName });
        await row.GetByRole(AriaRole.Button, new() { Name = "Revoke badge" }).ClickAsync();

        await Assertions.Expect(page.Locator("form.confirm")).ToContainTextAsync($"changing {target.FullName}'s badge needs the chair's approval");
        await page.GetByLabel("User name").FillAsync(chair.UserName);
        await page.GetByLabel("Password").FillAsync("wrong password");
        await page.GetByRole(AriaRole.Button, new() { Name = "Approve and continue" }).ClickAsync();
        await Assertions.Expect(page.Locator("body")).ToContainTextAsync("The chair's user name or password is wrong");
        await Assertions.Expect(row).ToContainTextAsync("✓");
        await BrowserSession.ScreenshotAsync(page, "console-badge-chair-approval-form-en");

        await page.GetByLabel("Password").FillAsync(chair.Password);
        await page.GetByRole(AriaRole.Button, new() { Name = "Approve and continue" }).ClickAsync();
        await Assertions.Expect(page.Locator("form.confirm")).ToHaveCountAsync(0);
        await Assertions.Expect(row).Not.ToContainTextAsync("✓");
        await BrowserSession.ScreenshotAsync(page, "console-badge-chair-approval-en");
    }
}

public sealed partial class BrowserTests
{
    [Test, CancelAfter(180_000)]
    public async Task The_console_the_desk_the_tablet_the_hall_screen_and_the_authority_page_boot_under_the_content_security_policy_without_a_violation()
    {
        DemoAccess access = await _server.CreateCongressAsync(officialDelegates: 3, guests: 0);
        var violations = new List<string>();
        async Task<IPage> WatchedAsync(int width, int height)
        {
            var page = await NewPageAsync("en", width, height);
            page.Console += (_, message) =>
            {
                if (message.Text.Contains("Content Security Policy", StringComparison.Ordinal))
                {
                    lock (violations)
                    {
                        violations.Add(message.Text);
                    }
                }
            };
            return page;
        }

        var console = await SignedInConsoleAsync(access, "en");
        console.Console += (_, message) =>
        {
            if (message.Text.Contains("Content Security Policy", StringComparison.Ordinal))
            {
                lock (violations)
                {
                    violations.Add(message.Text);
                }
            }
        };
        await console.ReloadAsync();
        await Assertions.Expect(console.Locator("[data-poll]").First).ToBeVisibleAsync();
        var tablet = await WatchedAsync(800, 1280);
        await tablet.GotoAsync($"/t#{access.Delegates[0].Token}");
        await Assertions.Expect(tablet.GetByTestId("delegate-name")).ToHaveTextAsync(access.Delegates[0].FullName);
        var hall = await WatchedAsync(1920, 1080);
        await hall.GotoAsync($"/p#{access.ProjectorCode}");
        await Assertions.Expect(hall.Locator(".stage[data-view='welcome']")).ToBeVisibleAsync();
        // The door desk, signed in as the credentials committee, and the plain page where tablets get the hall's authority.
        var desk = await SignedInConsoleAsync(access, "en", "credentials");
        desk.Console += (_, message) =>
        {
            if (message.Text.Contains("Content Security Policy", StringComparison.Ordinal))
            {
                lock (violations)
                {
                    violations.Add(message.Text);
                }
            }
        };
        await desk.GotoAsync("/console/checkin");
        await Assertions.Expect(desk.GetByTestId("scan-input")).ToBeVisibleAsync();
        var authority = await WatchedAsync(800, 1280);
        await authority.GotoAsync("/ca");
        await Assertions.Expect(authority.GetByTestId("fingerprint")).ToBeVisibleAsync();

        Assert.That(violations, Is.Empty);
    }
}

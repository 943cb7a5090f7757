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
        await Assertions.Expect(page.GetByTestId("import-preview")).ToContainTextAsync("Xem trước 3 dòng: thêm 3");
        await page.GetByRole(AriaRole.Button, new() { Name = "Xác nhận nhập" }).ClickAsync();

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
        await Assertions.Expect(problems).ToContainTextAsync("2 problems found. Nothing was imported");
        await Assertions.Expect(problems).ToContainTextAsync("Unknown delegate type \"Quan sát viên\"");
        await Assertions.Expect(problems).ToContainTextAsync("The code repeats an earlier row: E01 (2)");
        await Assertions.Expect(page.GetByTestId("delegate-count")).ToContainTextAsync("Showing 0 of 0");
        await BrowserSession.ScreenshotAsync(page, "console-import-errors-en");
    }
}

public sealed partial class BrowserTests
{
    [Test, CancelAfter(120_000)]
    public async Task Importing_shows_a_preview_of_each_change_writes_nothing_until_confirmed_and_then_keeps_the_seats_typed_in_the_console()
    {
        DemoAccess access = await _server.CreateCongressAsync(officialDelegates: 0, guests: 0);
        using var staff = await _server.SignInStaffAsync(access);
        await DelegateLists.ImportAsync(staff, DelegateLists.Csv("Mã đại biểu;Họ và tên;Đoàn;Chức vụ;Giới tính;Loại đại biểu;Ghế",
            "P01;Nguyễn Văn An;Quân khu 1;Ủy viên;Nam;Chính thức;A-01", "P02;Lê Thị Bình;Quân khu 1;Ủy viên;Nữ;Chính thức;A-02"));
        var before = await DelegateLists.StoredAsync(_server.Db, access.CongressId);
        var page = await SignedInConsoleAsync(access, "en");
        await page.GotoAsync("/console/delegates");

        // The unit's list: no seat column, an extra column of its own, a new position for P01 and a new delegate.
        var file = DelegateLists.Csv("STT;Mã đại biểu;Họ và tên;Đoàn;Chức vụ;Giới tính;Loại đại biểu;Dân tộc",
            "1;P01;Nguyễn Văn An;Quân khu 1;Trưởng đoàn;Nam;Chính thức;Kinh", "2;P02;Lê Thị Bình;Quân khu 1;Ủy viên;Nữ;Chính thức;Kinh",
            "3;P03;Đào Văn Cường;Quân khu 1;Ủy viên;Nam;Khách mời;Mường");
        await page.Locator("#import-file").SetInputFilesAsync(new FilePayload { Name = "list.csv", MimeType = "text/csv", Buffer = file });

        var preview = page.GetByTestId("import-preview");
        await Assertions.Expect(preview).ToContainTextAsync("Preview of 3 rows: 1 to add, 1 to change, 1 unchanged. Nothing written yet.");
        await Assertions.Expect(page.GetByTestId("import-warnings")).ToContainTextAsync("Ignored the column \"Dân tộc\".");
        var changes = page.GetByTestId("import-changes");
        await Assertions.Expect(changes.Locator("tr[data-code='P01']")).ToContainTextAsync("Position: Ủy viên → Trưởng đoàn");
        await Assertions.Expect(changes.Locator("tr[data-code='P03']")).ToContainTextAsync("New delegate");
        await Assertions.Expect(changes.Locator("tr[data-code='P02']")).ToHaveCountAsync(0);
        await Assertions.Expect(page.GetByTestId("delegate-count")).ToContainTextAsync("Showing 2 of 2");
        Assert.That(await DelegateLists.StoredAsync(_server.Db, access.CongressId), Is.EqualTo(before), "the preview wrote nothing");
        await BrowserSession.ScreenshotAsync(page, "console-import-preview-en");

        await preview.GetByRole(AriaRole.Button, new() { Name = "Confirm the import" }).ClickAsync();

        await Assertions.Expect(page.GetByTestId("import-result")).ToContainTextAsync("Imported 3 rows: 1 added, 1 changed, 1 unchanged.");
        await Assertions.Expect(page.GetByTestId("delegate-count")).ToContainTextAsync("Showing 3 of 3");
        var after = await DelegateLists.StoredAsync(_server.Db, access.CongressId);
        Assert.Multiple(() =>
        {
            Assert.That(after.Select(d => (d.Code, d.Position, d.Seat)), Is.EqualTo(new[]
            {
                ("P01", "Trưởng đoàn", "A-01"), ("P02", "Ủy viên", "A-02"), ("P03", (string?)"Ủy viên", (string?)null),
            }));
            Assert.That(after[2].Kind, Is.EqualTo("guest"));
        });
    }

    [Test, CancelAfter(120_000)]
    public async Task A_list_with_headers_only_is_shown_as_an_error_and_a_control_character_by_its_code_and_position()
    {
        DemoAccess access = await _server.CreateCongressAsync(officialDelegates: 0, guests: 0);
        var page = await SignedInConsoleAsync(access, "vi");
        await page.GotoAsync("/console/delegates");

        await page.Locator("#import-file").SetInputFilesAsync(new FilePayload { Name = "trong.csv", MimeType = "text/csv", Buffer = DelegateLists.Csv(DelegateLists.VietnameseHeader) });
        await Assertions.Expect(page.GetByTestId("import-problems")).ToContainTextAsync("Tệp chỉ có dòng tiêu đề: chưa nhập gì.");
        await Assertions.Expect(page.GetByTestId("import-result")).ToHaveCountAsync(0);
        await Assertions.Expect(page.GetByTestId("import-preview")).ToHaveCountAsync(0);

        var file = DelegateLists.Csv(DelegateLists.VietnameseHeader, DelegateLists.Line("Q01", "Ngô\u0007 Văn Lâm"));
        await page.Locator("#import-file").SetInputFilesAsync(new FilePayload { Name = "ky-tu.csv", MimeType = "text/csv", Buffer = file });
        await Assertions.Expect(page.GetByTestId("import-problems")).ToContainTextAsync("Có ký tự điều khiển vô hình U+0007 ở ký tự thứ 4.");
        Assert.That(await DelegateLists.StoredAsync(_server.Db, access.CongressId), Is.Empty);
    }

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

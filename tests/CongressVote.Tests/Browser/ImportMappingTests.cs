using CongressVote.Server.Demo;
using CongressVote.Tests.Infrastructure;
using Microsoft.Playwright;

namespace CongressVote.Tests.Browser;

/// <summary>A unit's list with headers of its own: the registry page lets the person say what each column is.</summary>
public sealed partial class BrowserTests
{
    [Test, CancelAfter(180_000)]
    public async Task A_column_the_import_does_not_know_can_be_assigned_to_a_field_and_the_confirmed_rows_carry_it()
    {
        DemoAccess access = await _server.CreateCongressAsync(officialDelegates: 0, guests: 0);
        var page = await SignedInConsoleAsync(access, "en");
        await page.GotoAsync("/console/delegates");

        // "Họ tên đầy đủ" and "Đơn vị công tác" are no header the import knows: the name is missing, so nothing can be imported yet.
        var file = DelegateLists.Csv("STT;Mã đại biểu;Họ tên đầy đủ;Đoàn;Đơn vị công tác;Giới tính;Loại đại biểu",
            "1;M01;Nguyễn Văn An;Quân khu 1;Phòng Chính trị;Nam;Chính thức", "2;M02;Lê Thị Bình;Quân khu 1;Ban Tuyên huấn;Nữ;Khách mời");
        await page.Locator("#import-file").SetInputFilesAsync(new FilePayload { Name = "don-vi.csv", MimeType = "text/csv", Buffer = file });
        await Assertions.Expect(page.GetByTestId("import-problems")).ToContainTextAsync("This required column is missing.");
        var mapping = page.GetByTestId("import-mapping");
        await Assertions.Expect(mapping).ToContainTextAsync("Họ tên đầy đủ");
        await Assertions.Expect(mapping).ToContainTextAsync("Đơn vị công tác");

        // Assigned, each column is read as its field and the preview is made again.
        await mapping.Locator("select[data-column='Họ tên đầy đủ']").SelectOptionAsync(new SelectOptionValue { Label = "Full name" });
        var preview = page.GetByTestId("import-preview");
        await Assertions.Expect(preview).ToContainTextAsync("Preview of 2 rows: 2 to add, 0 to change, 0 unchanged. Nothing written yet.");
        await Assertions.Expect(page.GetByTestId("import-changes").Locator("tr[data-code='M01']")).ToContainTextAsync("Nguyễn Văn An");
        await Assertions.Expect(page.GetByTestId("import-warnings")).ToContainTextAsync("Ignored the column \"Đơn vị công tác\".");
        await mapping.Locator("select[data-column='Đơn vị công tác']").SelectOptionAsync(new SelectOptionValue { Label = "Position" });
        await Assertions.Expect(page.GetByTestId("import-warnings")).ToHaveCountAsync(0);
        await Assertions.Expect(mapping.Locator("select[data-column='Họ tên đầy đủ']")).ToHaveValueAsync("FullName");
        Assert.That(await DelegateLists.StoredAsync(_server.Db, access.CongressId), Is.Empty, "the previews wrote nothing");
        await BrowserSession.ScreenshotAsync(page, "console-import-mapping-en");

        await preview.GetByRole(AriaRole.Button, new() { Name = "Confirm the import" }).ClickAsync();
        await Assertions.Expect(page.GetByTestId("import-result")).ToContainTextAsync("Imported 2 rows: 2 added");
        await Assertions.Expect(page.GetByTestId("delegate-count")).ToContainTextAsync("Showing 2 of 2");
        var stored = await DelegateLists.StoredAsync(_server.Db, access.CongressId);
        Assert.That(stored.Select(d => (d.Code, d.FullName, d.Position, d.Kind)), Is.EqualTo(new[]
        {
            ("M01", "Nguyễn Văn An", (string?)"Phòng Chính trị", "official"), ("M02", "Lê Thị Bình", (string?)"Ban Tuyên huấn", "guest"),
        }));
    }

    [Test, CancelAfter(120_000)]
    public async Task English_says_one_row_and_one_problem_in_the_singular()
    {
        DemoAccess access = await _server.CreateCongressAsync(officialDelegates: 0, guests: 0);
        var page = await SignedInConsoleAsync(access, "en");
        await page.GotoAsync("/console/delegates");

        var bad = DelegateLists.Csv(DelegateLists.VietnameseHeader, DelegateLists.Line("S01", "Nguyễn Văn An", kind: "Quan sát viên"));
        await page.Locator("#import-file").SetInputFilesAsync(new FilePayload { Name = "one-bad.csv", MimeType = "text/csv", Buffer = bad });
        await Assertions.Expect(page.GetByTestId("import-problems")).ToContainTextAsync("1 problem found. Nothing was imported");

        var one = DelegateLists.Csv(DelegateLists.VietnameseHeader, DelegateLists.Line("S01", "Nguyễn Văn An"));
        await page.Locator("#import-file").SetInputFilesAsync(new FilePayload { Name = "one.csv", MimeType = "text/csv", Buffer = one });
        await Assertions.Expect(page.GetByTestId("import-preview")).ToContainTextAsync("Preview of 1 row: 1 to add");
        await page.GetByRole(AriaRole.Button, new() { Name = "Confirm the import" }).ClickAsync();
        await Assertions.Expect(page.GetByTestId("import-result")).ToContainTextAsync("Imported 1 row: 1 added, 0 changed, 0 unchanged.");
        Assert.That((await DelegateLists.StoredAsync(_server.Db, access.CongressId)).Select(d => d.Code), Is.EqualTo(new[] { "S01" }));
    }
}

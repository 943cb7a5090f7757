using System.Text.RegularExpressions;
using CongressVote.Server.Demo;
using Microsoft.Playwright;

namespace CongressVote.Tests.Browser;

public sealed partial class BrowserTests
{
    [Test, CancelAfter(120_000)]
    public async Task The_secretary_sets_the_documents_heading_and_downloads_the_record_in_the_language_chosen()
    {
        DemoAccess access = await _server.CreateCongressAsync(officialDelegates: 4, guests: 0);
        await _server.OpenPollAsync(access);
        await _server.ClosePollAsync(access, await _server.PollIdAsync(access, "Thông qua Chương trình"));
        var page = await SignedInConsoleAsync(access, "vi", "secretary");
        await page.GotoAsync("/console/settings");

        var form = page.GetByTestId("heading-form");
        await form.GetByLabel("Cơ quan ban hành").FillAsync("Ban Chấp hành Đoàn Thanh niên Khối");
        await form.GetByLabel("Địa danh").FillAsync("Đà Nẵng");
        await form.GetByLabel("Góc phải").SelectOptionAsync("youth_union");
        await form.GetByRole(AriaRole.Button, new() { Name = "Lưu" }).ClickAsync();
        await Assertions.Expect(page.GetByRole(AriaRole.Status).First).ToBeVisibleAsync();

        await page.GotoAsync("/console/documents");
        var documents = page.GetByTestId("documents");
        await Assertions.Expect(documents).ToContainTextAsync("Báo cáo thẩm tra tư cách đại biểu");
        await Assertions.Expect(documents).ToContainTextAsync("Biên bản biểu quyết: Thông qua Chương trình");
        await Assertions.Expect(documents).ToContainTextAsync("Danh sách đại biểu ký tên");
        await Assertions.Expect(documents).ToContainTextAsync("Phiếu in: Thông qua Chương trình");
        var violations = await AxeViolationsAsync(page);
        await page.GetByTestId("document-language").SelectOptionAsync("en");
        string pdfLink = (await documents.Locator("tr", new() { HasText = "Biên bản biểu quyết: Thông qua Chương trình" }).GetByRole(AriaRole.Link, new() { Name = "PDF" }).GetAttributeAsync("href"))!;
        string wordLink = (await documents.Locator("tr", new() { HasText = "Biên bản biểu quyết: Thông qua Chương trình" }).GetByRole(AriaRole.Link, new() { Name = "Word" }).GetAttributeAsync("href"))!;
        // The download is a plain GET with the console's cookie.
        var pdf = await page.Context.APIRequest.GetAsync(pdfLink);
        string archiveLink = (await page.GetByTestId("document-archive").GetAttributeAsync("href"))!;
        var archive = await page.Context.APIRequest.GetAsync(archiveLink);
        await BrowserSession.ScreenshotAsync(page, "console-documents-vi");

        Assert.Multiple(async () =>
        {
            Assert.That(violations, Is.Empty, "the documents page passes the WCAG 2.1 A and AA checks");
            Assert.That(pdfLink, Does.Match(new Regex(@"^/api/documents/motions/[0-9a-f-]{36}\?format=pdf&lang=en$")));
            Assert.That(wordLink, Does.EndWith("format=docx&lang=en"));
            Assert.That(pdf.Status, Is.EqualTo(200));
            Assert.That(pdf.Headers["content-type"], Is.EqualTo("application/pdf"));
            Assert.That((await pdf.BodyAsync()).Length, Is.GreaterThan(10_000), "a PDF with its font embedded");
            Assert.That(archive.Status, Is.EqualTo(200), "the whole record in one download");
            Assert.That(archive.Headers["content-type"], Is.EqualTo("application/zip"));
        });
    }
}

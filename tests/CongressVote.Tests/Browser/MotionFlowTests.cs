using System.Text.RegularExpressions;
using CongressVote.Server.Demo;
using Microsoft.Playwright;

namespace CongressVote.Tests.Browser;

public sealed partial class BrowserTests
{
    [Test, CancelAfter(180_000)]
    public async Task The_secretariat_creates_a_motion_two_tablets_vote_and_the_published_result_shows_the_rule()
    {
        DemoAccess access = await _server.CreateCongressAsync(officialDelegates: 3, guests: 0);
        var console = await SignedInConsoleAsync(access, "vi", "secretary");
        var projector = await NewPageAsync("vi", 1920, 1080);
        await projector.GotoAsync($"/p#{access.ProjectorCode}");

        await console.GotoAsync("/console/agenda");
        var editor = console.GetByTestId("agenda-editor");
        await editor.Locator("li", new() { HasText = "Bế mạc" }).GetByRole(AriaRole.Button, new() { Name = "Thêm nội dung biểu quyết" }).ClickAsync();
        var form = console.GetByTestId("motion-form");
        await form.GetByLabel("Tiêu đề").FillAsync("Thông qua Thư gửi Đại hội");
        await form.GetByLabel("Nội dung hiển thị trên máy tính bảng").FillAsync("Đại hội biểu quyết thông qua Thư gửi Đại hội.");
        await form.GetByRole(AriaRole.Button, new() { Name = "Lưu" }).ClickAsync();
        await Assertions.Expect(editor).ToContainTextAsync("Thông qua Thư gửi Đại hội");

        await console.GetByRole(AriaRole.Link, new() { Name = "Điều hành" }).ClickAsync();
        await console.Locator("[data-poll='Thông qua Thư gửi Đại hội']").GetByRole(AriaRole.Button, new() { Name = "Mở biểu quyết" }).ClickAsync();
        await console.Locator("#confirm-open").ClickAsync();
        await Assertions.Expect(projector.GetByTestId("projector-poll")).ToHaveTextAsync("Thông qua Thư gửi Đại hội");

        for (int i = 0; i < 2; i++)
        {
            var tablet = await NewPageAsync("vi", 800, 1280);
            await tablet.GotoAsync($"/t#{access.Delegates[i].Token}");
            await tablet.GetByRole(AriaRole.Button, new() { Name = "Tán thành", Exact = true }).ClickAsync();
            await tablet.GetByRole(AriaRole.Button, new() { Name = "Xác nhận biểu quyết" }).ClickAsync();
            await Assertions.Expect(tablet.GetByTestId("recorded")).ToContainTextAsync("Tán thành");
        }

        await Assertions.Expect(projector.GetByTestId("projector-turnout")).ToContainTextAsync("2/3");
        await Assertions.Expect(console.GetByTestId("not-voted")).ToContainTextAsync("Chưa biểu quyết: 1");
        await console.GetByRole(AriaRole.Button, new() { Name = "Kết thúc biểu quyết" }).ClickAsync();
        await console.GetByRole(AriaRole.Button, new() { Name = "Đồng ý kết thúc biểu quyết" }).ClickAsync();
        await console.GetByRole(AriaRole.Button, new() { Name = "Công bố kết quả" }).ClickAsync();
        await console.GetByRole(AriaRole.Button, new() { Name = "Đồng ý công bố kết quả" }).ClickAsync();

        // 2 yes of 3 summoned is more than 1.5.
        await Assertions.Expect(projector.GetByTestId("result"))
            .ToHaveTextAsync(new Regex("Thông qua: 2 tán thành / 3 đại biểu được triệu tập \\(66,7%\\); yêu cầu trên 1,5"));
        await Assertions.Expect(console.Locator(".state-published").First).ToBeVisibleAsync();
        await BrowserSession.ScreenshotAsync(projector, "projector-motion-published-vi");
        await BrowserSession.ScreenshotAsync(console, "console-motion-published-vi");
    }
}

using CongressVote.Server.Demo;
using Microsoft.Playwright;

namespace CongressVote.Tests.Browser;

public sealed partial class BrowserTests
{
    [Test, CancelAfter(150_000)]
    public async Task A_delegate_asks_to_speak_from_the_tablet_and_the_projector_shows_the_speaker()
    {
        DemoAccess access = await _server.CreateCongressAsync(officialDelegates: 3, guests: 0);
        var console = await SignedInConsoleAsync(access, "en", "secretary");
        await console.GotoAsync("/console/agenda");
        await console.GetByTestId("agenda-editor").Locator("li", new() { HasText = "Thảo luận" })
            .GetByRole(AriaRole.Button, new() { Name = "Make current" }).ClickAsync();
        await console.Locator("#confirm-current").ClickAsync();
        var projector = await NewPageAsync("vi", 1920, 1080);
        await projector.GotoAsync($"/p#{access.ProjectorCode}");

        var tablet = await NewPageAsync("vi", 800, 1280);
        await tablet.GotoAsync($"/t#{access.Delegates[0].Token}");
        await tablet.GetByLabel("Tôi xin phát biểu về").FillAsync("Nâng cao chất lượng huấn luyện");
        await tablet.GetByRole(AriaRole.Button, new() { Name = "Đăng ký phát biểu" }).ClickAsync();
        await Assertions.Expect(tablet.GetByTestId("my-speech")).ToContainTextAsync("Đã đăng ký");

        await console.GetByRole(AriaRole.Link, new() { Name = "Run the congress" }).ClickAsync();
        await Assertions.Expect(console.GetByTestId("speakers")).ToContainTextAsync("Nâng cao chất lượng huấn luyện");
        await console.GetByTestId("speakers").GetByRole(AriaRole.Button, new() { Name = "Give the floor" }).ClickAsync();

        await Assertions.Expect(projector.GetByTestId("projector-speaker")).ToContainTextAsync(access.Delegates[0].FullName);
        await Assertions.Expect(projector.GetByTestId("countdown")).ToBeVisibleAsync();
        await Assertions.Expect(tablet.GetByTestId("my-speech")).ToContainTextAsync("Đang phát biểu");
        await BrowserSession.ScreenshotAsync(projector, "projector-speaker-vi");
    }
}

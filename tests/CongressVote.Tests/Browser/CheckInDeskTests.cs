using System.Net.Http.Json;
using CongressVote.Server.Demo;
using CongressVote.Shared;
using CongressVote.Tests.Infrastructure;
using Microsoft.Playwright;

namespace CongressVote.Tests.Browser;

public sealed partial class BrowserTests
{
    [Test, CancelAfter(120_000)]
    public async Task A_USB_scanner_typing_at_the_desk_checks_in_and_the_projector_count_rises()
    {
        DemoAccess access = await _server.CreateCongressAsync(officialDelegates: 10, guests: 1, checkedIn: 0);
        var projector = await NewPageAsync("vi", 1920, 1080);
        await projector.GotoAsync($"/p#{access.ProjectorCode}");
        await Assertions.Expect(projector.GetByTestId("projector-present")).ToHaveTextAsync("0");

        var desk = await SignedInConsoleAsync(access, "vi", "credentials");
        await desk.GotoAsync("/console/checkin");
        await Assertions.Expect(desk.GetByTestId("scan-input")).ToBeFocusedAsync();

        // A handheld scanner is a keyboard: it types the badge URL into whatever has focus, then Enter.
        var delegateA = access.Delegates[0];
        await desk.Keyboard.TypeAsync($"{_server.BaseAddress}t#{delegateA.Token}\n");
        await Assertions.Expect(desk.GetByTestId("scan-result")).ToContainTextAsync($"Đã điểm danh: {delegateA.FullName}");
        await Assertions.Expect(projector.GetByTestId("projector-present")).ToHaveTextAsync("1");

        await desk.Keyboard.TypeAsync($"{_server.BaseAddress}t#{delegateA.Token}\n");
        await Assertions.Expect(desk.GetByTestId("scan-result")).ToContainTextAsync("Đã điểm danh lúc");
        await Assertions.Expect(desk.GetByTestId("present")).ToHaveTextAsync("1");

        var guest = access.Delegates.Single(d => d.Code.StartsWith("KM", StringComparison.Ordinal));
        await desk.Keyboard.TypeAsync($"{_server.BaseAddress}t#{guest.Token}\n");
        await Assertions.Expect(desk.GetByTestId("scan-result")).ToContainTextAsync("Khách mời: không phải đại biểu biểu quyết");

        await desk.Keyboard.TypeAsync("http://192.168.1.10:5000/t#AAAAAAAAAAAAAAAAAAAAAA\n");
        await Assertions.Expect(desk.GetByTestId("scan-result")).ToHaveTextAsync("Thẻ không hợp lệ");
        await BrowserSession.ScreenshotAsync(desk, "desk-unknown-badge-vi");
        await BrowserSession.ScreenshotAsync(projector, "projector-attendance-vi");
    }

    [Test, CancelAfter(120_000)]
    public async Task A_tablet_opened_before_check_in_says_so_and_shows_the_ballot_by_itself_once_the_desk_checks_the_delegate_in()
    {
        DemoAccess access = await _server.CreateCongressAsync(officialDelegates: 3, guests: 0, checkedIn: 0);

        var tablet = await NewPageAsync("en", 800, 1280);
        await tablet.GotoAsync($"/t#{access.Delegates[0].Token}");
        await Assertions.Expect(tablet.GetByRole(AriaRole.Alert)).ToContainTextAsync("Please check in at the door first");

        // The desk scans the badge; the tablet, untouched, follows.
        using var desk = await _server.SignInStaffAsync(access, "credentials");
        using var scanned = await desk.PostAsJsonAsync("/api/checkin/scan", new ScanRequest(access.Delegates[0].Token, null, "Cửa 1"), TestJson.Options);
        scanned.EnsureSuccessStatusCode();

        await Assertions.Expect(tablet.GetByTestId("delegate-name")).ToHaveTextAsync(access.Delegates[0].FullName, new() { Timeout = 15_000 });
        Assert.That(tablet.Url, Does.Not.Contain(access.Delegates[0].Token), "the token left the address bar");
    }
}

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

    [Test, CancelAfter(120_000)]
    public async Task A_typed_name_is_looked_up_not_tried_as_a_badge_and_a_miss_stays_in_the_field_at_Desk_1()
    {
        DemoAccess access = await _server.CreateCongressAsync(officialDelegates: 6, guests: 0, checkedIn: 0);
        var desk = await SignedInConsoleAsync(access, "en", "credentials");
        await desk.GotoAsync("/console/checkin");
        var scan = desk.GetByTestId("scan-input");
        await Assertions.Expect(scan).ToBeFocusedAsync();
        await Assertions.Expect(desk.GetByLabel("Desk", new() { Exact = true })).ToHaveValueAsync("Desk 1");

        await desk.Keyboard.TypeAsync("Nobody Of That Name\n");
        await Assertions.Expect(desk.GetByRole(AriaRole.Alert)).ToContainTextAsync("Nobody matches");
        await Assertions.Expect(scan).ToHaveValueAsync("Nobody Of That Name");
        await Assertions.Expect(desk.Locator(".recent")).ToHaveCountAsync(0);

        var delegateA = access.Delegates[0];
        await scan.FillAsync(delegateA.FullName);
        await scan.PressAsync("Enter");
        await desk.GetByTestId("candidates").GetByRole(AriaRole.Button, new() { Name = "Check in" }).First.ClickAsync();
        await Assertions.Expect(desk.GetByTestId("scan-result")).ToContainTextAsync(delegateA.FullName);
        await Assertions.Expect(desk.Locator(".recent")).Not.ToContainTextAsync("Unknown badge");
        await Assertions.Expect(scan).ToHaveValueAsync("");
        Assert.That(await _server.CountAsync("SELECT count(*) FROM attendance_event WHERE delegate_id = $1 AND desk = 'Desk 1'", await DelegateIdAsync(access, delegateA.Code)),
            Is.EqualTo(1), "the check-in is recorded at the desk's English default name");

        // The next badge is scanned straight into the field: the desk puts the cursor back there after a check-in.
        await Assertions.Expect(scan).ToBeFocusedAsync();
        await desk.Keyboard.TypeAsync("http://192.168.1.10:5000/t#AAAAAAAAAAAAAAAAAAAAAA\n");
        await Assertions.Expect(desk.GetByTestId("scan-result")).ToHaveTextAsync("Unknown badge");
    }

    [Test, CancelAfter(120_000)]
    public async Task A_Vietnamese_desk_is_named_Ban_1_by_default()
    {
        DemoAccess access = await _server.CreateCongressAsync(officialDelegates: 2, guests: 0, checkedIn: 0);
        var desk = await SignedInConsoleAsync(access, "vi", "credentials");
        await desk.GotoAsync("/console/checkin");

        await Assertions.Expect(desk.GetByLabel("Bàn", new() { Exact = true })).ToHaveValueAsync("Bàn 1");
    }

    private async Task<Guid> DelegateIdAsync(DemoAccess access, string code)
    {
        await using var connection = await _server.Db.OpenConnectionAsync();
        await using var command = new Npgsql.NpgsqlCommand("SELECT id FROM delegate WHERE congress_id = $1 AND code = $2", connection);
        command.Parameters.AddWithValue(access.CongressId);
        command.Parameters.AddWithValue(code);
        return (Guid)(await command.ExecuteScalarAsync())!;
    }
}

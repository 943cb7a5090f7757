using System.Net.Http.Json;
using CongressVote.Server.Demo;
using CongressVote.Shared;
using CongressVote.Tests.Infrastructure;
using Dapper;
using Microsoft.Playwright;

namespace CongressVote.Tests.Browser;

public sealed partial class BrowserTests
{
    [Test, CancelAfter(180_000)]
    public async Task A_test_vote_is_marked_on_the_tablet_and_the_hall_screen_and_the_secretariat_deletes_it_from_the_agenda()
    {
        DemoAccess access = await _server.CreateCongressAsync(officialDelegates: 6, guests: 0, checkedIn: 6);
        using var staff = await _server.SignInStaffAsync(access);
        Guid itemId;
        await using (var connection = await _server.Db.OpenConnectionAsync())
        {
            itemId = await connection.ExecuteScalarAsync<Guid>(
                "SELECT id FROM agenda_item WHERE congress_id = @CongressId ORDER BY position LIMIT 1", new { access.CongressId });
        }

        using var created = await staff.PostAsJsonAsync("/api/polls",
            new MotionEditDto(itemId, "Thử máy tính bảng", "", false, true, null, Rehearsal: true), TestJson.Options);
        var rehearsal = (await created.Content.ReadFromJsonAsync<PollDto>(TestJson.Options))!;
        (await staff.PostAsync(Routes.OpenPoll(rehearsal.Id), null)).EnsureSuccessStatusCode();

        var projector = await NewPageAsync("vi", 1920, 1080);
        await projector.GotoAsync($"/p#{access.ProjectorCode}");
        await Assertions.Expect(projector.GetByTestId("projector-poll")).ToContainTextAsync("Thử máy tính bảng");
        await Assertions.Expect(projector.GetByTestId("rehearsal")).ToHaveTextAsync("Biểu quyết thử");

        var tablet = await NewPageAsync("en", 800, 1280);
        await tablet.GotoAsync($"/t#{access.Delegates[0].Token}");
        await Assertions.Expect(tablet.GetByTestId("rehearsal")).ToHaveTextAsync("Test vote");
        await tablet.GetByRole(AriaRole.Button, new() { Name = "Yes", Exact = true }).ClickAsync();
        await tablet.GetByRole(AriaRole.Button, new() { Name = "Confirm my vote" }).ClickAsync();
        await Assertions.Expect(tablet.GetByTestId("recorded")).ToContainTextAsync("Recorded at");
        await BrowserSession.ScreenshotAsync(tablet, "tablet-test-vote-en");

        await _server.ClosePollAsync(access, rehearsal.Id);
        // The result is shown like any other, still marked as a test.
        await Assertions.Expect(projector.GetByTestId("result")).ToBeVisibleAsync();
        await Assertions.Expect(projector.GetByTestId("rehearsal")).ToBeVisibleAsync();
        await BrowserSession.ScreenshotAsync(projector, "projector-test-vote-result-vi");

        var console = await SignedInConsoleAsync(access, "vi");
        await console.GotoAsync("/console/agenda");
        console.Dialog += (_, dialog) => dialog.AcceptAsync();
        await Assertions.Expect(console.GetByTestId("agenda-editor")).ToContainTextAsync("Thử máy tính bảng · Biểu quyết thử");
        await console.GetByTestId("purge-rehearsals").ClickAsync();
        await Assertions.Expect(console.GetByTestId("purge-rehearsals")).ToHaveCountAsync(0);
        await Assertions.Expect(console.GetByTestId("agenda-editor")).Not.ToContainTextAsync("Thử máy tính bảng");
        await Assertions.Expect(tablet.GetByTestId("rehearsal")).ToHaveCountAsync(0);
        Assert.That(await _server.CountAsync("SELECT count(*) FROM poll WHERE id = $1", rehearsal.Id), Is.Zero);
    }
}

using System.Net.Http.Json;
using CongressVote.Server.Demo;
using CongressVote.Shared;
using CongressVote.Tests.Infrastructure;
using Microsoft.Playwright;

namespace CongressVote.Tests.Browser;

public sealed partial class BrowserTests
{
    [Test, CancelAfter(120_000)]
    public async Task The_counting_committee_enters_why_a_paper_ballot_is_invalid_and_the_invalid_ballots_of_a_hand_count_by_reason()
    {
        DemoAccess access = await _server.CreateCongressAsync(officialDelegates: 4, guests: 0);
        Guid pollId = await _server.PollIdAsync(access, "Bầu Ban Chấp hành");
        using (var secretary = await _server.SignInStaffAsync(access))
        {
            (await secretary.PostAsync(Routes.OpenPoll(pollId), null)).EnsureSuccessStatusCode();
        }

        var console = await SignedInConsoleAsync(access, "vi", "chair");
        await console.GotoAsync("/console/elections");
        var election = console.Locator("[data-election='Bầu Ban Chấp hành khóa mới']");
        await election.GetByTestId("paper-ballot-no").FillAsync("1");
        await election.GetByTestId("paper-invalid").CheckAsync();
        await election.GetByTestId("paper-invalid-reason").SelectOptionAsync(new SelectOptionValue { Label = "Ghi thêm tên, viết thêm chữ hoặc có ký hiệu riêng" });
        await election.GetByTestId("paper-enter").ClickAsync();
        await Assertions.Expect(election.GetByTestId("paper-message")).ToContainTextAsync("Đã nhập phiếu 1");

        var totals = election.GetByTestId("paper-totals-form");
        await totals.GetByLabel("Số phiếu phát ra", new() { Exact = true }).FillAsync("2");
        await totals.GetByLabel("Số phiếu thu vào", new() { Exact = true }).FillAsync("2");
        await totals.GetByLabel("Số phiếu không hợp lệ", new() { Exact = true }).FillAsync("2");
        await totals.GetByLabel("Bầu quá số lượng cần bầu", new() { Exact = true }).FillAsync("2");
        await totals.GetByLabel("Bầu quá số lượng cần bầu", new() { Exact = true }).PressAsync("Tab");
        await BrowserSession.ScreenshotAsync(console, "console-paper-invalid-reasons-vi");
        await totals.GetByRole(AriaRole.Button, new() { Name = "Thêm tổng số" }).ClickAsync();
        await Assertions.Expect(election.GetByTestId("paper-message")).ToContainTextAsync("Đã thêm tổng số.");

        // A second member reads ballot 1 alike, reason included, and the count takes it.
        var (counting, _) = _server.NewBrowserlessClient();
        using (counting)
        {
            var account = access.Staff.First(s => s.Role == "counting");
            (await counting.PostAsJsonAsync(Routes.StaffLogin, new StaffLoginRequest(account.UserName, account.Password))).EnsureSuccessStatusCode();
            using var second = await counting.PostAsJsonAsync($"/api/elections/{pollId}/paper/ballots", new PaperBallotDto(1, [], true, "Marked"), TestJson.Options);
            Assert.That((await second.Content.ReadFromJsonAsync<PaperBallotStatusDto>(TestJson.Options))!.State, Is.EqualTo(PaperBallotState.Confirmed));
        }

        Assert.Multiple(async () =>
        {
            Assert.That(await _server.CountAsync("SELECT count(*) FROM paper_ballot_entry WHERE poll_id = $1 AND invalid_reason = 'Marked'", pollId), Is.EqualTo(2));
            Assert.That(await _server.CountAsync("SELECT count(*) FROM paper_election_total WHERE poll_id = $1 AND invalid = 2 AND invalid_reasons = '{\"TooMany\": 2}'", pollId),
                Is.EqualTo(1));
        });
    }
}

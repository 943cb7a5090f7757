using System.Text;
using System.Text.RegularExpressions;
using CongressVote.Server.Demo;
using Microsoft.Playwright;

namespace CongressVote.Tests.Browser;

public sealed partial class BrowserTests
{
    [Test, CancelAfter(240_000)]
    public async Task A_delegate_crosses_out_two_names_and_casts_the_projector_shows_turnout_then_the_ranked_result()
    {
        DemoAccess access = await _server.CreateCongressAsync(officialDelegates: 3, guests: 0);
        var console = await SignedInConsoleAsync(access, "vi", "secretary");
        var projector = await NewPageAsync("vi", 1920, 1080);
        await projector.GotoAsync($"/p#{access.ProjectorCode}");

        // The secretary creates the election and imports its candidate list from a spreadsheet saved as CSV.
        await console.GotoAsync("/console/elections");
        var form = console.GetByTestId("election-form");
        await form.GetByTestId("election-title").FillAsync("Bầu Ban Kiểm tra");
        await form.GetByTestId("election-seats").FillAsync("3");
        await form.GetByRole(AriaRole.Button, new() { Name = "Tạo cuộc bầu cử" }).ClickAsync();
        var election = console.Locator("[data-election='Bầu Ban Kiểm tra']");
        const string csv = "STT,Họ và tên,Năm sinh,Chức vụ,Đơn vị\n1,Trần Thị Ánh,1980,Phó Chủ tịch,Quân khu 7\n2,Nguyễn Văn Bình,1975,Ủy viên,Quân khu 1\n"
            + "3,Lê Minh Đức,1982,Ủy viên,Quân khu 9\n4,Phạm Thu Hà,1979,Trưởng ban,Quân khu 3\n5,Võ Quang Sơn,1985,Cán bộ,Quân khu 5\n";
        await election.GetByTestId("candidate-file").SetInputFilesAsync(new FilePayload { Name = "ung-cu-vien.csv", MimeType = "text/csv", Buffer = Encoding.UTF8.GetBytes(csv) });
        await Assertions.Expect(election).ToContainTextAsync("3 người được bầu, 5 người ứng cử");

        await console.GetByRole(AriaRole.Link, new() { Name = "Điều hành" }).ClickAsync();
        await console.Locator("[data-poll='Bầu Ban Kiểm tra']").GetByRole(AriaRole.Button, new() { Name = "Mở biểu quyết" }).ClickAsync();
        await console.Locator("#confirm-open").ClickAsync();
        await Assertions.Expect(projector.GetByTestId("projector-poll")).ToHaveTextAsync("Bầu Ban Kiểm tra");
        await Assertions.Expect(projector.GetByTestId("projector-turnout")).ToContainTextAsync("0/3");

        var tablet = await NewPageAsync("vi", 800, 1280);
        await tablet.GotoAsync($"/t#{access.Delegates[0].Token}");
        var review = tablet.GetByRole(AriaRole.Button, new() { Name = "Xem lại phiếu bầu" });
        await Assertions.Expect(tablet.GetByTestId("kept-count")).ToContainTextAsync("cần gạch thêm 2 người");
        await Assertions.Expect(review).ToBeDisabledAsync();
        await tablet.Locator("[data-candidate='Nguyễn Văn Bình']").ClickAsync();
        await tablet.Locator("[data-candidate='Võ Quang Sơn']").ClickAsync();
        await Assertions.Expect(tablet.GetByTestId("kept-count")).ToHaveTextAsync(new Regex("Giữ lại: 3 / tối đa 3"));
        await BrowserSession.ScreenshotAsync(tablet, "tablet-election-ballot-vi");
        await review.ClickAsync();
        await Assertions.Expect(tablet.GetByTestId("ballot-review").Locator("li.crossed")).ToHaveCountAsync(2);
        await tablet.GetByRole(AriaRole.Button, new() { Name = "Bỏ phiếu", Exact = true }).ClickAsync();
        var receipt = tablet.GetByTestId("receipt-code");
        await Assertions.Expect(receipt).ToHaveTextAsync(new Regex("^[0-9A-Z]{5}-[0-9A-Z]{5}$"));
        string code = (await receipt.TextContentAsync())!;

        // While the election is open the hall sees turnout and nothing else.
        await Assertions.Expect(projector.GetByTestId("projector-turnout")).ToContainTextAsync("1/3");
        await Assertions.Expect(projector.GetByTestId("projector-ranked")).ToHaveCountAsync(0);
        await BrowserSession.ScreenshotAsync(projector, "projector-election-open-vi");

        await console.GetByRole(AriaRole.Button, new() { Name = "Kết thúc biểu quyết" }).ClickAsync();
        await console.GetByRole(AriaRole.Button, new() { Name = "Đồng ý kết thúc biểu quyết" }).ClickAsync();
        var ranked = projector.GetByTestId("projector-ranked");
        await Assertions.Expect(ranked.Locator("li")).ToHaveCountAsync(5);
        await Assertions.Expect(ranked.Locator("li.outcome-elected")).ToHaveCountAsync(3);
        await Assertions.Expect(ranked.Locator("li").Last).ToContainTextAsync("0");
        await Assertions.Expect(projector.GetByTestId("result")).ToContainTextAsync("Trúng cử đủ 3/3");
        await BrowserSession.ScreenshotAsync(projector, "projector-election-result-vi");

        await console.GetByRole(AriaRole.Button, new() { Name = "Công bố kết quả" }).ClickAsync();
        await console.GetByRole(AriaRole.Button, new() { Name = "Đồng ý công bố kết quả" }).ClickAsync();
        await tablet.GetByTestId("receipt-input").FillAsync(code.ToLowerInvariant());
        await tablet.GetByRole(AriaRole.Button, new() { Name = "Kiểm tra", Exact = true }).ClickAsync();
        var found = tablet.GetByTestId("receipt-found");
        await Assertions.Expect(found).ToContainTextAsync("Trần Thị Ánh");
        await Assertions.Expect(found.Locator("li")).ToHaveTextAsync(["Trần Thị Ánh", "Lê Minh Đức", "Phạm Thu Hà"]);

        await console.GetByRole(AriaRole.Link, new() { Name = "Biên bản kiểm phiếu" }).ClickAsync();
        await Assertions.Expect(console.GetByTestId("minutes-elected").Locator("li")).ToHaveCountAsync(3);
        await Assertions.Expect(console.GetByTestId("minutes")).ToContainTextAsync("Trưởng Ban Kiểm phiếu");
        await BrowserSession.ScreenshotAsync(console, "console-counting-minutes-vi");
    }

    [Test, CancelAfter(180_000)]
    public async Task A_delegate_who_chose_English_gets_the_election_ballot_and_its_refusal_in_English()
    {
        DemoAccess access = await _server.CreateCongressAsync(officialDelegates: 3, guests: 0);
        using (var secretary = await _server.SignInStaffAsync(access))
        {
            // The demo's election: 15 seats, 18 candidates.
            Guid pollId = await _server.PollIdAsync(access, "Bầu Ban Chấp hành");
            (await secretary.PostAsync(CongressVote.Shared.Routes.OpenPoll(pollId), null)).EnsureSuccessStatusCode();
        }

        var tablet = await NewPageAsync("en", 800, 1280);
        await tablet.GotoAsync($"/t#{access.Delegates[0].Token}");
        await Assertions.Expect(tablet.GetByText("Cross out the names you do not elect", new() { Exact = false })).ToBeVisibleAsync();
        await Assertions.Expect(tablet.GetByTestId("kept-count")).ToContainTextAsync("Kept: 18 of at most 15. Too many names: cross out 3 more before casting.");
        await Assertions.Expect(tablet.GetByRole(AriaRole.Button, new() { Name = "Review my ballot" })).ToBeDisabledAsync();
        await BrowserSession.ScreenshotAsync(tablet, "tablet-election-ballot-en");
    }
}

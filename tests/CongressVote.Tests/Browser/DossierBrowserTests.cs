using CongressVote.Server.Demo;
using CongressVote.Shared;
using Dapper;
using Microsoft.AspNetCore.SignalR.Client;
using Microsoft.Playwright;

namespace CongressVote.Tests.Browser;

public sealed partial class BrowserTests
{
    [Test, CancelAfter(420_000)]
    public async Task The_secretariat_takes_a_party_election_through_its_dossier_and_the_ballot_is_the_approved_list_in_order()
    {
        DemoAccess access = await _server.CreateCongressAsync(officialDelegates: 6, guests: 0);
        string[] names = ["Trần Văn Bình", "Phạm Đức Dũng", "Hoàng Minh Châu", "Nguyễn Thị Ánh", "Đỗ Văn Em", "Lê Văn An"];
        var ids = new Guid[names.Length];
        await using (var connection = await _server.Db.OpenConnectionAsync())
        {
            await connection.ExecuteAsync("UPDATE congress SET preset = 'party' WHERE id = @CongressId", new { access.CongressId });
            for (int i = 0; i < names.Length; i++)
            {
                ids[i] = await connection.ExecuteScalarAsync<Guid>(
                    "UPDATE delegate SET full_name = @name WHERE congress_id = @CongressId AND code = @code RETURNING id",
                    new { name = names[i], access.CongressId, code = access.Delegates[i].Code });
            }
        }

        // Bình, Dũng, Em and An vote the steps' motions from real hub connections; Châu and Ánh use their tablets in the browser.
        var voters = await Task.WhenAll(new[] { 0, 1, 4, 5 }.Select(i => _server.ConnectDelegateAsync(access.Delegates[i].Token)));
        try
        {
            var console = await SignedInConsoleAsync(access, "vi");
            var hall = await NewPageAsync("vi", 1280, 720);
            await hall.GotoAsync($"/p#{access.ProjectorCode}");
            await console.GetByRole(AriaRole.Link, new() { Name = "Hồ sơ bầu cử" }).ClickAsync();
            var form = console.GetByTestId("dossier-form");
            await form.GetByTestId("dossier-title").FillAsync("Bầu Ban Chấp hành");
            await form.GetByTestId("dossier-new-seats").FillAsync("2");
            await form.GetByRole(AriaRole.Button, new() { Name = "Tạo hồ sơ bầu cử" }).ClickAsync();
            var dossier = console.Locator("[data-dossier='Bầu Ban Chấp hành']");
            await Assertions.Expect(dossier).ToHaveAttributeAsync("data-step", "Seats");

            // Each voting step: the motion made for it, opened, voted, closed, recorded.
            async Task VoteStepAsync(ILocator where, VoteChoice choice, string recordTestId = "advance")
            {
                // Opening and closing ask first, as on the console's main page: nothing changes until the answer.
                await where.GetByTestId("open-step-vote").ClickAsync();
                await Assertions.Expect(where.Locator("#confirm-step")).ToBeFocusedAsync();
                await Assertions.Expect(where.Locator("[data-poll-state='Draft']")).ToBeVisibleAsync();
                await where.Locator("#confirm-step").ClickAsync();
                await Assertions.Expect(where.Locator("[data-poll-state='Open']")).ToBeVisibleAsync();
                Guid pollId = await OpenPollIdAsync(access);
                var cast = await Task.WhenAll(voters.Select(v => v.InvokeAsync<CastResult>(nameof(ICongressHub.Cast), new CastRequest(pollId, choice, Guid.NewGuid()))));
                Assert.That(cast.Select(c => c.Status), Is.All.EqualTo(CastStatus.Recorded));
                await where.GetByTestId("close-step-vote").ClickAsync();
                await Assertions.Expect(where.GetByRole(AriaRole.Alertdialog)).ToContainTextAsync("Kết thúc biểu quyết");
                await Assertions.Expect(where.Locator("[data-poll-state='Open']")).ToBeVisibleAsync();
                await where.Locator("#confirm-step").ClickAsync();
                await Assertions.Expect(where.Locator("[data-poll-state='Closed']")).ToBeVisibleAsync();
                await where.GetByTestId(recordTestId).ClickAsync();
            }

            await dossier.GetByTestId("make-motion").ClickAsync();
            await VoteStepAsync(dossier, VoteChoice.Yes);
            await Assertions.Expect(dossier).ToHaveAttributeAsync("data-step", "Nominations");

            // The presidium's list, found without diacritics.
            await dossier.GetByTestId("dossier-search").FillAsync("tran van binh");
            await dossier.GetByRole(AriaRole.Button, new() { Name = "Thêm vào danh sách Đoàn Chủ tịch" }).ClickAsync();
            await Assertions.Expect(dossier.GetByTestId("nominees").Locator("li")).ToHaveCountAsync(1);

            // Châu nominates Ánh from her tablet; Ánh accepts on hers. Em, nominated too, declines; An stands himself.
            var chau = await NewPageAsync("vi", 800, 1280);
            await chau.GotoAsync($"/t#{access.Delegates[2].Token}");
            await chau.GetByTestId("nominee-search").FillAsync("nguyen thi anh");
            await chau.GetByRole(AriaRole.Button, new() { Name = "Đề cử Nguyễn Thị Ánh" }).ClickAsync();
            await chau.GetByTestId("nominee-search").FillAsync("do van em");
            await chau.GetByRole(AriaRole.Button, new() { Name = "Đề cử Đỗ Văn Em" }).ClickAsync();
            var anh = await NewPageAsync("vi", 800, 1280);
            await anh.GotoAsync($"/t#{access.Delegates[3].Token}");
            await Assertions.Expect(anh.GetByTestId("nominations")).ToContainTextAsync("Đồng chí được Hoàng Minh Châu đề cử.");
            await anh.GetByTestId("accept-nomination").ClickAsync();
            var (em, an) = (voters[2], voters[3]);
            var emNomination = (await em.InvokeAsync<DossierDto?>(nameof(ICongressHub.Dossier)))!.Nominations.Single(n => n.DelegateId == ids[4]);
            Assert.That((await em.InvokeAsync<DossierAnswer>(nameof(ICongressHub.AnswerNomination), new NominationAnswerRequest(emNomination.Id, false))).Code, Is.Null);
            var dossierId = (await an.InvokeAsync<DossierDto?>(nameof(ICongressHub.Dossier)))!.Id;
            Assert.That((await an.InvokeAsync<DossierAnswer>(nameof(ICongressHub.Nominate), new NominateRequest(dossierId, ids[5]))).Code, Is.Null);
            await Assertions.Expect(chau.GetByTestId("nominations").Locator("ol li")).ToHaveTextAsync(["Lê Văn An", "Nguyễn Thị Ánh", "Trần Văn Bình"]);
            await Assertions.Expect(hall.GetByTestId("stage-dossier").Locator("li")).ToHaveTextAsync(["Lê Văn An", "Nguyễn Thị Ánh", "Trần Văn Bình"]);
            await BrowserSession.ScreenshotAsync(hall, "projector-dossier-nominations-vi");

            // Ánh asks to withdraw from her tablet, Bình from his; the congress accepts hers and refuses his.
            await anh.GetByTestId("withdraw-reason").FillAsync("Lý do sức khỏe");
            await anh.GetByTestId("ask-withdraw").ClickAsync();
            Assert.That((await voters[0].InvokeAsync<DossierAnswer>(nameof(ICongressHub.AskToWithdraw), new WithdrawalRequest(dossierId, "Nhường cho đồng chí trẻ"))).Code, Is.Null);
            await Assertions.Expect(dossier.Locator("li[data-state='WithdrawalAsked']")).ToHaveCountAsync(2);
            await dossier.GetByTestId("advance").ClickAsync();
            await Assertions.Expect(dossier).ToHaveAttributeAsync("data-step", "Withdrawals");
            await VoteStepAsync(dossier.Locator("li", new() { HasText = "Nguyễn Thị Ánh" }), VoteChoice.Yes, "record-withdrawal");
            await VoteStepAsync(dossier.Locator("li", new() { HasText = "Trần Văn Bình" }), VoteChoice.No, "record-withdrawal");
            await Assertions.Expect(dossier.Locator("li[data-state='Withdrawn']")).ToContainTextAsync("Nguyễn Thị Ánh");
            await Assertions.Expect(dossier.Locator("li", new() { HasText = "Trần Văn Bình" })).ToHaveAttributeAsync("data-state", "Accepted");
            await dossier.GetByTestId("advance").ClickAsync();

            // The list, approved, becomes the ballot in Vietnamese order by given name.
            await Assertions.Expect(dossier).ToHaveAttributeAsync("data-step", "List");
            await Assertions.Expect(hall.GetByTestId("stage-dossier").Locator("li")).ToHaveTextAsync(["Lê Văn An", "Trần Văn Bình"]);
            await dossier.GetByTestId("make-motion").ClickAsync();
            await VoteStepAsync(dossier, VoteChoice.Yes);
            await Assertions.Expect(dossier).ToHaveAttributeAsync("data-step", "Committee");

            // A candidate on the counting committee is refused, by name, in the console's language.
            await dossier.GetByTestId("committee-names").FillAsync("Đỗ Văn Em\nLê Văn An");
            await dossier.GetByTestId("save-committee").ClickAsync();
            await Assertions.Expect(console.GetByTestId("dossier-error")).ToHaveTextAsync("Lê Văn An có tên trong danh sách bầu cử nên không thể là thành viên Ban Kiểm phiếu.");
            await dossier.GetByTestId("committee-names").FillAsync("Đỗ Văn Em\nNguyễn Thị Ánh");
            await dossier.GetByTestId("save-committee").ClickAsync();
            await Assertions.Expect(dossier).ToContainTextAsync("Đỗ Văn Em, Nguyễn Thị Ánh");
            await dossier.GetByTestId("make-motion").ClickAsync();
            await VoteStepAsync(dossier, VoteChoice.Yes);
            await Assertions.Expect(dossier).ToHaveAttributeAsync("data-step", "Ballot");
            await BrowserSession.ScreenshotAsync(console, "console-dossier-ballot-vi");

            await using var check = await _server.Db.OpenConnectionAsync();
            var ballot = (await check.QueryAsync<string>(
                "SELECT c.full_name FROM candidate c JOIN election_dossier d ON d.election_poll_id = c.poll_id WHERE d.congress_id = @CongressId ORDER BY c.position",
                new { access.CongressId })).ToList();
            Assert.That(ballot, Is.EqualTo(new[] { "Lê Văn An", "Trần Văn Bình" }));
        }
        finally
        {
            await Task.WhenAll(voters.Select(v => v.DisposeAsync().AsTask()));
        }
    }

    private async Task<Guid> OpenPollIdAsync(DemoAccess access)
    {
        await using var connection = await _server.Db.OpenConnectionAsync();
        return await connection.ExecuteScalarAsync<Guid>("SELECT id FROM poll WHERE congress_id = @CongressId AND state = 'open'", new { access.CongressId });
    }
}

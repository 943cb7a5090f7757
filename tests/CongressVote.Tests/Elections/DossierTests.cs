using System.Net;
using System.Net.Http.Json;
using System.Text.Json;
using CongressVote.Server.Demo;
using CongressVote.Shared;
using CongressVote.Tests.Infrastructure;
using Dapper;
using Microsoft.AspNetCore.SignalR.Client;

namespace CongressVote.Tests.Elections;

/// <summary>
/// The election dossier against the real server and PostgreSQL: each step's motion voted over real WebSockets,
/// nominations, answers and withdrawals from real tablet connections.
/// </summary>
public sealed class DossierTests
{
    private CongressServer _server = default!;

    [OneTimeSetUp]
    public async Task StartServer() => _server = await CongressServer.StartAsync();

    [OneTimeTearDown]
    public async Task StopServer() => await _server.DisposeAsync();

    /// <summary>A congress of six checked-in delegates under <paramref name="preset"/>, named so the orders are known.</summary>
    private async Task<(DemoAccess Access, Guid[] Ids, Guid ItemId)> CongressAsync(string preset)
    {
        var access = await _server.CreateCongressAsync(officialDelegates: 6, guests: 0);
        string[] names = ["Trần Văn Bình", "Phạm Đức Dũng", "Hoàng Minh Châu", "Nguyễn Thị Ánh", "Đỗ Văn Em", "Lê Văn An"];
        await using var connection = await _server.Db.OpenConnectionAsync();
        await connection.ExecuteAsync("UPDATE congress SET preset = @preset WHERE id = @CongressId", new { preset, access.CongressId });
        for (int i = 0; i < names.Length; i++)
        {
            await connection.ExecuteAsync("UPDATE delegate SET full_name = @name WHERE congress_id = @CongressId AND code = @code",
                new { name = names[i], access.CongressId, code = access.Delegates[i].Code });
        }

        var ids = new Guid[names.Length];
        for (int i = 0; i < names.Length; i++)
        {
            ids[i] = await connection.ExecuteScalarAsync<Guid>("SELECT id FROM delegate WHERE congress_id = @CongressId AND code = @code",
                new { access.CongressId, code = access.Delegates[i].Code });
        }

        Guid itemId = await connection.ExecuteScalarAsync<Guid>(
            "SELECT id FROM agenda_item WHERE congress_id = @CongressId AND kind = 'election' ORDER BY position LIMIT 1", new { access.CongressId });
        return (access, ids, itemId);
    }

    private static async Task<DossierDto> OkAsync(Task<HttpResponseMessage> call)
    {
        using var response = await call;
        Assert.That(response.StatusCode, Is.EqualTo(HttpStatusCode.OK), await response.Content.ReadAsStringAsync());
        return (await response.Content.ReadFromJsonAsync<DossierDto>(TestJson.Options))!;
    }

    /// <summary>The refusal's code and arguments; the request must not have succeeded.</summary>
    private static async Task<(HttpStatusCode Status, string Code, string[] Args)> RefusedAsync(Task<HttpResponseMessage> call)
    {
        using var response = await call;
        using var json = JsonDocument.Parse(await response.Content.ReadAsStringAsync());
        string[] args = json.RootElement.TryGetProperty("args", out var a) ? a.EnumerateArray().Select(x => x.GetString()!).ToArray() : [];
        return (response.StatusCode, json.RootElement.GetProperty("code").GetString()!, args);
    }

    /// <summary>Opens a motion, every delegate votes <paramref name="choice"/> on their tablet, and it closes.</summary>
    private async Task VoteAsync(HttpClient secretary, IReadOnlyList<HubConnection> tablets, Guid pollId, VoteChoice choice)
    {
        using var opened = await secretary.PostAsync(Routes.OpenPoll(pollId), null);
        Assert.That(opened.StatusCode, Is.EqualTo(HttpStatusCode.OK), await opened.Content.ReadAsStringAsync());
        var results = await Task.WhenAll(tablets.Select(t => t.InvokeAsync<CastResult>(nameof(ICongressHub.Cast), new CastRequest(pollId, choice, Guid.NewGuid()))));
        Assert.That(results.Select(r => r.Status), Is.All.EqualTo(CastStatus.Recorded));
        using var closed = await secretary.PostAsync(Routes.ClosePoll(pollId), null);
        Assert.That(closed.StatusCode, Is.EqualTo(HttpStatusCode.OK), await closed.Content.ReadAsStringAsync());
    }

    private static Task<HttpResponseMessage> AdvanceAsync(HttpClient secretary, DossierDto dossier, bool skip = false) =>
        secretary.PostAsJsonAsync($"/api/dossiers/{dossier.Id}/advance", new DossierAdvanceDto(dossier.Step, skip), TestJson.Options);

    /// <summary>Makes the step's motion, the congress approves it, and the dossier moves on.</summary>
    private async Task<DossierDto> ApproveStepAsync(HttpClient secretary, IReadOnlyList<HubConnection> tablets, DossierDto dossier)
    {
        var withMotion = await OkAsync(secretary.PostAsJsonAsync($"/api/dossiers/{dossier.Id}/motion", new DossierMotionDto(), TestJson.Options));
        await VoteAsync(secretary, tablets, withMotion.StepPollId!.Value, VoteChoice.Yes);
        return await OkAsync(AdvanceAsync(secretary, withMotion));
    }

    private static async Task<HubConnection[]> TabletsAsync(CongressServer server, DemoAccess access) =>
        await Task.WhenAll(access.Delegates.Select(d => server.ConnectDelegateAsync(d.Token)));

    [Test, CancelAfter(120_000)]
    public async Task A_party_election_runs_from_the_number_to_elect_to_a_ballot_equal_to_the_approved_list_in_vietnamese_order()
    {
        var (access, ids, itemId) = await CongressAsync("party");
        using var secretary = await _server.SignInStaffAsync(access);
        var tablets = await TabletsAsync(_server, access);
        var pushes = new List<DossierDto>();
        tablets[5].On<DossierDto>(nameof(ICongressClient.DossierChanged), d => { lock (pushes) { pushes.Add(d); } });
        try
        {
            var dossier = await OkAsync(secretary.PostAsJsonAsync("/api/dossiers", new DossierCreateDto(itemId, "Bầu Ban Chấp hành", 2), TestJson.Options));
            Assert.That(dossier.Step, Is.EqualTo(DossierStep.Seats));

            // The ballot exists from the start, and cannot open before its list is approved.
            var early = await RefusedAsync(secretary.PostAsync(Routes.OpenPoll(dossier.ElectionPollId), null));
            Assert.That((early.Status, early.Code), Is.EqualTo((HttpStatusCode.Conflict, "ballot_list_not_approved")));
            Assert.That(await _server.CountAsync("SELECT count(*) FROM poll WHERE id = $1 AND state = 'draft'", dossier.ElectionPollId), Is.EqualTo(1));

            // 1. The number to elect, by an open motion worded for it under the preset's rule for decisions.
            var seatsMotion = await OkAsync(secretary.PostAsJsonAsync($"/api/dossiers/{dossier.Id}/motion", new DossierMotionDto(), TestJson.Options));
            await using (var connection = await _server.Db.OpenConnectionAsync())
            {
                var poll = await connection.QuerySingleAsync<(string Title, string Question, bool Secret, string RuleBase)>(
                    "SELECT title, question, secret, rule_base FROM poll WHERE id = @id", new { id = seatsMotion.StepPollId });
                Assert.That(poll.Title, Does.StartWith("Thông qua số lượng bầu"));
                Assert.That(poll.Question, Does.Contain("The congress approves the number to elect"));
                Assert.That((poll.Secret, poll.RuleBase), Is.EqualTo((false, "Summoned")));
            }

            var refusedSkip = await RefusedAsync(AdvanceAsync(secretary, seatsMotion, skip: true));
            Assert.That(refusedSkip.Code, Is.EqualTo("step_not_skippable"), "a Party congress votes every step");
            var notYet = await RefusedAsync(AdvanceAsync(secretary, seatsMotion));
            Assert.That(notYet.Code, Is.EqualTo("step_vote_not_closed"));
            await VoteAsync(secretary, tablets, seatsMotion.StepPollId!.Value, VoteChoice.Yes);
            dossier = await OkAsync(AdvanceAsync(secretary, seatsMotion));
            Assert.That(dossier.Step, Is.EqualTo(DossierStep.Nominations));
            Assert.That(dossier.Recorded.Single().Verdict, Is.EqualTo(Verdict.Passed));

            // 2. The presidium's list, then nominations from the tablets: one accepted, one declined, one standing themself.
            dossier = await OkAsync(secretary.PutAsJsonAsync($"/api/dossiers/{dossier.Id}/presidium-list", new NomineesDto([ids[0], ids[1]]), TestJson.Options));
            var found = await tablets[2].InvokeAsync<List<NomineeDto>>(nameof(ICongressHub.SearchNominees), new NomineeSearchRequest("nguyen thi anh"));
            Assert.That(found.Select(f => f.Id), Is.EqualTo(new[] { ids[3] }), "found without diacritics");
            Assert.That((await tablets[2].InvokeAsync<DossierAnswer>(nameof(ICongressHub.Nominate), new NominateRequest(dossier.Id, ids[3]))).Code, Is.Null);
            Assert.That((await tablets[2].InvokeAsync<DossierAnswer>(nameof(ICongressHub.Nominate), new NominateRequest(dossier.Id, ids[4]))).Code, Is.Null);
            Assert.That((await tablets[5].InvokeAsync<DossierAnswer>(nameof(ICongressHub.Nominate), new NominateRequest(dossier.Id, ids[5]))).Code, Is.Null);
            var again = await tablets[1].InvokeAsync<DossierAnswer>(nameof(ICongressHub.Nominate), new NominateRequest(dossier.Id, ids[3]));
            Assert.That(again.Code, Is.EqualTo("already_nominated"));

            var seen = (await tablets[3].InvokeAsync<DossierDto?>(nameof(ICongressHub.Dossier)))!;
            var forAnh = seen.Nominations.Single(n => n.DelegateId == ids[3]);
            var forEm = seen.Nominations.Single(n => n.DelegateId == ids[4]);
            Assert.That((forAnh.State, forAnh.Source, forAnh.NominatedBy), Is.EqualTo((NominationState.Proposed, NominationSource.Delegate, "Hoàng Minh Châu")));
            Assert.That(seen.Nominations.Single(n => n.DelegateId == ids[5]).State, Is.EqualTo(NominationState.Accepted), "standing oneself needs no answer");
            var notMine = await tablets[2].InvokeAsync<DossierAnswer>(nameof(ICongressHub.AnswerNomination), new NominationAnswerRequest(forAnh.Id, true));
            Assert.That(notMine.Code, Is.EqualTo("unknown_nomination"), "only the nominee answers");
            var pending = await RefusedAsync(AdvanceAsync(secretary, dossier));
            Assert.That(pending.Code, Is.EqualTo("nominations_pending"));
            Assert.That((await tablets[3].InvokeAsync<DossierAnswer>(nameof(ICongressHub.AnswerNomination), new NominationAnswerRequest(forAnh.Id, true))).Code, Is.Null);
            Assert.That((await tablets[4].InvokeAsync<DossierAnswer>(nameof(ICongressHub.AnswerNomination), new NominationAnswerRequest(forEm.Id, false))).Code, Is.Null);

            // 3. Withdrawals: asked from the nominee's tablet with a reason, each a motion of the congress.
            var notListed = await tablets[4].InvokeAsync<DossierAnswer>(nameof(ICongressHub.AskToWithdraw), new WithdrawalRequest(dossier.Id, "Lý do sức khỏe"));
            Assert.That(notListed.Code, Is.EqualTo("not_on_list"), "a delegate who declined is not on the list");
            var noReason = await tablets[1].InvokeAsync<DossierAnswer>(nameof(ICongressHub.AskToWithdraw), new WithdrawalRequest(dossier.Id, "  "));
            Assert.That(noReason.Code, Is.EqualTo("withdrawal_needs_reason"));
            Assert.That((await tablets[1].InvokeAsync<DossierAnswer>(nameof(ICongressHub.AskToWithdraw), new WithdrawalRequest(dossier.Id, "Lý do sức khỏe"))).Code, Is.Null);
            Assert.That((await tablets[0].InvokeAsync<DossierAnswer>(nameof(ICongressHub.AskToWithdraw), new WithdrawalRequest(dossier.Id, "Nhường cho đồng chí trẻ hơn"))).Code, Is.Null);
            dossier = await OkAsync(AdvanceAsync(secretary, dossier with { Step = DossierStep.Nominations }));
            Assert.That(dossier.Step, Is.EqualTo(DossierStep.Withdrawals));

            var dung = dossier.Nominations.Single(n => n.DelegateId == ids[1]);
            var binh = dossier.Nominations.Single(n => n.DelegateId == ids[0]);
            Assert.That(dung.State, Is.EqualTo(NominationState.WithdrawalAsked));
            Assert.That((await RefusedAsync(AdvanceAsync(secretary, dossier))).Code, Is.EqualTo("withdrawals_pending"));
            await VoteAsync(secretary, tablets, dung.WithdrawalPollId!.Value, VoteChoice.Yes);
            await VoteAsync(secretary, tablets, binh.WithdrawalPollId!.Value, VoteChoice.No);
            await OkAsync(secretary.PostAsync($"/api/dossiers/{dossier.Id}/withdrawals/{dung.Id}/record", null));
            dossier = await OkAsync(secretary.PostAsync($"/api/dossiers/{dossier.Id}/withdrawals/{binh.Id}/record", null));
            Assert.That(dossier.Nominations.Single(n => n.DelegateId == ids[1]).State, Is.EqualTo(NominationState.Withdrawn), "the accepted withdrawal leaves the list");
            Assert.That(dossier.Nominations.Single(n => n.DelegateId == ids[0]).State, Is.EqualTo(NominationState.Accepted), "the refused one stays");
            dossier = await OkAsync(AdvanceAsync(secretary, dossier));

            // 4. The list, approved by the congress, becomes the ballot in Vietnamese order by given name.
            dossier = await ApproveStepAsync(secretary, tablets, dossier);
            Assert.That(dossier.Step, Is.EqualTo(DossierStep.Committee));
            await using (var connection = await _server.Db.OpenConnectionAsync())
            {
                var ballot = (await connection.QueryAsync<string>("SELECT full_name FROM candidate WHERE poll_id = @id ORDER BY position", new { id = dossier.ElectionPollId })).ToList();
                Assert.That(ballot, Is.EqualTo(new[] { "Lê Văn An", "Nguyễn Thị Ánh", "Trần Văn Bình" }));
            }

            var late = await tablets[2].InvokeAsync<DossierAnswer>(nameof(ICongressHub.Nominate), new NominateRequest(dossier.Id, ids[2]));
            Assert.That(late.Code, Is.EqualTo("nominations_closed"), "no nomination once the list is frozen");
            var committeeEarly = await RefusedAsync(secretary.PostAsync(Routes.OpenPoll(dossier.ElectionPollId), null));
            Assert.That(committeeEarly.Code, Is.EqualTo("ballot_committee_not_approved"));

            // 5. The counting committee: a candidate on it is refused, named, and nothing changes.
            var clash = await RefusedAsync(secretary.PutAsJsonAsync($"/api/dossiers/{dossier.Id}/committee", new CommitteeDto(["Đỗ Văn Em", "nguyen thi anh"]), TestJson.Options));
            Assert.That((clash.Status, clash.Code, clash.Args), Is.EqualTo((HttpStatusCode.Conflict, "committee_member_candidate", new[] { "nguyen thi anh" })));
            Assert.That((await secretary.GetFromJsonAsync<DossierDto>($"/api/dossiers/{dossier.Id}", TestJson.Options))!.Committee, Is.Empty);
            dossier = await OkAsync(secretary.PutAsJsonAsync($"/api/dossiers/{dossier.Id}/committee", new CommitteeDto(["Đỗ Văn Em", "Phạm Đức Dũng"]), TestJson.Options));
            dossier = await ApproveStepAsync(secretary, tablets, dossier);
            Assert.That(dossier.Step, Is.EqualTo(DossierStep.Ballot));
            await using (var connection = await _server.Db.OpenConnectionAsync())
            {
                Assert.That(await connection.ExecuteScalarAsync<string>("SELECT counting_committee FROM congress WHERE id = @CongressId", new { access.CongressId }),
                    Is.EqualTo("Đỗ Văn Em\nPhạm Đức Dũng"), "the counting minutes name the approved committee, head first");
            }

            // 6. The secret ballot opens now, with the approved list.
            using var open = await secretary.PostAsync(Routes.OpenPoll(dossier.ElectionPollId), null);
            Assert.That(open.StatusCode, Is.EqualTo(HttpStatusCode.OK));
            var steps = dossier.Recorded.Select(r => (r.Step, r.Verdict)).ToList();
            Assert.That(steps, Is.EqualTo(new (DossierStep, Verdict?)[]
            {
                (DossierStep.Seats, Verdict.Passed), (DossierStep.Nominations, null), (DossierStep.Withdrawals, null),
                (DossierStep.List, Verdict.Passed), (DossierStep.Committee, Verdict.Passed),
            }));
            lock (pushes)
            {
                Assert.That(pushes.Any(p => p.Step == DossierStep.Nominations && p.Nominations.Any(n => n.DelegateId == ids[3])), "tablets heard the list grow");
            }
        }
        finally
        {
            await Task.WhenAll(tablets.Select(t => t.DisposeAsync().AsTask()));
        }
    }

    [Test, CancelAfter(120_000)]
    public async Task A_number_to_elect_the_congress_refuses_is_changed_and_voted_again_and_the_ballot_takes_the_approved_number()
    {
        var (access, _, itemId) = await CongressAsync("mass_organisation");
        using var secretary = await _server.SignInStaffAsync(access);
        var tablets = await TabletsAsync(_server, access);
        try
        {
            var dossier = await OkAsync(secretary.PostAsJsonAsync("/api/dossiers", new DossierCreateDto(itemId, "Bầu Ban Kiểm tra", 5), TestJson.Options));
            var first = await OkAsync(secretary.PostAsJsonAsync($"/api/dossiers/{dossier.Id}/motion", new DossierMotionDto(), TestJson.Options));
            var twice = await RefusedAsync(secretary.PostAsJsonAsync($"/api/dossiers/{dossier.Id}/motion", new DossierMotionDto(), TestJson.Options));
            Assert.That(twice.Code, Is.EqualTo("step_motion_exists"));
            await VoteAsync(secretary, tablets, first.StepPollId!.Value, VoteChoice.No);
            var refused = await RefusedAsync(AdvanceAsync(secretary, first));
            Assert.That(refused.Code, Is.EqualTo("step_vote_failed"));

            var second = await OkAsync(secretary.PostAsJsonAsync($"/api/dossiers/{dossier.Id}/motion", new DossierMotionDto(3), TestJson.Options));
            Assert.That(second.StepPollId, Is.Not.EqualTo(first.StepPollId));
            await VoteAsync(secretary, tablets, second.StepPollId!.Value, VoteChoice.Yes);
            var moved = await OkAsync(AdvanceAsync(secretary, second));

            Assert.That((moved.Step, moved.Seats), Is.EqualTo((DossierStep.Nominations, 3)));
            Assert.That(await _server.CountAsync("SELECT seats FROM poll WHERE id = $1", moved.ElectionPollId), Is.EqualTo(3));
            Assert.That(moved.Recorded.Single().PollId, Is.EqualTo(second.StepPollId), "the dossier records the motion that decided the step");
        }
        finally
        {
            await Task.WhenAll(tablets.Select(t => t.DisposeAsync().AsTask()));
        }
    }

    [Test, CancelAfter(60_000)]
    public async Task Two_consoles_moving_the_same_step_at_once_move_it_once()
    {
        var (access, _, itemId) = await CongressAsync("simple");
        using var first = await _server.SignInStaffAsync(access);
        using var second = await _server.SignInStaffAsync(access, "chair");
        var dossier = await OkAsync(first.PostAsJsonAsync("/api/dossiers", new DossierCreateDto(itemId, "Bầu Ban Điều hành", 1), TestJson.Options));
        var answers = await Task.WhenAll(AdvanceAsync(first, dossier, skip: true), AdvanceAsync(second, dossier, skip: true));
        try
        {
            Assert.That(answers.Select(a => a.StatusCode), Is.EquivalentTo(new[] { HttpStatusCode.OK, HttpStatusCode.Conflict }));
            Assert.That(await _server.CountAsync("SELECT count(*) FROM election_dossier_step WHERE dossier_id = $1", dossier.Id), Is.EqualTo(1));
            Assert.That(await _server.CountAsync("SELECT count(*) FROM audit_event WHERE subject = $1::text AND action = 'dossier.advance'", dossier.Id), Is.EqualTo(1));
        }
        finally
        {
            foreach (var answer in answers)
            {
                answer.Dispose();
            }
        }
    }

    [Test, CancelAfter(60_000)]
    public async Task A_simple_assembly_skips_the_votes_and_keeps_the_presidium_order_with_nominations_after()
    {
        var (access, ids, itemId) = await CongressAsync("simple");
        using var secretary = await _server.SignInStaffAsync(access);
        await using var tablet = await _server.ConnectDelegateAsync(access.Delegates[5].Token);
        var dossier = await OkAsync(secretary.PostAsJsonAsync("/api/dossiers", new DossierCreateDto(itemId, "Bầu Ban Điều hành", 2), TestJson.Options));
        dossier = await OkAsync(AdvanceAsync(secretary, dossier, skip: true));
        dossier = await OkAsync(secretary.PutAsJsonAsync($"/api/dossiers/{dossier.Id}/presidium-list", new NomineesDto([ids[2], ids[0]]), TestJson.Options));
        Assert.That((await tablet.InvokeAsync<DossierAnswer>(nameof(ICongressHub.Nominate), new NominateRequest(dossier.Id, ids[5]))).Code, Is.Null);
        dossier = await OkAsync(secretary.PostAsJsonAsync($"/api/dossiers/{dossier.Id}/paper-nominations", new NomineesDto([ids[3]]), TestJson.Options));
        dossier = await OkAsync(AdvanceAsync(secretary, dossier));
        dossier = await OkAsync(AdvanceAsync(secretary, dossier));
        dossier = await OkAsync(AdvanceAsync(secretary, dossier, skip: true));
        dossier = await OkAsync(AdvanceAsync(secretary, dossier, skip: true));
        Assert.That(dossier.Step, Is.EqualTo(DossierStep.Ballot));
        Assert.That(dossier.Recorded.Where(r => r.Step is DossierStep.Seats or DossierStep.List or DossierStep.Committee).Select(r => r.Skipped), Is.All.True);
        await using var connection = await _server.Db.OpenConnectionAsync();
        var ballot = (await connection.QueryAsync<string>("SELECT full_name FROM candidate WHERE poll_id = @id ORDER BY position", new { id = dossier.ElectionPollId })).ToList();
        Assert.That(ballot, Is.EqualTo(new[] { "Hoàng Minh Châu", "Trần Văn Bình", "Lê Văn An", "Nguyễn Thị Ánh" }), "the presidium's order, then nominations as they came");
    }

    [Test, CancelAfter(60_000)]
    public async Task Refusals_name_the_reason_and_change_nothing()
    {
        var (access, ids, itemId) = await CongressAsync("mass_organisation");
        using var secretary = await _server.SignInStaffAsync(access);
        await using var tablet = await _server.ConnectDelegateAsync(access.Delegates[0].Token);
        var dossier = await OkAsync(secretary.PostAsJsonAsync("/api/dossiers", new DossierCreateDto(itemId, "Bầu Ban Kiểm tra", 1), TestJson.Options));
        long auditBefore = await _server.CountAsync("SELECT count(*) FROM audit_event WHERE congress_id = $1", access.CongressId);

        var beforeOpen = await tablet.InvokeAsync<DossierAnswer>(nameof(ICongressHub.Nominate), new NominateRequest(dossier.Id, ids[1]));
        var withdrawal = await tablet.InvokeAsync<DossierAnswer>(nameof(ICongressHub.AskToWithdraw), new WithdrawalRequest(dossier.Id, "Lý do gia đình"));
        var unknown = await tablet.InvokeAsync<DossierAnswer>(nameof(ICongressHub.Nominate), new NominateRequest(Guid.NewGuid(), ids[1]));
        var ballot = await RefusedAsync(secretary.PostAsync(Routes.OpenPoll(dossier.ElectionPollId), null));
        var noVote = await RefusedAsync(AdvanceAsync(secretary, dossier));
        var wrongStep = await RefusedAsync(secretary.PostAsJsonAsync($"/api/dossiers/{dossier.Id}/advance", new DossierAdvanceDto(DossierStep.List), TestJson.Options));
        var candidates = await RefusedAsync(secretary.PutAsJsonAsync($"/api/elections/{dossier.ElectionPollId}/candidates",
            new List<CandidateEditDto> { new("Người ngoài danh sách", null, null, null) }, TestJson.Options));
        var seats = await RefusedAsync(secretary.PostAsJsonAsync($"/api/dossiers/{dossier.Id}/motion", new DossierMotionDto(0), TestJson.Options));

        Assert.Multiple(async () =>
        {
            Assert.That(beforeOpen.Code, Is.EqualTo("nominations_closed"));
            Assert.That(withdrawal.Code, Is.EqualTo("withdrawals_closed"));
            Assert.That(unknown.Code, Is.EqualTo("unknown_dossier"));
            Assert.That(ballot.Code, Is.EqualTo("ballot_list_not_approved"));
            Assert.That(noVote.Code, Is.EqualTo("step_needs_vote"));
            Assert.That(wrongStep.Code, Is.EqualTo("dossier_step_moved"));
            Assert.That(candidates.Code, Is.EqualTo("candidates_from_dossier"));
            Assert.That((seats.Status, seats.Code), Is.EqualTo((HttpStatusCode.BadRequest, "bad_seats")));
            Assert.That(await _server.CountAsync("SELECT count(*) FROM nomination WHERE dossier_id = $1", dossier.Id), Is.Zero);
            Assert.That(await _server.CountAsync("SELECT count(*) FROM candidate WHERE poll_id = $1", dossier.ElectionPollId), Is.Zero);
            Assert.That(await _server.CountAsync("SELECT count(*) FROM poll WHERE id = $1 AND state = 'draft' AND seats = 1", dossier.ElectionPollId), Is.EqualTo(1));
            Assert.That(await _server.CountAsync("SELECT count(*) FROM audit_event WHERE congress_id = $1", access.CongressId), Is.EqualTo(auditBefore));
        });
    }

    [Test, CancelAfter(120_000)]
    public async Task Seats_left_after_the_ballot_go_to_a_second_round_from_the_same_dossier()
    {
        var (access, ids, itemId) = await CongressAsync("simple");
        using var secretary = await _server.SignInStaffAsync(access);
        var tablets = await TabletsAsync(_server, access);
        try
        {
            var dossier = await OkAsync(secretary.PostAsJsonAsync("/api/dossiers", new DossierCreateDto(itemId, "Bầu Ban Điều hành", 2), TestJson.Options));
            dossier = await OkAsync(AdvanceAsync(secretary, dossier, skip: true));
            dossier = await OkAsync(secretary.PutAsJsonAsync($"/api/dossiers/{dossier.Id}/presidium-list", new NomineesDto([ids[0], ids[1], ids[2]]), TestJson.Options));
            for (int i = 0; i < 4; i++)
            {
                dossier = await OkAsync(AdvanceAsync(secretary, dossier, skip: dossier.Step is DossierStep.List or DossierStep.Committee));
            }

            Assert.That(dossier.Step, Is.EqualTo(DossierStep.Ballot));
            using (var opened = await secretary.PostAsync(Routes.OpenPoll(dossier.ElectionPollId), null))
            {
                Assert.That(opened.StatusCode, Is.EqualTo(HttpStatusCode.OK));
            }

            // Everyone keeps candidate 1 and candidates 2 and 3 tie: one seat filled, a tie for the second.
            int[][] kept = [[1, 2], [1, 3], [1, 2], [1, 3], [1], [1]];
            var cast = await Task.WhenAll(tablets.Select((t, i) => t.InvokeAsync<CastResult>(nameof(ICongressHub.Cast),
                new CastRequest(dossier.ElectionPollId, VoteChoice.Yes, Guid.NewGuid(), null, kept[i], Receipts.NewCode()))));
            Assert.That(cast.Select(c => c.Status), Is.All.EqualTo(CastStatus.Recorded));
            var closed = await _server.ClosePollAsync(access, dossier.ElectionPollId);
            Assert.That(closed.Election!.Verdict, Is.EqualTo(Verdict.Tie));

            var early = await RefusedAsync(secretary.PostAsync($"/api/dossiers/{dossier.Id}/second-round", null));
            Assert.That(early.Code, Is.EqualTo("no_runoff_needed"), "the ballot's result is recorded first");
            dossier = await OkAsync(AdvanceAsync(secretary, dossier));
            Assert.That(dossier.Step, Is.EqualTo(DossierStep.Result));
            Assert.That(dossier.Recorded[^1].Verdict, Is.EqualTo(Verdict.Tie));
            var second = await OkAsync(secretary.PostAsync($"/api/dossiers/{dossier.Id}/second-round", null));
            Assert.That((second.Step, second.Round), Is.EqualTo((DossierStep.Ballot, 2)));
            await using var connection = await _server.Db.OpenConnectionAsync();
            var round = await connection.QuerySingleAsync<(int Seats, Guid RunoffOf)>("SELECT seats, runoff_of FROM poll WHERE id = @id", new { id = second.ElectionPollId });
            var names = (await connection.QueryAsync<string>("SELECT full_name FROM candidate WHERE poll_id = @id ORDER BY position", new { id = second.ElectionPollId })).ToList();
            Assert.That(round, Is.EqualTo((1, dossier.ElectionPollId)));
            Assert.That(names, Is.EqualTo(new[] { "Phạm Đức Dũng", "Hoàng Minh Châu" }), "the tied candidates, in the list's order");
        }
        finally
        {
            await Task.WhenAll(tablets.Select(t => t.DisposeAsync().AsTask()));
        }
    }
}

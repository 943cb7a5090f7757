using System.Collections.Concurrent;
using System.Net;
using System.Net.Http.Json;
using System.Text;
using CongressVote.Server.Demo;
using CongressVote.Shared;
using CongressVote.Tests.Infrastructure;
using Dapper;
using Microsoft.AspNetCore.SignalR.Client;

namespace CongressVote.Tests.Elections;

/// <summary>Elections by secret ballot against the real server and PostgreSQL, ballots cast over real WebSockets.</summary>
public sealed class ElectionTests
{
    private CongressServer _server = default!;

    [OneTimeSetUp]
    public async Task StartServer() => _server = await CongressServer.StartAsync();

    [OneTimeTearDown]
    public async Task StopServer() => await _server.DisposeAsync();

    private static CastRequest Ballot(Guid pollId, params int[] kept) => new(pollId, VoteChoice.Yes, Guid.NewGuid(), null, kept, Receipts.NewCode());

    /// <summary>Signs in one of the demo's two vote-counting committee members (0 or 1).</summary>
    private async Task<HttpClient> SignInCountingAsync(DemoAccess access, int member)
    {
        var (client, _) = _server.NewBrowserlessClient();
        var account = access.Staff.Where(s => s.Role == "counting").ElementAt(member);
        using var response = await client.PostAsJsonAsync(Routes.StaffLogin, new StaffLoginRequest(account.UserName, account.Password));
        response.EnsureSuccessStatusCode();
        return client;
    }

    /// <summary>A new election on the congress's election item, with its candidates, created through the API.</summary>
    private async Task<PollDto> NewElectionAsync(DemoAccess access, int seats, int candidates, bool emptyBallotValid = true)
    {
        using var secretary = await _server.SignInStaffAsync(access);
        await using var connection = await _server.Db.OpenConnectionAsync();
        Guid itemId = await connection.ExecuteScalarAsync<Guid>(
            "SELECT id FROM agenda_item WHERE congress_id = @CongressId AND kind = 'election'", new { access.CongressId });
        using var created = await secretary.PostAsJsonAsync("/api/elections", new ElectionEditDto(itemId, "Bầu Ban Kiểm tra", seats, emptyBallotValid, null), TestJson.Options);
        created.EnsureSuccessStatusCode();
        var poll = (await created.Content.ReadFromJsonAsync<PollDto>(TestJson.Options))!;
        var list = Enumerable.Range(1, candidates).Select(i => new CandidateEditDto($"Ứng viên {i}", 1970 + i, "Ủy viên", "Quân khu 1")).ToList();
        using var saved = await secretary.PutAsJsonAsync($"/api/elections/{poll.Id}/candidates", list, TestJson.Options);
        saved.EnsureSuccessStatusCode();
        return (await saved.Content.ReadFromJsonAsync<PollDto>(TestJson.Options))!;
    }

    private async Task<PollDto> OpenAsync(DemoAccess access, Guid pollId)
    {
        using var secretary = await _server.SignInStaffAsync(access);
        using var response = await secretary.PostAsync(Routes.OpenPoll(pollId), null);
        response.EnsureSuccessStatusCode();
        return (await response.Content.ReadFromJsonAsync<PollDto>(TestJson.Options))!;
    }

    [Test, CancelAfter(180_000)]
    public async Task Ballots_from_363_delegates_at_once_over_18_candidates_give_exact_totals_and_unlinkable_rows()
    {
        var access = await _server.CreateCongressAsync(officialDelegates: 363, guests: 0);
        Guid pollId = await _server.PollIdAsync(access, "Bầu Ban Chấp hành");
        await OpenAsync(access, pollId);
        await using var projector = await _server.ConnectProjectorAsync(access.ProjectorCode);
        var tallies = new ConcurrentQueue<TallyDto>();
        projector.On<TallyDto>(nameof(ICongressClient.TallyChanged), tallies.Enqueue);

        // Each delegate keeps between 0 and 15 of the 18 names, chosen at random but reproducibly.
        var kept = Enumerable.Range(0, 363).Select(i =>
        {
            var random = new Random(i);
            return Enumerable.Range(1, 18).OrderBy(_ => random.Next()).Take(i % 16).Order().ToArray();
        }).ToArray();
        var expected = Enumerable.Range(1, 18).ToDictionary(p => p, p => kept.Count(k => k.Contains(p)));

        var delegates = await Task.WhenAll(access.Delegates.Select(d => _server.ConnectDelegateAsync(d.Token)));
        try
        {
            var results = await Task.WhenAll(delegates.Select((hub, i) => hub.InvokeAsync<CastResult>(nameof(ICongressHub.Cast), Ballot(pollId, kept[i]))));
            Assert.That(results.Select(r => r.Status), Is.All.EqualTo(CastStatus.Recorded));

            var deadline = DateTime.UtcNow.AddSeconds(10);
            while (DateTime.UtcNow < deadline && tallies.LastOrDefault()?.Turnout != 363)
            {
                await Task.Delay(50);
            }

            var closed = await _server.ClosePollAsync(access, pollId);
            var election = closed.Election!;
            await using var connection = await _server.Db.OpenConnectionAsync();
            var ballotColumns = (await connection.QueryAsync<string>(
                "SELECT column_name FROM information_schema.columns WHERE table_name = 'ballot'")).ToHashSet();
            Assert.Multiple(async () =>
            {
                Assert.That(tallies.Last().Turnout, Is.EqualTo(363), "the projector saw the whole turnout");
                Assert.That(tallies.Select(t => t.Counts), Is.All.Null, "nothing but turnout while the election is open");
                Assert.That(election.Ranked.ToDictionary(r => r.Position, r => r.Votes), Is.EqualTo(expected));
                Assert.That((election.Issued, election.Returned, election.Valid, election.Invalid), Is.EqualTo((363, 363, 363, 0)));
                Assert.That(election.Elected, Is.LessThanOrEqualTo(15));
                // Unlinkable: who voted holds no ballot; a ballot holds no voter, no time, no sequence.
                Assert.That(await _server.CountAsync("SELECT count(*) FROM poll_voter WHERE poll_id = $1 AND ballot_id IS NULL", pollId), Is.EqualTo(363));
                Assert.That(ballotColumns, Is.EquivalentTo(new[] { "poll_id", "id", "choice", "weight", "kept", "receipt" }));
                Assert.That(await _server.CountAsync("SELECT count(*) FROM ballot WHERE poll_id = $1 AND substr(id::text, 15, 1) = '4'", pollId), Is.EqualTo(363), "random (v4) ids");
            });
        }
        finally
        {
            await Task.WhenAll(delegates.Select(d => d.DisposeAsync().AsTask()));
        }
    }

    [Test]
    public async Task A_ballot_keeping_more_names_than_seats_or_an_unknown_name_is_refused_and_stores_nothing()
    {
        var access = await _server.CreateCongressAsync(officialDelegates: 4, guests: 0);
        var poll = await NewElectionAsync(access, seats: 2, candidates: 4);
        await OpenAsync(access, poll.Id);
        await using var hub = await _server.ConnectDelegateAsync(access.Delegates[0].Token);

        var tooMany = await hub.InvokeAsync<CastResult>(nameof(ICongressHub.Cast), Ballot(poll.Id, 1, 2, 3));
        var unknown = await hub.InvokeAsync<CastResult>(nameof(ICongressHub.Cast), Ballot(poll.Id, 1, 9));
        var noReceipt = await hub.InvokeAsync<CastResult>(nameof(ICongressHub.Cast), new CastRequest(poll.Id, VoteChoice.Yes, Guid.NewGuid(), null, [1], null));
        var asMotion = await hub.InvokeAsync<CastResult>(nameof(ICongressHub.Cast), new CastRequest(poll.Id, VoteChoice.Yes, Guid.NewGuid()));
        long stored = await _server.CountAsync("SELECT count(*) FROM ballot WHERE poll_id = $1", poll.Id);
        var valid = await hub.InvokeAsync<CastResult>(nameof(ICongressHub.Cast), Ballot(poll.Id, 2, 4));

        Assert.Multiple(() =>
        {
            Assert.That(tooMany.Status, Is.EqualTo(CastStatus.InvalidBallot));
            Assert.That(unknown.Status, Is.EqualTo(CastStatus.InvalidBallot));
            Assert.That(noReceipt.Status, Is.EqualTo(CastStatus.InvalidBallot));
            Assert.That(asMotion.Status, Is.EqualTo(CastStatus.InvalidBallot), "a yes/no ballot is not an election ballot");
            Assert.That(stored, Is.Zero);
            Assert.That(valid.Status, Is.EqualTo(CastStatus.Recorded), "the refusals did not use up the delegate's ballot");
        });
    }

    [Test]
    public async Task An_empty_ballot_counts_as_valid_where_the_election_says_so_and_is_refused_where_not()
    {
        var access = await _server.CreateCongressAsync(officialDelegates: 4, guests: 0);
        var lenient = await NewElectionAsync(access, seats: 1, candidates: 2, emptyBallotValid: true);
        await OpenAsync(access, lenient.Id);
        CastResult emptyAllowed;
        await using (var hub = await _server.ConnectDelegateAsync(access.Delegates[0].Token))
        {
            emptyAllowed = await hub.InvokeAsync<CastResult>(nameof(ICongressHub.Cast), Ballot(lenient.Id));
        }

        var closed = await _server.ClosePollAsync(access, lenient.Id);
        var strict = await NewElectionAsync(access, seats: 1, candidates: 2, emptyBallotValid: false);
        await OpenAsync(access, strict.Id);
        await using var second = await _server.ConnectDelegateAsync(access.Delegates[1].Token);
        var emptyRefused = await second.InvokeAsync<CastResult>(nameof(ICongressHub.Cast), Ballot(strict.Id));

        Assert.Multiple(async () =>
        {
            Assert.That(emptyAllowed.Status, Is.EqualTo(CastStatus.Recorded));
            Assert.That((closed.Election!.Valid, closed.Election.Ranked.Sum(r => r.Votes)), Is.EqualTo((1, 0)), "a valid ballot with no votes");
            Assert.That(emptyRefused.Status, Is.EqualTo(CastStatus.InvalidBallot));
            Assert.That(await _server.CountAsync("SELECT count(*) FROM ballot WHERE poll_id = $1", strict.Id), Is.Zero);
        });
    }

    [Test]
    public async Task After_publication_every_receipt_shows_exactly_the_names_its_ballot_kept()
    {
        var access = await _server.CreateCongressAsync(officialDelegates: 6, guests: 0);
        var poll = await NewElectionAsync(access, seats: 3, candidates: 5);
        await OpenAsync(access, poll.Id);
        var cast = new List<CastRequest>();
        for (int i = 0; i < 5; i++)
        {
            await using var hub = await _server.ConnectDelegateAsync(access.Delegates[i].Token);
            var ballot = Ballot(poll.Id, [.. Enumerable.Range(1, 5).Where(p => (p + i) % 2 == 0).Take(3)]);
            Assert.That((await hub.InvokeAsync<CastResult>(nameof(ICongressHub.Cast), ballot)).Status, Is.EqualTo(CastStatus.Recorded));
            cast.Add(ballot);
        }

        using var delegateClient = _server.NewBrowserlessClient().Client;
        // Any delegate may check: here one who did not vote, on a tablet of their own.
        (await delegateClient.PostAsJsonAsync(Routes.DelegateLogin, CongressServer.Login(access.Delegates[5].Token))).EnsureSuccessStatusCode();
        await _server.ClosePollAsync(access, poll.Id);
        using var beforePublication = await delegateClient.GetAsync($"/api/elections/{poll.Id}/ballots");
        using (var secretary = await _server.SignInStaffAsync(access))
        {
            (await secretary.PostAsync($"/api/polls/{poll.Id}/publish", null)).EnsureSuccessStatusCode();
        }

        var published = (await delegateClient.GetFromJsonAsync<List<PublishedBallotDto>>($"/api/elections/{poll.Id}/ballots", TestJson.Options))!;
        Assert.Multiple(() =>
        {
            Assert.That(beforePublication.StatusCode, Is.EqualTo(HttpStatusCode.Conflict), "nothing is listed before publication");
            Assert.That(published.Select(b => b.Receipt), Is.EquivalentTo(cast.Select(c => c.Receipt)));
            Assert.That(published.Select(b => b.Receipt), Is.Ordered, "sorted by code, not by time of casting");
            foreach (var ballot in cast)
            {
                Assert.That(published.Single(b => b.Receipt == ballot.Receipt).Kept, Is.EqualTo(ballot.Kept));
            }
        });
    }

    [Test]
    public async Task Paper_ballots_count_only_when_two_different_members_entered_them_alike()
    {
        var access = await _server.CreateCongressAsync(officialDelegates: 6, guests: 0);
        var poll = await NewElectionAsync(access, seats: 2, candidates: 3);
        await OpenAsync(access, poll.Id);
        using var first = await SignInCountingAsync(access, 0);
        using var second = await SignInCountingAsync(access, 1);
        using var secretary = await _server.SignInStaffAsync(access);
        string url = $"/api/elections/{poll.Id}/paper/ballots";

        using var entered = await first.PostAsJsonAsync(url, new PaperBallotDto(1, [1, 2], false), TestJson.Options);
        using var sameMember = await first.PostAsJsonAsync(url, new PaperBallotDto(1, [1, 2], false), TestJson.Options);
        using var mismatch = await second.PostAsJsonAsync(url, new PaperBallotDto(1, [1, 3], false), TestJson.Options);
        using var closeRefused = await secretary.PostAsync(Routes.ClosePoll(poll.Id), null);
        using var bySecretary = await secretary.PostAsJsonAsync(url, new PaperBallotDto(2, [1], false), TestJson.Options);
        using var tooMany = await first.PostAsJsonAsync(url, new PaperBallotDto(3, [1, 2, 3], false), TestJson.Options);
        using var discarded = await first.DeleteAsync($"{url}/1");
        (await first.PostAsJsonAsync(url, new PaperBallotDto(1, [1, 2], false), TestJson.Options)).EnsureSuccessStatusCode();
        using var confirmed = await second.PostAsJsonAsync(url, new PaperBallotDto(1, [2, 1], false), TestJson.Options);
        (await first.PostAsJsonAsync(url, new PaperBallotDto(2, [], true), TestJson.Options)).EnsureSuccessStatusCode();
        (await second.PostAsJsonAsync(url, new PaperBallotDto(2, [], true), TestJson.Options)).EnsureSuccessStatusCode();
        var closed = await _server.ClosePollAsync(access, poll.Id);

        var mismatchState = (await mismatch.Content.ReadFromJsonAsync<PaperBallotStatusDto>(TestJson.Options))!.State;
        var confirmedState = (await confirmed.Content.ReadFromJsonAsync<PaperBallotStatusDto>(TestJson.Options))!.State;
        Assert.Multiple(async () =>
        {
            Assert.That(entered.StatusCode, Is.EqualTo(HttpStatusCode.OK));
            Assert.That(await sameMember.Content.ReadAsStringAsync(), Does.Contain("paper_needs_second_person"));
            Assert.That(mismatchState, Is.EqualTo(PaperBallotState.Mismatch));
            Assert.That(closeRefused.StatusCode, Is.EqualTo(HttpStatusCode.Conflict));
            Assert.That(await closeRefused.Content.ReadAsStringAsync(), Does.Contain("paper_ballots_unsettled"));
            Assert.That(bySecretary.StatusCode, Is.EqualTo(HttpStatusCode.Forbidden));
            Assert.That(await tooMany.Content.ReadAsStringAsync(), Does.Contain("paper_too_many_kept"));
            Assert.That(discarded.StatusCode, Is.EqualTo(HttpStatusCode.NoContent));
            Assert.That(confirmedState, Is.EqualTo(PaperBallotState.Confirmed), "the same names in another order read alike");
            var e = closed.Election!;
            Assert.That((e.Returned, e.Valid, e.Invalid), Is.EqualTo((2, 1, 1)));
            Assert.That(e.Ranked.OrderBy(r => r.Position).Select(r => r.Votes), Is.EqualTo(new[] { 1, 1, 0 }));
        });
    }

    [Test]
    public async Task When_the_countdown_runs_out_tablets_stop_voting_while_paper_ballots_are_still_being_settled()
    {
        var access = await _server.CreateCongressAsync(officialDelegates: 4, guests: 0);
        var poll = await NewElectionAsync(access, seats: 1, candidates: 2);
        await OpenAsync(access, poll.Id);
        using var counting = await SignInCountingAsync(access, 0);
        (await counting.PostAsJsonAsync($"/api/elections/{poll.Id}/paper/ballots", new PaperBallotDto(1, [1], false), TestJson.Options)).EnsureSuccessStatusCode();
        var whileOpen = (await counting.GetFromJsonAsync<PaperSummaryDto>($"/api/elections/{poll.Id}/paper", TestJson.Options))!;
        await using (var connection = await _server.Db.OpenConnectionAsync())
        {
            // The countdown ran out; the close is refused while ballot 1 waits for its second entry.
            await connection.ExecuteAsync("UPDATE poll SET closes_at = now() - interval '1 second' WHERE id = @Id", new { poll.Id });
        }

        await Task.Delay(1200);
        await using var hub = await _server.ConnectDelegateAsync(access.Delegates[0].Token);
        var late = await hub.InvokeAsync<CastResult>(nameof(ICongressHub.Cast), Ballot(poll.Id, 1));

        Assert.Multiple(async () =>
        {
            Assert.That(whileOpen.Ballots.Single().Kept, Is.Null, "nobody sees a paper ballot's names before the close");
            Assert.That(await _server.CountAsync("SELECT count(*) FROM poll WHERE id = $1 AND state = 'open'", poll.Id), Is.EqualTo(1), "still open: paper not settled");
            Assert.That(late.Status, Is.EqualTo(CastStatus.PollNotOpen));
            Assert.That(await _server.CountAsync("SELECT count(*) FROM ballot WHERE poll_id = $1", poll.Id), Is.Zero);
        });
    }

    [Test]
    public async Task Paper_totals_add_to_the_count_and_impossible_totals_are_refused()
    {
        var access = await _server.CreateCongressAsync(officialDelegates: 10, guests: 0);
        var poll = await NewElectionAsync(access, seats: 1, candidates: 2);
        await OpenAsync(access, poll.Id);
        using var counting = await SignInCountingAsync(access, 0);
        string url = $"/api/elections/{poll.Id}/paper/totals";

        using var overValid = await counting.PostAsJsonAsync(url, new PaperTotalsDto(5, 5, 1, [5, 0], null), TestJson.Options);
        using var overIssued = await counting.PostAsJsonAsync(url, new PaperTotalsDto(3, 4, 0, [1, 1], null), TestJson.Options);
        using var overPresent = await counting.PostAsJsonAsync(url, new PaperTotalsDto(11, 11, 0, [6, 5], null), TestJson.Options);
        using var added = await counting.PostAsJsonAsync(url, new PaperTotalsDto(6, 5, 1, [3, 1], "Hòm phiếu số 2"), TestJson.Options);
        var closed = await _server.ClosePollAsync(access, poll.Id);

        Assert.Multiple(async () =>
        {
            Assert.That(await overValid.Content.ReadAsStringAsync(), Does.Contain("paper_votes_exceed_valid"));
            Assert.That(await overIssued.Content.ReadAsStringAsync(), Does.Contain("paper_totals_inconsistent"));
            Assert.That(await overPresent.Content.ReadAsStringAsync(), Does.Contain("paper_exceeds_present"));
            Assert.That(added.StatusCode, Is.EqualTo(HttpStatusCode.OK));
            var e = closed.Election!;
            Assert.That((e.Issued, e.Returned, e.Valid, e.Invalid), Is.EqualTo((10, 5, 4, 1)), "6 on paper and 4 on the tablets of the 10 present");
            Assert.That(e.Ranked.OrderBy(r => r.Position).Select(r => r.Votes), Is.EqualTo(new[] { 3, 1 }));
            Assert.That(e.Ranked.Single(r => r.Position == 1).Outcome, Is.EqualTo(CandidateOutcome.Elected), "3 of 4 valid is more than half");
        });
    }

    [Test]
    public async Task An_invalid_paper_ballot_counts_once_both_members_read_the_same_reason_and_totals_give_reasons_adding_up()
    {
        var access = await _server.CreateCongressAsync(officialDelegates: 10, guests: 0);
        var poll = await NewElectionAsync(access, seats: 1, candidates: 2);
        await OpenAsync(access, poll.Id);
        using var first = await SignInCountingAsync(access, 0);
        using var second = await SignInCountingAsync(access, 1);
        string ballots = $"/api/elections/{poll.Id}/paper/ballots";
        string totals = $"/api/elections/{poll.Id}/paper/totals";

        using var reasonOnValid = await first.PostAsJsonAsync(ballots, new PaperBallotDto(1, [1], false, "Marked"), TestJson.Options);
        using var allStruckWhereValid = await first.PostAsJsonAsync(ballots, new PaperBallotDto(1, [], true, "AllStruck"), TestJson.Options);
        (await first.PostAsJsonAsync(ballots, new PaperBallotDto(1, [], true, "Marked"), TestJson.Options)).EnsureSuccessStatusCode();
        using var otherReason = await second.PostAsJsonAsync(ballots, new PaperBallotDto(1, [], true, "NotIssued"), TestJson.Options);
        (await first.DeleteAsync($"{ballots}/1")).EnsureSuccessStatusCode();
        (await first.PostAsJsonAsync(ballots, new PaperBallotDto(1, [], true, "Marked"), TestJson.Options)).EnsureSuccessStatusCode();
        using var sameReason = await second.PostAsJsonAsync(ballots, new PaperBallotDto(1, [], true, "Marked"), TestJson.Options);
        using var shortOfInvalid = await first.PostAsJsonAsync(totals,
            new PaperTotalsDto(5, 5, 3, [1, 1], null, [0, 1]), TestJson.Options);
        using var sixReasons = await first.PostAsJsonAsync(totals,
            new PaperTotalsDto(5, 5, 3, [1, 1], null, [0, 0, 0, 0, 0, 3]), TestJson.Options);
        using var added = await first.PostAsJsonAsync(totals,
            new PaperTotalsDto(5, 5, 3, [1, 1], null, [1, 2]), TestJson.Options);
        var closed = await _server.ClosePollAsync(access, poll.Id);
        await using var connection = await _server.Db.OpenConnectionAsync();
        var stored = await connection.QuerySingleAsync<string>("SELECT invalid_reasons::text FROM paper_election_total WHERE poll_id = @Id", new { poll.Id });

        Assert.Multiple(async () =>
        {
            Assert.That(await reasonOnValid.Content.ReadAsStringAsync(), Does.Contain("bad_invalid_reason"));
            Assert.That(await allStruckWhereValid.Content.ReadAsStringAsync(), Does.Contain("bad_invalid_reason"), "an empty ballot is valid in this election");
            Assert.That((await otherReason.Content.ReadFromJsonAsync<PaperBallotStatusDto>(TestJson.Options))!.State, Is.EqualTo(PaperBallotState.Mismatch),
                "two members who found different reasons have not read the ballot alike");
            Assert.That((await sameReason.Content.ReadFromJsonAsync<PaperBallotStatusDto>(TestJson.Options))!.State, Is.EqualTo(PaperBallotState.Confirmed));
            Assert.That(await shortOfInvalid.Content.ReadAsStringAsync(), Does.Contain("bad_invalid_reasons"));
            Assert.That(await sixReasons.Content.ReadAsStringAsync(), Does.Contain("bad_invalid_reasons"));
            Assert.That(added.StatusCode, Is.EqualTo(HttpStatusCode.OK));
            Assert.That(stored, Is.EqualTo("""{"TooMany": 2, "NotIssued": 1}"""));
            Assert.That((closed.Election!.Returned, closed.Election.Invalid), Is.EqualTo((6, 4)));
        });
    }

    [Test]
    public async Task A_tie_for_the_last_seat_is_reported_and_a_runoff_between_the_tied_is_created_in_one_action()
    {
        var access = await _server.CreateCongressAsync(officialDelegates: 8, guests: 0);
        var poll = await NewElectionAsync(access, seats: 2, candidates: 3);
        await OpenAsync(access, poll.Id);
        int[][] ballots = [[1, 2], [1, 2], [1, 2], [1, 3], [1, 3], [1, 3], [2, 3], [2, 3]];
        for (int i = 0; i < ballots.Length; i++)
        {
            await using var hub = await _server.ConnectDelegateAsync(access.Delegates[i].Token);
            await hub.InvokeAsync<CastResult>(nameof(ICongressHub.Cast), Ballot(poll.Id, ballots[i]));
        }

        var closed = await _server.ClosePollAsync(access, poll.Id);
        using var secretary = await _server.SignInStaffAsync(access);
        using var runoffResponse = await secretary.PostAsJsonAsync($"/api/elections/{poll.Id}/runoff", new RunoffRequestDto("Bầu Ban Kiểm tra (bầu lần 2)"), TestJson.Options);
        var runoff = (await runoffResponse.Content.ReadFromJsonAsync<PollDto>(TestJson.Options))!;
        using var secondRunoff = await secretary.PostAsJsonAsync($"/api/elections/{poll.Id}/runoff", new RunoffRequestDto("again"), TestJson.Options);

        Assert.Multiple(async () =>
        {
            var e = closed.Election!;
            Assert.That(e.Verdict, Is.EqualTo(Verdict.Tie));
            Assert.That(e.Ranked.Where(r => r.Outcome == CandidateOutcome.Elected).Select(r => r.FullName), Is.EqualTo(new[] { "Ứng viên 1" }));
            Assert.That(e.Ranked.Where(r => r.Outcome == CandidateOutcome.Tied).Select(r => r.Votes), Is.EqualTo(new[] { 5, 5 }));
            Assert.That(runoff.State, Is.EqualTo(PollState.Draft));
            Assert.That(runoff.Seats, Is.EqualTo(1));
            Assert.That(runoff.Candidates!.Select(c => c.FullName), Is.EqualTo(new[] { "Ứng viên 2", "Ứng viên 3" }));
            Assert.That(await secondRunoff.Content.ReadAsStringAsync(), Does.Contain("runoff_exists"));
        });
    }

    [Test]
    public async Task A_candidate_file_with_Vietnamese_headers_imports_in_order_and_a_bad_file_changes_nothing()
    {
        var access = await _server.CreateCongressAsync(officialDelegates: 3, guests: 0);
        var poll = await NewElectionAsync(access, seats: 2, candidates: 2);
        using var secretary = await _server.SignInStaffAsync(access);
        string url = $"/api/elections/{poll.Id}/candidates/import";
        // A spreadsheet saved as CSV: BOM, semicolons, a running number, a name typed in decomposed Unicode.
        string good = "\uFEFFSTT;Họ và tên;Năm sinh;Chức vụ;Đơn vị\r\n1;Trần Thị Ánh;1980;Phó Chủ tịch;Quân khu 7\r\n2;" + "Nguyễn Văn  Bình".Normalize(NormalizationForm.FormD) + ";1975;;\r\n3;Lê Minh Đức;;Ủy viên;Quân khu 9\r\n";
        string bad = "Họ và tên,Năm sinh,Quê quán\r\nPhạm Văn Cường,19x5,Hà Nội\r\n,1970,\r\n";

        using var imported = await secretary.PostAsync(url, File(good, "ung-cu-vien.csv"));
        using var refused = await secretary.PostAsync(url, File(bad, "sai.csv"));
        var refusedReport = (await refused.Content.ReadFromJsonAsync<ImportReportDto>(TestJson.Options))!;
        using var badRows = await secretary.PostAsync(url, File("Họ và tên,Năm sinh\r\nPhạm Văn Cường,19x5\r\n,1970\r\n", "sai.csv"));
        var badRowsReport = (await badRows.Content.ReadFromJsonAsync<ImportReportDto>(TestJson.Options))!;
        await OpenAsync(access, poll.Id);
        using var afterOpen = await secretary.PostAsync(url, File(good, "ung-cu-vien.csv"));

        await using var connection = await _server.Db.OpenConnectionAsync();
        var names = (await connection.QueryAsync<string>("SELECT full_name FROM candidate WHERE poll_id = @Id ORDER BY position", new { poll.Id })).ToList();
        Assert.Multiple(async () =>
        {
            Assert.That(imported.StatusCode, Is.EqualTo(HttpStatusCode.OK));
            Assert.That(names, Is.EqualTo(new[] { "Trần Thị Ánh", "Nguyễn Văn Bình", "Lê Minh Đức" }), "in file order, NFC, single spaces");
            Assert.That(refused.StatusCode, Is.EqualTo(HttpStatusCode.BadRequest));
            Assert.That(refusedReport.Problems.Select(p => (p.Row, p.Column, p.Code)), Does.Contain((1, "Quê quán", "unknown_column")));
            Assert.That(badRowsReport.Problems.Select(p => (p.Row, p.Column, p.Code)),
                Is.EquivalentTo(new[] { (2, "Năm sinh", "bad_birth_year"), (3, "Họ và tên", "required") }));
            Assert.That(afterOpen.StatusCode, Is.EqualTo(HttpStatusCode.Conflict));
            Assert.That(await afterOpen.Content.ReadAsStringAsync(), Does.Contain("poll_not_draft"));
        });
    }

    [Test]
    public async Task An_election_with_fewer_candidates_than_seats_does_not_open()
    {
        var access = await _server.CreateCongressAsync(officialDelegates: 3, guests: 0);
        var poll = await NewElectionAsync(access, seats: 3, candidates: 2);
        using var secretary = await _server.SignInStaffAsync(access);
        using var response = await secretary.PostAsync(Routes.OpenPoll(poll.Id), null);
        Assert.Multiple(async () =>
        {
            Assert.That(response.StatusCode, Is.EqualTo(HttpStatusCode.Conflict));
            Assert.That(await response.Content.ReadAsStringAsync(), Does.Contain("election_needs_candidates"));
            Assert.That(await _server.CountAsync("SELECT count(*) FROM poll WHERE id = $1 AND state = 'draft'", poll.Id), Is.EqualTo(1));
        });
    }

    private static MultipartFormDataContent File(string text, string name)
    {
        var content = new MultipartFormDataContent();
        content.Add(new ByteArrayContent(Encoding.UTF8.GetBytes(text)), "file", name);
        return content;
    }
}

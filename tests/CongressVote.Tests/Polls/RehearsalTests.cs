using System.IO.Compression;
using System.Net;
using System.Net.Http.Json;
using System.Text.Json;
using CongressVote.Server.Demo;
using CongressVote.Shared;
using CongressVote.Tests.Infrastructure;
using Dapper;
using Microsoft.AspNetCore.SignalR.Client;

namespace CongressVote.Tests.Polls;

/// <summary>
/// The dress rehearsal (biểu quyết thử): a test vote before the real session, held and counted like any vote on
/// real tablets, marked as a test, kept out of the congress's record, and deleted with one audited action.
/// </summary>
public sealed class RehearsalTests
{
    private const string RehearsalTitle = "Biểu quyết thử: hội trường có nghe rõ không?";

    private CongressServer _server = default!;
    private DemoAccess _access = default!;
    private HttpClient _secretary = default!;
    private readonly List<HubConnection> _tablets = [];

    [SetUp]
    public async Task StartCongress()
    {
        _server = await CongressServer.StartAsync();
        _access = await _server.CreateCongressAsync(officialDelegates: 8, guests: 0, checkedIn: 8);
        _secretary = await _server.SignInStaffAsync(_access);
        for (int i = 0; i < 4; i++)
        {
            _tablets.Add(await _server.ConnectDelegateAsync(_access.Delegates[i].Token));
        }
    }

    [TearDown]
    public async Task StopServer()
    {
        foreach (var tablet in _tablets)
        {
            await tablet.DisposeAsync();
        }

        _tablets.Clear();
        _secretary.Dispose();
        await _server.DisposeAsync();
    }

    private async Task<Guid> ItemAsync(string kind)
    {
        await using var connection = await _server.Db.OpenConnectionAsync();
        return await connection.ExecuteScalarAsync<Guid>(
            "SELECT id FROM agenda_item WHERE congress_id = @CongressId AND kind = @kind ORDER BY position LIMIT 1", new { _access.CongressId, kind });
    }

    private async Task<PollDto> CreateRehearsalAsync()
    {
        using var created = await _secretary.PostAsJsonAsync("/api/polls",
            new MotionEditDto(await ItemAsync("procedural"), RehearsalTitle, "Ấn Tán thành nếu màn hình hiện rõ.", false, true, null, Rehearsal: true), TestJson.Options);
        created.EnsureSuccessStatusCode();
        return (await created.Content.ReadFromJsonAsync<PollDto>(TestJson.Options))!;
    }

    /// <summary>Opens, has the tablets vote (3 yes, 1 no), and closes.</summary>
    private async Task<PollDto> HoldAsync(Guid pollId)
    {
        (await _secretary.PostAsync(Routes.OpenPoll(pollId), null)).EnsureSuccessStatusCode();
        for (int i = 0; i < _tablets.Count; i++)
        {
            var cast = await _tablets[i].InvokeAsync<CastResult>(nameof(ICongressHub.Cast), new CastRequest(pollId, i < 3 ? VoteChoice.Yes : VoteChoice.No, Guid.NewGuid()));
            Assert.That(cast.Status, Is.EqualTo(CastStatus.Recorded));
        }

        return await _server.ClosePollAsync(_access, pollId);
    }

    private async Task<string> CongressMinutesTextAsync()
    {
        var bytes = await _secretary.GetByteArrayAsync("/api/documents/congress?format=docx");
        using var zip = new ZipArchive(new MemoryStream(bytes));
        using var reader = new StreamReader(zip.GetEntry("word/document.xml")!.Open());
        return await reader.ReadToEndAsync();
    }

    [Test]
    public async Task A_rehearsal_is_cast_counted_and_shown_like_any_vote_and_tablets_are_told_it_is_a_test()
    {
        var rehearsal = await CreateRehearsalAsync();
        (await _secretary.PostAsync(Routes.OpenPoll(rehearsal.Id), null)).EnsureSuccessStatusCode();
        var seen = await _tablets[0].InvokeAsync<CongressSnapshotDto>(nameof(ICongressHub.Snapshot));
        Assert.That(seen.CurrentPoll?.Id == rehearsal.Id && seen.CurrentPoll.Rehearsal, Is.True, "the tablet's current poll is marked as a rehearsal");

        for (int i = 0; i < _tablets.Count; i++)
        {
            var cast = await _tablets[i].InvokeAsync<CastResult>(nameof(ICongressHub.Cast), new CastRequest(rehearsal.Id, i < 3 ? VoteChoice.Yes : VoteChoice.No, Guid.NewGuid()));
            Assert.That(cast.Status, Is.EqualTo(CastStatus.Recorded));
        }

        var closed = await _server.ClosePollAsync(_access, rehearsal.Id);
        Assert.Multiple(() =>
        {
            Assert.That(closed.Rehearsal, Is.True);
            Assert.That(closed.Result!.Yes, Is.EqualTo(3));
            Assert.That(closed.Result.No, Is.EqualTo(1));
            Assert.That(closed.Result.Verdict, Is.EqualTo(Verdict.Failed), "3 yes of 8 summoned is not more than half");
        });
    }

    [Test]
    public async Task A_rehearsal_appears_in_no_document_while_the_real_vote_does()
    {
        var rehearsal = await HoldAsync((await CreateRehearsalAsync()).Id);
        var real = await HoldAsync(await _server.PollIdAsync(_access, "Thông qua Chương trình"));

        var list = (await _secretary.GetFromJsonAsync<List<RecordDocumentDto>>("/api/documents", TestJson.Options))!;
        using var minutes = await _secretary.GetAsync($"/api/documents/motions/{rehearsal.Id}");
        using var realMinutes = await _secretary.GetAsync($"/api/documents/motions/{real.Id}");
        string congressMinutes = await CongressMinutesTextAsync();
        // The archive's data files (results, published ballot lists, the manifest) as text; the audit trail keeps
        // the rehearsal's rows, as it keeps every action (its chain must verify whole).
        using var archive = new System.IO.Compression.ZipArchive(new MemoryStream(await _secretary.GetByteArrayAsync("/api/documents/archive")));
        var archiveText = new List<string>();
        foreach (var entry in archive.Entries.Where(e => e.Name.EndsWith(".csv", StringComparison.Ordinal) || e.Name.EndsWith(".json", StringComparison.Ordinal))
            .Where(e => !e.Name.Contains("audit", StringComparison.Ordinal)))
        {
            using var reader = new StreamReader(entry.Open());
            archiveText.Add(entry.FullName + "\n" + await reader.ReadToEndAsync());
        }

        Assert.Multiple(() =>
        {
            Assert.That(archiveText, Has.Some.Contains("Thông qua Chương trình"), "the archive's results hold the real vote");
            Assert.That(archiveText, Has.None.Contains("hội trường có nghe rõ"), "the rehearsal is not in the archive");
            Assert.That(archiveText, Has.None.Contains(rehearsal.Id.ToString()));
            Assert.That(list.Select(d => d.PollId), Does.Not.Contain(rehearsal.Id));
            Assert.That(list.Select(d => d.PollId), Does.Contain(real.Id));
            Assert.That(minutes.StatusCode, Is.EqualTo(HttpStatusCode.NotFound), "a rehearsal has no vote minutes");
            Assert.That(realMinutes.StatusCode, Is.EqualTo(HttpStatusCode.OK));
            Assert.That(congressMinutes, Does.Not.Contain("hội trường có nghe rõ"));
            Assert.That(congressMinutes, Does.Contain("Thông qua Chương trình"));
        });
    }

    [Test]
    public async Task A_rehearsal_election_is_counted_but_has_no_counting_minutes()
    {
        using var created = await _secretary.PostAsJsonAsync("/api/elections",
            new ElectionEditDto(await ItemAsync("election"), "Bầu thử", 1, true, null, null, Rehearsal: true), TestJson.Options);
        var election = (await created.Content.ReadFromJsonAsync<PollDto>(TestJson.Options))!;
        (await _secretary.PutAsJsonAsync($"/api/elections/{election.Id}/candidates",
            new List<CandidateEditDto> { new("Nguyễn Văn Thử", 1980, null, null), new("Trần Thị Nghiệm", 1985, null, null) }, TestJson.Options)).EnsureSuccessStatusCode();
        (await _secretary.PostAsync(Routes.OpenPoll(election.Id), null)).EnsureSuccessStatusCode();
        foreach (var tablet in _tablets)
        {
            var cast = await tablet.InvokeAsync<CastResult>(nameof(ICongressHub.Cast), new CastRequest(election.Id, VoteChoice.Yes, Guid.NewGuid(), null, [1], Receipts.NewCode()));
            Assert.That(cast.Status, Is.EqualTo(CastStatus.Recorded));
        }

        var closed = await _server.ClosePollAsync(_access, election.Id);
        using var minutes = await _secretary.GetAsync($"/api/elections/{election.Id}/minutes");
        using var document = await _secretary.GetAsync($"/api/documents/elections/{election.Id}");
        var problem = await minutes.Content.ReadFromJsonAsync<JsonElement>();
        Assert.Multiple(() =>
        {
            Assert.That(closed.Rehearsal, Is.True);
            Assert.That(closed.Election!.Ranked[0].Votes, Is.EqualTo(4));
            Assert.That(minutes.StatusCode, Is.EqualTo(HttpStatusCode.Conflict));
            Assert.That(problem.GetProperty("code").GetString(), Is.EqualTo("rehearsal_not_recorded"));
            Assert.That(document.StatusCode, Is.EqualTo(HttpStatusCode.NotFound));
        });
    }

    [Test]
    public async Task Deleting_the_rehearsals_is_refused_while_one_is_open_and_changes_nothing()
    {
        var rehearsal = await CreateRehearsalAsync();
        (await _secretary.PostAsync(Routes.OpenPoll(rehearsal.Id), null)).EnsureSuccessStatusCode();
        await _tablets[0].InvokeAsync<CastResult>(nameof(ICongressHub.Cast), new CastRequest(rehearsal.Id, VoteChoice.Yes, Guid.NewGuid()));

        using var purge = await _secretary.PostAsync("/api/polls/rehearsals/purge", null);
        var problem = await purge.Content.ReadFromJsonAsync<JsonElement>();
        Assert.Multiple(async () =>
        {
            Assert.That(purge.StatusCode, Is.EqualTo(HttpStatusCode.Conflict));
            Assert.That(problem.GetProperty("code").GetString(), Is.EqualTo("rehearsal_open"));
            Assert.That(await _server.CountAsync("SELECT count(*) FROM poll WHERE id = $1 AND state = 'open'", rehearsal.Id), Is.EqualTo(1));
            Assert.That(await _server.CountAsync("SELECT count(*) FROM poll_voter WHERE poll_id = $1", rehearsal.Id), Is.EqualTo(1));
        });
    }

    [Test]
    public async Task Deleting_the_rehearsals_removes_every_one_with_its_ballots_in_one_audited_action_and_keeps_the_real_votes()
    {
        var held = await HoldAsync((await CreateRehearsalAsync()).Id);
        var draft = await CreateRehearsalAsync();
        var real = await HoldAsync(await _server.PollIdAsync(_access, "Thông qua Chương trình"));
        using var chair = await _server.SignInStaffAsync(_access, "chair");

        using var purge = await chair.PostAsync("/api/polls/rehearsals/purge", null);
        purge.EnsureSuccessStatusCode();
        var purged = await purge.Content.ReadFromJsonAsync<JsonElement>();
        await using var connection = await _server.Db.OpenConnectionAsync();
        var ids = new[] { held.Id, draft.Id };
        var left = await connection.QuerySingleAsync<(long Polls, long Rolls, long Voters, long Ballots)>("""
            SELECT (SELECT count(*) FROM poll WHERE id = ANY(@ids)), (SELECT count(*) FROM poll_roll WHERE poll_id = ANY(@ids)),
                   (SELECT count(*) FROM poll_voter WHERE poll_id = ANY(@ids)), (SELECT count(*) FROM ballot WHERE poll_id = ANY(@ids))
            """, new { ids });
        var audit = await connection.QuerySingleAsync<(string Actor, string Detail)>(
            "SELECT actor, detail::text FROM audit_event WHERE action = 'poll.purge_rehearsals'");
        using var admin = await _server.SignInStaffAsync(_access, "admin");
        var verified = (await admin.GetFromJsonAsync<AuditVerificationDto>("/api/audit/verify", TestJson.Options))!;
        var snapshot = await _tablets[0].InvokeAsync<CongressSnapshotDto>(nameof(ICongressHub.Snapshot));

        Assert.Multiple(async () =>
        {
            Assert.That(purged.GetProperty("polls").GetInt32(), Is.EqualTo(2));
            Assert.That(purged.GetProperty("ballots").GetInt32(), Is.EqualTo(4));
            Assert.That(left, Is.EqualTo((0L, 0L, 0L, 0L)), "no poll, roll, voter or ballot of a rehearsal is left");
            Assert.That(await _server.CountAsync("SELECT count(*) FROM ballot WHERE poll_id = $1", real.Id), Is.EqualTo(4), "the real vote keeps its ballots");
            Assert.That(audit.Detail, Does.Contain(held.Id.ToString()).And.Contain(draft.Id.ToString()));
            Assert.That(audit.Actor, Is.Not.Empty);
            Assert.That(verified.Intact, Is.True);
            Assert.That(snapshot.Polls.Select(p => p.Id), Does.Not.Contain(held.Id));
        });
    }
}

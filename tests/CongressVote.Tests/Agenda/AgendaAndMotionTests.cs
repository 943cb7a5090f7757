using System.Net;
using System.Net.Http.Json;
using CongressVote.Shared;
using CongressVote.Tests.Infrastructure;
using Microsoft.AspNetCore.SignalR.Client;

namespace CongressVote.Tests.Agenda;

/// <summary>The agenda the secretariat edits and the lifecycle of a motion, against the real server and PostgreSQL.</summary>
public sealed class AgendaAndMotionTests
{
    private CongressServer _server = default!;

    [OneTimeSetUp]
    public async Task StartServer() => _server = await CongressServer.StartAsync();

    [OneTimeTearDown]
    public async Task StopServer() => await _server.DisposeAsync();

    private static async Task<CongressSnapshotDto> SnapshotAsync(CongressServer server, Server.Demo.DemoAccess access)
    {
        await using var projector = await server.ConnectProjectorAsync(access.ProjectorCode);
        return await projector.InvokeAsync<CongressSnapshotDto>(nameof(ICongressHub.Snapshot));
    }

    [Test]
    public async Task A_pasted_programme_becomes_agenda_items_with_guessed_kinds_and_can_be_reordered()
    {
        var access = await _server.CreateCongressAsync(officialDelegates: 2, guests: 0);
        using var staff = await _server.SignInStaffAsync(access);
        int before = (await SnapshotAsync(_server, access)).Agenda.Count;

        using var imported = await staff.PostAsJsonAsync("/api/agenda/import",
            new AgendaImportDto("10. Báo cáo kiểm điểm của Ban Chấp hành\n11) Bầu Ban Kiểm tra\n\n12 - Thông qua Nghị quyết bổ sung\n"), TestJson.Options);
        var agenda = (await SnapshotAsync(_server, access)).Agenda;
        var election = agenda.Single(a => a.Title == "Bầu Ban Kiểm tra");
        using var moved = await staff.PostAsync($"/api/agenda/{election.Id}/move?by=-1", null);
        var reordered = (await SnapshotAsync(_server, access)).Agenda;

        Assert.Multiple(() =>
        {
            Assert.That(imported.StatusCode, Is.EqualTo(HttpStatusCode.OK));
            Assert.That(agenda, Has.Count.EqualTo(before + 3));
            Assert.That(agenda.TakeLast(3).Select(a => (a.Title, a.Kind)), Is.EqualTo(new[]
            {
                ("Báo cáo kiểm điểm của Ban Chấp hành", "report"), ("Bầu Ban Kiểm tra", "election"), ("Thông qua Nghị quyết bổ sung", "vote"),
            }));
            Assert.That(moved.StatusCode, Is.EqualTo(HttpStatusCode.NoContent));
            Assert.That(reordered.TakeLast(3).Select(a => a.Title).First(), Is.EqualTo("Bầu Ban Kiểm tra"));
        });
    }

    [Test]
    public async Task Indented_or_decimal_numbered_lines_become_sub_items_of_the_item_above()
    {
        var access = await _server.CreateCongressAsync(officialDelegates: 1, guests: 0);
        using var staff = await _server.SignInStaffAsync(access);

        (await staff.PostAsJsonAsync("/api/agenda/import",
            new AgendaImportDto("4. Các báo cáo\n4.1 Báo cáo chính trị\n  Báo cáo kiểm điểm\n5. Thảo luận"), TestJson.Options)).EnsureSuccessStatusCode();
        var agenda = (await SnapshotAsync(_server, access)).Agenda.TakeLast(4).ToList();

        Assert.Multiple(() =>
        {
            Assert.That(agenda.Select(a => a.Title), Is.EqualTo(new[] { "Các báo cáo", "Báo cáo chính trị", "Báo cáo kiểm điểm", "Thảo luận" }));
            Assert.That(agenda.Select(a => a.ParentId), Is.EqualTo(new Guid?[] { null, agenda[0].Id, agenda[0].Id, null }));
        });
    }

    [Test]
    public async Task Secret_ballots_are_stored_in_an_order_unrelated_to_the_order_they_were_cast()
    {
        var access = await _server.CreateCongressAsync(officialDelegates: 24, guests: 0);
        using var staff = await _server.SignInStaffAsync(access);
        var item = (await SnapshotAsync(_server, access)).Agenda[1];
        using var created = await staff.PostAsJsonAsync("/api/polls", new MotionEditDto(item.Id, "Phiếu kín", "", true, true, null), TestJson.Options);
        var motion = (await created.Content.ReadFromJsonAsync<PollDto>(TestJson.Options))!;
        (await staff.PostAsync(Routes.OpenPoll(motion.Id), null)).EnsureSuccessStatusCode();
        // One at a time, alternating yes and no: in cast order the stored choices would read 0,1,0,1,...
        for (int i = 0; i < 24; i++)
        {
            await using var hub = await _server.ConnectDelegateAsync(access.Delegates[i].Token);
            await hub.InvokeAsync<CastResult>(nameof(ICongressHub.Cast), new CastRequest(motion.Id, (VoteChoice)(i % 2), Guid.NewGuid()));
        }

        (await staff.PostAsync(Routes.ClosePoll(motion.Id), null)).EnsureSuccessStatusCode();
        await using var connection = await _server.Db.OpenConnectionAsync();
        await using var command = new Npgsql.NpgsqlCommand("SELECT string_agg(choice::text, '' ORDER BY ctid) FROM ballot WHERE poll_id = $1", connection);
        command.Parameters.AddWithValue(motion.Id);
        string physicalOrder = (string)(await command.ExecuteScalarAsync())!;

        Assert.Multiple(() =>
        {
            Assert.That(physicalOrder.Count(c => c == '0'), Is.EqualTo(12));
            Assert.That(physicalOrder, Is.Not.EqualTo(string.Concat(Enumerable.Repeat("01", 12))), "rewritten in random order at close");
        });
    }

    [Test]
    public async Task A_motion_goes_from_draft_to_published_and_its_named_result_lists_each_delegates_vote()
    {
        var access = await _server.CreateCongressAsync(officialDelegates: 3, guests: 0);
        using var staff = await _server.SignInStaffAsync(access, "chair");
        var item = (await SnapshotAsync(_server, access)).Agenda[0];
        using var created = await staff.PostAsJsonAsync("/api/polls",
            new MotionEditDto(item.Id, "Thông qua danh sách Ban Kiểm phiếu bổ sung", "Đại hội biểu quyết…", false, false, null), TestJson.Options);
        var motion = (await created.Content.ReadFromJsonAsync<PollDto>(TestJson.Options))!;
        (await staff.PostAsync(Routes.OpenPoll(motion.Id), null)).EnsureSuccessStatusCode();
        using var editOpen = await staff.PutAsJsonAsync($"/api/polls/{motion.Id}", new MotionEditDto(item.Id, "Đổi", "", false, true, null), TestJson.Options);
        await using (var hub = await _server.ConnectDelegateAsync(access.Delegates[0].Token))
        {
            await hub.InvokeAsync<CastResult>(nameof(ICongressHub.Cast), new CastRequest(motion.Id, VoteChoice.No, Guid.NewGuid()));
        }

        var whileOpen = (await staff.GetFromJsonAsync<List<VoterDto>>($"/api/polls/{motion.Id}/voters", TestJson.Options))!;
        (await staff.PostAsync(Routes.ClosePoll(motion.Id), null)).EnsureSuccessStatusCode();
        using var published = await staff.PostAsync($"/api/polls/{motion.Id}/publish", null);
        using var publishedAgain = await staff.PostAsync($"/api/polls/{motion.Id}/publish", null);
        var afterClose = (await staff.GetFromJsonAsync<List<VoterDto>>($"/api/polls/{motion.Id}/voters", TestJson.Options))!;

        Assert.Multiple(async () =>
        {
            Assert.That(motion.Rule, Is.EqualTo(MajorityRule.MoreThanHalfOfSummoned), "the preset's decision rule by default");
            Assert.That(motion.AllowAbstain, Is.False);
            Assert.That(editOpen.StatusCode, Is.EqualTo(HttpStatusCode.Conflict), "an opened vote's text is part of the record");
            Assert.That(whileOpen.Count(v => v.Voted), Is.EqualTo(1));
            Assert.That(whileOpen.Select(v => v.Choice), Is.All.Null, "choices are not shown while the vote is open");
            Assert.That((await published.Content.ReadFromJsonAsync<PollDto>(TestJson.Options))!.State, Is.EqualTo(PollState.Published));
            Assert.That(publishedAgain.StatusCode, Is.EqualTo(HttpStatusCode.Conflict));
            Assert.That(afterClose.Single(v => v.Code == access.Delegates[0].Code).Choice, Is.EqualTo(VoteChoice.No));
            Assert.That(afterClose.Count(v => !v.Voted), Is.EqualTo(2));
        });
    }

    [Test]
    public async Task A_secret_motions_voter_list_never_shows_a_choice_and_its_ballots_hold_no_delegate()
    {
        var access = await _server.CreateCongressAsync(officialDelegates: 3, guests: 0);
        using var staff = await _server.SignInStaffAsync(access, "secretary");
        var item = (await SnapshotAsync(_server, access)).Agenda[1];
        using var created = await staff.PostAsJsonAsync("/api/polls", new MotionEditDto(item.Id, "Phiếu kín thử", "", true, true, null), TestJson.Options);
        var motion = (await created.Content.ReadFromJsonAsync<PollDto>(TestJson.Options))!;
        (await staff.PostAsync(Routes.OpenPoll(motion.Id), null)).EnsureSuccessStatusCode();
        await using (var hub = await _server.ConnectDelegateAsync(access.Delegates[1].Token))
        {
            await hub.InvokeAsync<CastResult>(nameof(ICongressHub.Cast), new CastRequest(motion.Id, VoteChoice.Yes, Guid.NewGuid()));
        }

        (await staff.PostAsync(Routes.ClosePoll(motion.Id), null)).EnsureSuccessStatusCode();
        var voters = (await staff.GetFromJsonAsync<List<VoterDto>>($"/api/polls/{motion.Id}/voters", TestJson.Options))!;

        Assert.Multiple(async () =>
        {
            Assert.That(voters.Count(v => v.Voted), Is.EqualTo(1));
            Assert.That(voters.Select(v => v.Choice), Is.All.Null);
            Assert.That(await _server.CountAsync("SELECT count(*) FROM poll_voter WHERE poll_id = $1 AND ballot_id IS NOT NULL", motion.Id), Is.Zero);
            Assert.That(await _server.CountAsync(
                "SELECT count(*) FROM information_schema.columns WHERE table_name = 'ballot' AND column_name NOT IN ('poll_id', 'id', 'choice', 'weight', 'kept', 'receipt') AND $1::uuid IS NOT NULL", motion.Id),
                Is.Zero, "a ballot holds its poll, a random id, the choice (or an election's names kept and the tablet's receipt code) and the vote weight: no delegate, no time, no sequence");
        });
    }

    [Test]
    public async Task Cancelling_needs_a_reason_and_frees_the_hall_for_the_next_vote()
    {
        var access = await _server.CreateCongressAsync(officialDelegates: 3, guests: 0);
        using var staff = await _server.SignInStaffAsync(access);
        var first = await _server.OpenPollAsync(access);
        Guid next = await _server.PollIdAsync(access, "Thông qua Nghị quyết");

        using var noReason = await staff.PostAsJsonAsync($"/api/polls/{first.Id}/cancel", new CancelPollDto(" "), TestJson.Options);
        using var cancelled = await staff.PostAsJsonAsync($"/api/polls/{first.Id}/cancel", new CancelPollDto("Nhầm nội dung"), TestJson.Options);
        using var opened = await staff.PostAsync(Routes.OpenPoll(next), null);

        Assert.Multiple(async () =>
        {
            Assert.That(noReason.StatusCode, Is.EqualTo(HttpStatusCode.BadRequest));
            Assert.That((await cancelled.Content.ReadFromJsonAsync<PollDto>(TestJson.Options))!.State, Is.EqualTo(PollState.Cancelled));
            Assert.That(opened.StatusCode, Is.EqualTo(HttpStatusCode.OK));
            Assert.That(await _server.CountAsync("SELECT count(*) FROM audit_event WHERE action = 'poll.cancel' AND detail->>'reason' = 'Nhầm nội dung' AND subject = $1::text", first.Id), Is.EqualTo(1));
        });
    }

    [Test]
    public async Task Removing_an_agenda_item_that_was_voted_on_is_refused()
    {
        var access = await _server.CreateCongressAsync(officialDelegates: 3, guests: 0);
        using var staff = await _server.SignInStaffAsync(access);
        var poll = await _server.OpenPollAsync(access);

        using var response = await staff.DeleteAsync($"/api/agenda/{poll.AgendaItemId}");

        Assert.Multiple(async () =>
        {
            Assert.That(response.StatusCode, Is.EqualTo(HttpStatusCode.Conflict));
            Assert.That(await response.Content.ReadAsStringAsync(), Does.Contain("agenda_item_has_votes"));
        });
    }
}

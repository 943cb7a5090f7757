using System.Net;
using System.Net.Http.Json;
using CongressVote.Server.Demo;
using CongressVote.Shared;
using CongressVote.Tests.Infrastructure;
using Microsoft.AspNetCore.SignalR.Client;

namespace CongressVote.Tests.CheckIn;

/// <summary>The desks at the door, attendance and the quorum, against the real server and PostgreSQL.</summary>
public sealed class CheckInTests
{
    private CongressServer _server = default!;

    [OneTimeSetUp]
    public async Task StartServer() => _server = await CongressServer.StartAsync();

    [OneTimeTearDown]
    public async Task StopServer() => await _server.DisposeAsync();

    private static async Task<ScanResultDto> ScanAsync(HttpClient desk, string? badge, Guid? delegateId = null, string deskName = "Cửa 1")
    {
        using var response = await desk.PostAsJsonAsync("/api/checkin/scan", new ScanRequest(badge, delegateId, deskName), TestJson.Options);
        response.EnsureSuccessStatusCode();
        return (await response.Content.ReadFromJsonAsync<ScanResultDto>(TestJson.Options))!;
    }

    private static async Task<AttendanceDto> AttendanceAsync(HttpClient staff) =>
        (await staff.GetFromJsonAsync<AttendanceDto>("/api/attendance", TestJson.Options))!;

    private async Task<(DemoAccess Access, HttpClient Desk)> CongressAsync(int officials = 10, int guests = 1, int checkedIn = 0)
    {
        var access = await _server.CreateCongressAsync(officials, guests, checkedIn);
        return (access, await _server.SignInStaffAsync(access, "credentials"));
    }

    [Test]
    public async Task Scanning_a_badge_URL_checks_the_delegate_in_with_name_delegation_and_time()
    {
        var (access, desk) = await CongressAsync();
        var d = access.Delegates[0];

        var result = await ScanAsync(desk, $"http://192.168.1.10:5000/t#{d.Token}");

        var attendance = await AttendanceAsync(desk);
        Assert.Multiple(() =>
        {
            Assert.That(result.Outcome, Is.EqualTo(ScanOutcome.CheckedIn));
            Assert.That(result.FullName, Is.EqualTo(d.FullName));
            Assert.That(result.Delegation, Is.EqualTo(d.Delegation));
            Assert.That(result.At, Is.EqualTo(DateTimeOffset.UtcNow).Within(TimeSpan.FromMinutes(1)));
            Assert.That(attendance.Present, Is.EqualTo(1));
        });
        desk.Dispose();
    }

    [Test]
    public async Task A_second_scan_says_already_checked_in_at_the_first_time_and_never_checks_out()
    {
        var (access, desk) = await CongressAsync();
        var first = await ScanAsync(desk, access.Delegates[1].Token);

        var second = await ScanAsync(desk, access.Delegates[1].Token);

        Assert.Multiple(async () =>
        {
            Assert.That(second.Outcome, Is.EqualTo(ScanOutcome.AlreadyCheckedIn));
            Assert.That(second.At, Is.EqualTo(first.At));
            Assert.That((await AttendanceAsync(desk)).Present, Is.EqualTo(1));
        });
        desk.Dispose();
    }

    [Test]
    public async Task The_same_badge_scanned_at_two_desks_at_once_is_checked_in_exactly_once()
    {
        var (access, desk) = await CongressAsync();
        using var otherDesk = await _server.SignInStaffAsync(access, "secretary");
        string token = access.Delegates[2].Token;

        var results = await Task.WhenAll(Enumerable.Range(0, 12).Select(i => ScanAsync(i % 2 == 0 ? desk : otherDesk, token, deskName: $"Cửa {i % 2 + 1}")));

        Assert.Multiple(async () =>
        {
            Assert.That(results.Count(r => r.Outcome == ScanOutcome.CheckedIn), Is.EqualTo(1));
            Assert.That(results.Count(r => r.Outcome == ScanOutcome.AlreadyCheckedIn), Is.EqualTo(11));
            Assert.That(await _server.CountAsync("SELECT count(*) FROM attendance_event e JOIN delegate d ON d.id = e.delegate_id WHERE d.congress_id = $1", access.CongressId), Is.EqualTo(1));
            Assert.That((await AttendanceAsync(desk)).Present, Is.EqualTo(1));
        });
        desk.Dispose();
    }

    [Test]
    public async Task A_revoked_badge_is_refused_at_the_desk()
    {
        var (access, desk) = await CongressAsync();
        using var secretariat = await _server.SignInStaffAsync(access);
        var d = (await DelegateLists.ListAsync(secretariat)).Items.Single(x => x.Code == access.Delegates[3].Code);
        (await secretariat.PostAsync($"/api/delegates/{d.Id}/revoke", null)).EnsureSuccessStatusCode();

        var result = await ScanAsync(desk, access.Delegates[3].Token);

        Assert.Multiple(async () =>
        {
            Assert.That(result.Outcome, Is.EqualTo(ScanOutcome.BadgeRevoked));
            Assert.That((await AttendanceAsync(desk)).Present, Is.Zero);
        });
        desk.Dispose();
    }

    [TestCase("AAAAAAAAAAAAAAAAAAAAAA")]
    [TestCase("http://evil.example/t/BBBBBBBBBBBBBBBBBBBBBB")]
    [TestCase("hello")]
    public async Task An_unknown_badge_is_refused_and_changes_nothing(string scanned)
    {
        var (_, desk) = await CongressAsync();

        var result = await ScanAsync(desk, scanned);

        Assert.Multiple(async () =>
        {
            Assert.That(result.Outcome, Is.EqualTo(ScanOutcome.UnknownBadge));
            Assert.That((await AttendanceAsync(desk)).Present, Is.Zero);
        });
        desk.Dispose();
    }

    [Test]
    public async Task A_guest_is_let_in_but_marked_as_not_a_voting_delegate()
    {
        var (access, desk) = await CongressAsync(officials: 4, guests: 1);
        var guest = access.Delegates.Single(d => d.Code.StartsWith("KM", StringComparison.Ordinal));

        var result = await ScanAsync(desk, guest.Token);

        var attendance = await AttendanceAsync(desk);
        Assert.Multiple(() =>
        {
            Assert.That(result.Outcome, Is.EqualTo(ScanOutcome.GuestCheckedIn));
            Assert.That(attendance.Present, Is.Zero, "guests do not count toward the quorum");
            Assert.That(attendance.GuestsPresent, Is.EqualTo(1));
        });
        desk.Dispose();
    }

    [Test]
    public async Task A_printed_delegate_code_typed_at_the_desk_checks_in()
    {
        var (access, desk) = await CongressAsync();

        var result = await ScanAsync(desk, access.Delegates[4].Code);

        Assert.That(result.Outcome, Is.EqualTo(ScanOutcome.CheckedIn));
        desk.Dispose();
    }

    [Test]
    public async Task Check_out_is_explicit_and_re_entry_checks_in_again()
    {
        var (access, desk) = await CongressAsync();
        var first = await ScanAsync(desk, access.Delegates[5].Token);
        Guid id = first.DelegateId!.Value;

        using var outResponse = await desk.PostAsJsonAsync("/api/checkin/checkout", new ScanRequest(null, id, "Cửa 2"), TestJson.Options);
        var checkedOut = (await outResponse.Content.ReadFromJsonAsync<ScanResultDto>(TestJson.Options))!;
        using var againResponse = await desk.PostAsJsonAsync("/api/checkin/checkout", new ScanRequest(null, id, "Cửa 2"), TestJson.Options);
        var notIn = (await againResponse.Content.ReadFromJsonAsync<ScanResultDto>(TestJson.Options))!;
        int presentAfterCheckOut = (await AttendanceAsync(desk)).Present;
        var reentry = await ScanAsync(desk, access.Delegates[5].Token);

        Assert.Multiple(async () =>
        {
            Assert.That(checkedOut.Outcome, Is.EqualTo(ScanOutcome.CheckedOut));
            Assert.That(notIn.Outcome, Is.EqualTo(ScanOutcome.NotCheckedIn));
            Assert.That(presentAfterCheckOut, Is.Zero);
            Assert.That(reentry.Outcome, Is.EqualTo(ScanOutcome.CheckedIn));
            Assert.That(await _server.CountAsync("SELECT count(*) FROM attendance_event WHERE delegate_id = $1", id), Is.EqualTo(3));
        });
        desk.Dispose();
    }

    [Test]
    public async Task An_excused_absence_keeps_its_reason_for_the_report_and_leaves_the_summoned_count()
    {
        var (access, desk) = await CongressAsync(officials: 10, guests: 0);
        using var secretariat = await _server.SignInStaffAsync(access);
        var d = (await DelegateLists.ListAsync(secretariat)).Items.Single(x => x.Code == access.Delegates[6].Code);

        using var response = await desk.PostAsJsonAsync("/api/checkin/excuse", new ExcuseRequest(d.Id, "Ốm, có giấy của đơn vị", "Cửa 1"), TestJson.Options);

        var report = (await desk.GetFromJsonAsync<CredentialsReportDto>("/api/attendance/report", TestJson.Options))!;
        Assert.Multiple(() =>
        {
            Assert.That(response.StatusCode, Is.EqualTo(HttpStatusCode.OK));
            Assert.That(report.Attendance.Summoned, Is.EqualTo(9));
            Assert.That(report.Attendance.Excused, Is.EqualTo(1));
            Assert.That(report.Absent.Single(a => a.Code == d.Code).Reason, Is.EqualTo("Ốm, có giấy của đơn vị"));
            Assert.That(report.Rows.Where(r => r.Group == "kind").Single().Summoned, Is.EqualTo(9));
            Assert.That(report.Rows.Where(r => r.Group == "delegation").Sum(r => r.Summoned), Is.EqualTo(9));
        });
        desk.Dispose();
    }

    [Test]
    public async Task Opening_a_vote_is_refused_below_quorum_and_allowed_at_it()
    {
        var access = await _server.CreateCongressAsync(officialDelegates: 363, guests: 0, checkedIn: 241);
        using var secretary = await _server.SignInStaffAsync(access);
        Guid pollId = await _server.PollIdAsync(access, "Thông qua Chương trình");

        using var refused = await secretary.PostAsync(Routes.OpenPoll(pollId), null);
        string problem = await refused.Content.ReadAsStringAsync();
        var absentee = access.Delegates[300];
        await ScanAsync(secretary, absentee.Token);
        using var opened = await secretary.PostAsync(Routes.OpenPoll(pollId), null);

        Assert.Multiple(() =>
        {
            Assert.That(refused.StatusCode, Is.EqualTo(HttpStatusCode.Conflict));
            Assert.That(problem, Does.Contain("quorum_not_reached"));
            Assert.That(problem, Does.Contain("No quorum: 241 of 363 present (66.4%); required at least 242"));
            Assert.That(problem, Does.Contain("\"args\":[\"241\",\"363\",\"242\"]"), "the figures travel for each console's own language");
            Assert.That(opened.StatusCode, Is.EqualTo(HttpStatusCode.OK));
        });
    }

    [Test]
    public async Task Only_the_chair_may_open_a_vote_without_quorum_and_the_override_is_audited_with_its_reason()
    {
        var access = await _server.CreateCongressAsync(officialDelegates: 30, guests: 0, checkedIn: 5);
        using var secretary = await _server.SignInStaffAsync(access, "secretary");
        using var chair = await _server.SignInStaffAsync(access, "chair");
        Guid pollId = await _server.PollIdAsync(access, "Thông qua Chương trình");
        var body = new OpenPollRequest("Đại hội đồng ý biểu quyết sớm theo đề nghị của Đoàn Chủ tịch");

        using var bySecretary = await secretary.PostAsJsonAsync(Routes.OpenPoll(pollId), body, TestJson.Options);
        using var byChair = await chair.PostAsJsonAsync(Routes.OpenPoll(pollId), body, TestJson.Options);

        Assert.Multiple(async () =>
        {
            Assert.That(bySecretary.StatusCode, Is.EqualTo(HttpStatusCode.Forbidden));
            Assert.That(byChair.StatusCode, Is.EqualTo(HttpStatusCode.OK));
            Assert.That(await _server.CountAsync(
                "SELECT count(*) FROM audit_event WHERE action = 'poll.quorum_override' AND subject = $1::text AND detail->>'reason' LIKE 'Đại hội đồng ý%'", pollId),
                Is.EqualTo(1));
        });
    }

    [Test]
    public async Task Attendance_changes_reach_the_projector_live()
    {
        var (access, desk) = await CongressAsync(officials: 9, guests: 0);
        await using var projector = await _server.ConnectProjectorAsync(access.ProjectorCode);
        var seen = new TaskCompletionSource<AttendanceDto>();
        projector.On<AttendanceDto>(nameof(ICongressClient.AttendanceChanged), a =>
        {
            if (a.Present == 2)
            {
                seen.TrySetResult(a);
            }
        });

        await ScanAsync(desk, access.Delegates[0].Token);
        await ScanAsync(desk, access.Delegates[1].Token);

        var attendance = await seen.Task.WaitAsync(TimeSpan.FromSeconds(5));
        Assert.Multiple(() =>
        {
            Assert.That(attendance.Summoned, Is.EqualTo(9));
            Assert.That(attendance.QuorumReached, Is.False, "2 of 9 is below two thirds");
            Assert.That(attendance.QuorumRequired, Is.EqualTo(6m));
        });
        desk.Dispose();
    }
}

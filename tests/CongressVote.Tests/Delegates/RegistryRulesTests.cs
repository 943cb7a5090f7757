using System.Net;
using System.Net.Http.Json;
using CongressVote.Shared;
using CongressVote.Tests.Infrastructure;
using static CongressVote.Tests.Infrastructure.DelegateLists;

namespace CongressVote.Tests.Delegates;

/// <summary>Rules that keep the registry consistent with the votes and the people at the desks.</summary>
public sealed class RegistryRulesTests
{
    private CongressServer _server = default!;

    [OneTimeSetUp]
    public async Task StartServer() => _server = await CongressServer.StartAsync();

    [OneTimeTearDown]
    public async Task StopServer() => await _server.DisposeAsync();

    [Test]
    public async Task A_code_in_another_case_is_the_same_delegate_on_re_import_and_at_the_desk()
    {
        var access = await _server.CreateCongressAsync(officialDelegates: 0, guests: 0);
        using var staff = await _server.SignInStaffAsync(access);
        await ImportAsync(staff, Csv(VietnameseHeader, Line("Ab01", "Nguyễn Văn An")));

        var (_, report) = await ImportAsync(staff, Csv(VietnameseHeader, Line("AB01", "Nguyễn Văn An", position: "Trưởng đoàn")));
        using var scan = await staff.PostAsJsonAsync("/api/checkin/scan", new ScanRequest("ab01", null, "Cửa 1"), TestJson.Options);
        var scanned = (await scan.Content.ReadFromJsonAsync<ScanResultDto>(TestJson.Options))!;

        var list = await ListAsync(staff);
        Assert.Multiple(() =>
        {
            Assert.That((report.Added, report.Changed), Is.EqualTo((0, 1)));
            Assert.That(list.Total, Is.EqualTo(1));
            Assert.That(scanned.Outcome, Is.EqualTo(ScanOutcome.CheckedIn));
        });
    }

    [Test]
    public async Task A_delegation_spelt_with_other_case_or_spaces_is_the_same_delegation()
    {
        var access = await _server.CreateCongressAsync(officialDelegates: 0, guests: 0);
        using var staff = await _server.SignInStaffAsync(access);
        await ImportAsync(staff, Csv(VietnameseHeader, Line("Q1", "Nguyễn Văn An", "Quân khu 1")));

        var (_, report) = await ImportAsync(staff, Csv(VietnameseHeader,
            Line("Q1", "Nguyễn Văn An", "Quân Khu  1"), Line("Q2", "Lê Văn Bình", "QUÂN KHU 1"), Line("Q3", "Trần Văn Cơ", "Đoàn mới"), Line("Q4", "Hồ Văn Dự", "đoàn mới")));

        var list = await ListAsync(staff);
        Assert.Multiple(() =>
        {
            Assert.That((report.Added, report.Changed, report.Unchanged), Is.EqualTo((3, 0, 1)));
            Assert.That(list.Delegations, Is.EqualTo(new[] { "Quân khu 1", "Đoàn mới" }));
        });
    }

    [Test]
    public async Task A_delegates_type_cannot_change_while_a_vote_is_open()
    {
        var access = await _server.CreateCongressAsync(officialDelegates: 3, guests: 0);
        using var staff = await _server.SignInStaffAsync(access);
        await _server.OpenPollAsync(access);
        var d = access.Delegates[0];

        var (response, report) = await ImportAsync(staff, Csv(VietnameseHeader, Line(d.Code, d.FullName, d.Delegation, kind: "Khách mời")));

        Assert.Multiple(async () =>
        {
            Assert.That(response.StatusCode, Is.EqualTo(HttpStatusCode.BadRequest));
            Assert.That(report.Problems.Single().Code, Is.EqualTo("poll_open"));
            Assert.That((await ListAsync(staff)).Items.Single(x => x.Code == d.Code).Kind, Is.EqualTo(DelegateKind.Official));
        });
    }

    [Test]
    public async Task Badges_cannot_be_reprinted_during_a_vote()
    {
        var access = await _server.CreateCongressAsync(officialDelegates: 3, guests: 0);
        using var staff = await _server.SignInStaffAsync(access);
        await _server.OpenPollAsync(access);

        using var response = await staff.PostAsJsonAsync("/api/badges/sheet", new BadgeSheetRequest(BadgeScope.Reprint, null), TestJson.Options);

        Assert.Multiple(async () =>
        {
            Assert.That(response.StatusCode, Is.EqualTo(HttpStatusCode.Conflict));
            Assert.That(await response.Content.ReadAsStringAsync(), Does.Contain("poll_open"));
        });
    }

    [Test]
    public async Task Choosing_the_party_preset_changes_the_quorum_to_more_than_half()
    {
        var access = await _server.CreateCongressAsync(officialDelegates: 10, guests: 0, checkedIn: 6);
        using var admin = await _server.SignInStaffAsync(access, "admin");
        var before = (await admin.GetFromJsonAsync<AttendanceDto>("/api/attendance", TestJson.Options))!;
        var settings = (await admin.GetFromJsonAsync<CongressSettingsDto>("/api/congress", TestJson.Options))!;

        using var saved = await admin.PutAsJsonAsync("/api/congress", settings with { Preset = "party" }, TestJson.Options);
        var after = (await admin.GetFromJsonAsync<AttendanceDto>("/api/attendance", TestJson.Options))!;

        Assert.Multiple(() =>
        {
            Assert.That(before.QuorumReached, Is.False, "6 of 10 is below two thirds");
            Assert.That(saved.IsSuccessStatusCode, Is.True);
            Assert.That(after.QuorumReached, Is.True, "6 of 10 is more than half");
            Assert.That(after.QuorumStrict, Is.True);
        });
    }

    [Test]
    public async Task A_disabled_staff_account_loses_its_session_at_once()
    {
        var access = await _server.CreateCongressAsync(officialDelegates: 1, guests: 0);
        using var admin = await _server.SignInStaffAsync(access, "admin");
        using var secretary = await _server.SignInStaffAsync(access, "secretary");
        var account = (await admin.GetFromJsonAsync<List<StaffAccountDto>>("/api/staff", TestJson.Options))!.Single(s => s.Role == "secretary");
        using var before = await secretary.GetAsync("/api/delegates");

        (await admin.PutAsJsonAsync($"/api/staff/{account.Id}", new StaffEditDto(account.UserName, account.DisplayName, "secretary", null, true), TestJson.Options)).EnsureSuccessStatusCode();
        using var after = await secretary.GetAsync("/api/delegates");

        Assert.Multiple(() =>
        {
            Assert.That(before.StatusCode, Is.EqualTo(HttpStatusCode.OK));
            Assert.That(after.StatusCode, Is.EqualTo(HttpStatusCode.Unauthorized));
        });
    }

    [Test]
    public async Task A_refused_tablet_is_not_put_back_in_the_queue_and_signing_out_frees_the_badge()
    {
        var access = await _server.CreateCongressAsync(officialDelegates: 2, guests: 0);
        string token = access.Delegates[0].Token;
        var (first, _) = _server.NewBrowserlessClient();
        var (stranger, _) = _server.NewBrowserlessClient();
        var (replacement, _) = _server.NewBrowserlessClient();
        using (first)
        using (stranger)
        using (replacement)
        using (var helpDesk = await _server.SignInStaffAsync(access, "credentials"))
        {
            (await first.PostAsJsonAsync(Routes.DelegateLogin, CongressServer.Login(token, "tablet-owner"))).EnsureSuccessStatusCode();
            using var held = await stranger.PostAsJsonAsync(Routes.DelegateLogin, CongressServer.Login(token, "tablet-stranger"));
            var request = (await held.Content.ReadFromJsonAsync<DelegateLoginResultDto>(TestJson.Options))!;
            (await helpDesk.PostAsync($"/api/helpdesk/requests/{request.RequestId}/refuse", null)).EnsureSuccessStatusCode();

            using var again = await stranger.PostAsJsonAsync(Routes.DelegateLogin, CongressServer.Login(token, "tablet-stranger"));
            var queue = (await helpDesk.GetFromJsonAsync<HelpDeskDto>("/api/helpdesk", TestJson.Options))!;
            (await first.PostAsync(Routes.Logout, null)).EnsureSuccessStatusCode();
            using var afterLogout = await replacement.PostAsJsonAsync(Routes.DelegateLogin, CongressServer.Login(token, "tablet-replacement"));

            Assert.Multiple(async () =>
            {
                Assert.That(again.StatusCode, Is.EqualTo(HttpStatusCode.Forbidden));
                Assert.That(await again.Content.ReadAsStringAsync(), Does.Contain("device_refused"));
                Assert.That(queue.Requests, Is.Empty);
                Assert.That(afterLogout.StatusCode, Is.EqualTo(HttpStatusCode.OK), "a signed-out badge needs no approval");
            });
        }
    }
}

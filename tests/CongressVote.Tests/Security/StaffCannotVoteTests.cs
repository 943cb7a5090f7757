using System.Net;
using System.Net.Http.Json;
using CongressVote.Shared;
using CongressVote.Tests.Infrastructure;
using Microsoft.AspNetCore.SignalR.Client;

namespace CongressVote.Tests.Security;

/// <summary>
/// A credentials-committee account tries to vote for a checked-in delegate during an open vote by reissuing their
/// badge, decoding the new QR code and signing a tablet in with it.
/// </summary>
public sealed class StaffCannotVoteTests
{
    private CongressServer _server = default!;

    [OneTimeSetUp]
    public async Task StartServer() => _server = await CongressServer.StartAsync();

    [OneTimeTearDown]
    public async Task StopServer() => await _server.DisposeAsync();

    private async Task<Guid> DelegateIdAsync(Server.Demo.DemoAccess access, int index)
    {
        using var staff = await _server.SignInStaffAsync(access);
        var list = (await staff.GetFromJsonAsync<DelegateListDto>("/api/delegates", TestJson.Options))!;
        return list.Items.Single(d => d.Code == access.Delegates[index].Code).Id;
    }

    /// <summary>
    /// Reissues a badge and reads its QR code back. ZXing now and then misses a code on a whole badge picture; a
    /// phone retries by moving, here the badge is reissued again (each reissue is a new badge, like a reprint).
    /// </summary>
    private static async Task<(HttpStatusCode Status, string? Link)> ReissueAsync(HttpClient desk, Guid delegateId, BadgeChangeApprovalDto? approval)
    {
        for (int attempt = 1; ; attempt++)
        {
            using var response = approval is null
                ? await desk.PostAsync($"/api/delegates/{delegateId}/badge/reissue", null)
                : await desk.PostAsJsonAsync($"/api/delegates/{delegateId}/badge/reissue", approval, TestJson.Options);
            if (response.StatusCode != HttpStatusCode.OK)
            {
                return (response.StatusCode, null);
            }

            string? link = QrCodes.Read(await response.Content.ReadAsByteArrayAsync());
            if (link is not null || attempt == 3)
            {
                return (response.StatusCode, link);
            }
        }
    }

    [Test]
    public async Task During_a_vote_a_badge_is_reissued_or_revoked_only_with_the_chairs_approval_and_signs_in_only_after_the_desk()
    {
        var access = await _server.CreateCongressAsync(officialDelegates: 4, guests: 0);
        Guid victim = await DelegateIdAsync(access, 2);
        var poll = await _server.OpenPollAsync(access);
        using var desk = await _server.SignInStaffAsync(access, "credentials");
        var chair = access.Staff.Single(s => s.Role == "chair");

        using var alone = await desk.PostAsJsonAsync($"/api/delegates/{victim}/badge/reissue", new BadgeChangeApprovalDto(null, null), TestJson.Options);
        using var revokeAlone = await desk.PostAsJsonAsync($"/api/delegates/{victim}/revoke", new BadgeChangeApprovalDto(null, null), TestJson.Options);
        using var wrongPassword = await desk.PostAsJsonAsync($"/api/delegates/{victim}/badge/reissue", new BadgeChangeApprovalDto(chair.UserName, "guess"), TestJson.Options);
        using var notTheChair = await desk.PostAsJsonAsync($"/api/delegates/{victim}/badge/reissue",
            new BadgeChangeApprovalDto(access.Staff.Single(s => s.Role == "credentials").UserName, "test-password"), TestJson.Options);
        // The victim's own tablet still votes: nothing above changed their badge.
        await using (var tablet = await _server.ConnectDelegateAsync(access.Delegates[2].Token))
        {
            Assert.That((await tablet.InvokeAsync<CastResult>(nameof(ICongressHub.Cast), new CastRequest(poll.Id, VoteChoice.Yes, Guid.NewGuid()))).Status,
                Is.EqualTo(CastStatus.Recorded));
        }

        var approved = await ReissueAsync(desk, victim, new BadgeChangeApprovalDto(chair.UserName, chair.Password));
        string link = approved.Link ?? throw new AssertionException("The reissued badge's QR code did not decode.");
        string newToken = link[(link.LastIndexOf('#') + 1)..];
        var (tabletClient, _) = _server.NewBrowserlessClient();
        using var beforeDesk = await tabletClient.PostAsJsonAsync(Routes.DelegateLogin, CongressServer.Login(newToken));
        using var scanned = await desk.PostAsJsonAsync("/api/checkin/scan", new ScanRequest(link, null, "Bàn 1"), TestJson.Options);
        using var afterDesk = await tabletClient.PostAsJsonAsync(Routes.DelegateLogin, CongressServer.Login(newToken));
        using var secretary = await _server.SignInStaffAsync(access);
        var audit = (await secretary.GetFromJsonAsync<List<AuditEventDto>>("/api/audit", TestJson.Options))!;

        Assert.Multiple(async () =>
        {
            Assert.That(alone.StatusCode, Is.EqualTo(HttpStatusCode.Conflict));
            Assert.That(await alone.Content.ReadAsStringAsync(), Does.Contain("badge_change_needs_chair"));
            Assert.That(revokeAlone.StatusCode, Is.EqualTo(HttpStatusCode.Conflict));
            Assert.That(wrongPassword.StatusCode, Is.EqualTo(HttpStatusCode.Forbidden));
            Assert.That(notTheChair.StatusCode, Is.EqualTo(HttpStatusCode.Forbidden), "only the chair's own password approves");
            Assert.That(approved.Status, Is.EqualTo(HttpStatusCode.OK));
            Assert.That(beforeDesk.StatusCode, Is.EqualTo(HttpStatusCode.Forbidden), "the reissued badge does not sign a tablet in before the desk");
            Assert.That(await beforeDesk.Content.ReadAsStringAsync(), Does.Contain("badge_needs_desk_check"));
            Assert.That(scanned.StatusCode, Is.EqualTo(HttpStatusCode.OK));
            Assert.That(afterDesk.StatusCode, Is.EqualTo(HttpStatusCode.OK), "scanned at the door, it signs in");
            Assert.That(audit.Where(a => a.Action == "badge.reissue").Select(a => a.Detail), Has.All.Contain(chair.UserName), "the trail names who approved as well as who acted");
            Assert.That(audit.Any(a => a.Action == "badge.desk_confirmed"), Is.True);
        });
        tabletClient.Dispose();
    }

    [Test]
    public async Task Outside_a_vote_a_badge_is_reissued_without_the_chair()
    {
        var access = await _server.CreateCongressAsync(officialDelegates: 2, guests: 0);
        Guid delegateId = await DelegateIdAsync(access, 1);
        using var desk = await _server.SignInStaffAsync(access, "credentials");
        var reissued = await ReissueAsync(desk, delegateId, null);
        string link = reissued.Link ?? throw new AssertionException($"The reissued badge did not come ({reissued.Status}) or its QR code did not decode.");
        var (tabletClient, _) = _server.NewBrowserlessClient();
        using var signIn = await tabletClient.PostAsJsonAsync(Routes.DelegateLogin, CongressServer.Login(link[(link.LastIndexOf('#') + 1)..]));

        Assert.Multiple(() =>
        {
            Assert.That(reissued.Status, Is.EqualTo(HttpStatusCode.OK));
            Assert.That(signIn.StatusCode, Is.EqualTo(HttpStatusCode.OK));
        });
        tabletClient.Dispose();
    }
}

using System.Net;
using System.Net.Http.Json;
using CongressVote.Shared;
using CongressVote.Tests.Infrastructure;
using Dapper;

namespace CongressVote.Tests.Badges;

/// <summary>Issuing, reissuing and revoking badges through the console's endpoints, against PostgreSQL.</summary>
public sealed class BadgeApiTests
{
    private CongressServer _server = default!;

    [OneTimeSetUp]
    public async Task StartServer() => _server = await CongressServer.StartAsync(new Dictionary<string, string?>
    {
        ["Venue:PublicUrl"] = "http://192.168.1.10:5000",
    });

    [OneTimeTearDown]
    public async Task StopServer() => await _server.DisposeAsync();

    private async Task<(HttpClient Staff, DelegateDto Delegate)> DelegateWithoutBadgeAsync()
    {
        var access = await _server.CreateCongressAsync(officialDelegates: 0, guests: 0);
        var staff = await _server.SignInStaffAsync(access);
        await DelegateLists.ImportAsync(staff, DelegateLists.Csv(DelegateLists.VietnameseHeader, DelegateLists.Line("N001", "Nguyễn Thị Ánh Tuyết", gender: "Nữ")));
        var d = (await DelegateLists.ListAsync(staff)).Items.Single();
        // Through the door first: only checked-in delegates may sign a tablet in.
        (await staff.PostAsJsonAsync("/api/checkin/scan", new ScanRequest(null, d.Id, "test desk"), TestJson.Options)).EnsureSuccessStatusCode();
        return (staff, d);
    }

    private static async Task<string> IssuePngAsync(HttpClient staff, Guid delegateId, string endpoint = "badge")
    {
        using var response = await staff.PostAsync($"/api/delegates/{delegateId}/{endpoint}?format=png", null);
        response.EnsureSuccessStatusCode();
        Assert.That(response.Content.Headers.ContentType?.MediaType, Is.EqualTo("image/png"));
        return QrCodes.Read(await response.Content.ReadAsByteArrayAsync()) ?? throw new AssertionException("The badge's QR code did not decode.");
    }

    private async Task<HttpStatusCode> SignInWithAsync(string url, string expectCode = "")
    {
        string token = url[(url.LastIndexOfAny(['/', '#']) + 1)..];
        var (client, _) = _server.NewBrowserlessClient();
        using (client)
        {
            using var response = await client.PostAsJsonAsync(Routes.DelegateLogin, CongressServer.Login(token));
            if (expectCode.Length > 0)
            {
                Assert.That(await response.Content.ReadAsStringAsync(), Does.Contain($"\"code\":\"{expectCode}\""));
            }

            return response.StatusCode;
        }
    }

    [Test]
    public async Task A_badge_PNG_carries_a_QR_code_with_the_venue_address_that_signs_the_delegate_in()
    {
        var (staff, d) = await DelegateWithoutBadgeAsync();

        string url = await IssuePngAsync(staff, d.Id);

        Assert.Multiple(async () =>
        {
            Assert.That(url, Does.Match("^http://192\\.168\\.1\\.10:5000/t#[A-Za-z0-9_-]{22}$"));
            Assert.That(await SignInWithAsync(url), Is.EqualTo(HttpStatusCode.OK));
        });
        staff.Dispose();
    }

    [Test]
    public async Task A_badge_printed_as_PNG_then_SVG_then_on_a_sheet_is_one_badge_and_the_first_print_still_signs_in()
    {
        var (staff, d) = await DelegateWithoutBadgeAsync();
        string png = await IssuePngAsync(staff, d.Id);

        using var svgResponse = await staff.PostAsync($"/api/delegates/{d.Id}/badge?format=svg", null);
        string? svg = QrCodes.ReadSvg(await svgResponse.Content.ReadAsStringAsync());
        using var sheetResponse = await staff.PostAsJsonAsync("/api/badges/sheet", new BadgeSheetRequest(BadgeScope.Again, null), TestJson.Options);
        string? sheet = QrCodes.ReadPdf(await sheetResponse.Content.ReadAsByteArrayAsync());

        Assert.Multiple(async () =>
        {
            Assert.That(svg, Is.EqualTo(png), "the SVG is the badge the PNG was");
            Assert.That(sheetResponse.Content.Headers.ContentType?.MediaType, Is.EqualTo("application/pdf"));
            Assert.That(sheet, Is.EqualTo(png), "the sheet is the badge the PNG was");
            Assert.That(await SignInWithAsync(png), Is.EqualTo(HttpStatusCode.OK), "the first printed badge still signs a tablet in");
            Assert.That(await _server.CountAsync("SELECT count(*) FROM badge_revocation WHERE delegate_id = $1", d.Id), Is.Zero);
            Assert.That(await _server.CountAsync("SELECT count(*) FROM audit_event a JOIN delegate d ON d.congress_id = a.congress_id AND d.code = a.subject WHERE a.action = 'badge.issue' AND d.id = $1", d.Id), Is.EqualTo(1));
        });
        staff.Dispose();
    }

    [Test]
    public async Task The_database_keeps_a_badge_only_sealed_and_a_seal_copied_onto_another_delegate_prints_nothing()
    {
        var access = await _server.CreateCongressAsync(officialDelegates: 0, guests: 0);
        using var staff = await _server.SignInStaffAsync(access);
        await DelegateLists.ImportAsync(staff, DelegateLists.Csv(DelegateLists.VietnameseHeader, DelegateLists.Line("K1", "Hà Văn Sơn"), DelegateLists.Line("K2", "Lý Thị Mai", gender: "Nữ")));
        var list = (await DelegateLists.ListAsync(staff)).Items;
        Guid first = list.Single(d => d.Code == "K1").Id, second = list.Single(d => d.Code == "K2").Id;
        string url = await IssuePngAsync(staff, first);
        await IssuePngAsync(staff, second);
        string token = url[(url.LastIndexOf('#') + 1)..];

        // Whoever can write the database moves the first delegate's sealed badge onto the second's row.
        await using (var connection = await _server.Db.OpenConnectionAsync())
        {
            await connection.ExecuteAsync("UPDATE delegate SET badge_sealed = (SELECT badge_sealed FROM delegate WHERE id = @first) WHERE id = @second", new { first, second });
        }

        using var copied = await staff.PostAsync($"/api/delegates/{second}/badge?format=png", null);

        Assert.Multiple(async () =>
        {
            await using var connection = await _server.Db.OpenConnectionAsync();
            Assert.That(await connection.ExecuteScalarAsync<bool>(
                "SELECT position(convert_to(@token, 'UTF8') IN badge_sealed) = 0 AND position(convert_to(@token, 'UTF8') IN token_hash) = 0 FROM delegate WHERE id = @first",
                new { token, first }), Is.True, "the token itself is nowhere in the row");
            Assert.That(copied.StatusCode, Is.EqualTo(HttpStatusCode.Conflict));
            Assert.That(await copied.Content.ReadAsStringAsync(), Does.Contain("badge_not_kept"));
        });
    }

    [Test]
    public async Task A_reissued_badge_replaces_the_old_one_which_is_refused_as_revoked()
    {
        var (staff, d) = await DelegateWithoutBadgeAsync();
        string first = await IssuePngAsync(staff, d.Id);

        string second = await IssuePngAsync(staff, d.Id, "badge/reissue");

        Assert.Multiple(async () =>
        {
            Assert.That(second, Is.Not.EqualTo(first));
            Assert.That(await SignInWithAsync(first, "badge_revoked"), Is.EqualTo(HttpStatusCode.Unauthorized));
            Assert.That(await SignInWithAsync(second), Is.EqualTo(HttpStatusCode.OK));
            Assert.That(await _server.CountAsync("SELECT count(*) FROM audit_event WHERE action = 'badge.reissue' AND subject = (SELECT code FROM delegate WHERE id = $1)", d.Id), Is.EqualTo(1));
        });
        staff.Dispose();
    }

    [Test]
    public async Task A_revoked_badge_is_refused_and_the_revocation_is_audited()
    {
        var (staff, d) = await DelegateWithoutBadgeAsync();
        string url = await IssuePngAsync(staff, d.Id);

        using var revoke = await staff.PostAsync($"/api/delegates/{d.Id}/revoke", null);

        Assert.Multiple(async () =>
        {
            Assert.That(revoke.StatusCode, Is.EqualTo(HttpStatusCode.NoContent));
            Assert.That(await SignInWithAsync(url, "badge_revoked"), Is.EqualTo(HttpStatusCode.Unauthorized));
            Assert.That(await _server.CountAsync("SELECT count(*) FROM audit_event WHERE action = 'badge.revoke' AND subject = (SELECT code FROM delegate WHERE id = $1)", d.Id), Is.EqualTo(1));
        });
        staff.Dispose();
    }

    [Test]
    public async Task An_SVG_badge_names_the_delegate_with_diacritics()
    {
        var (staff, d) = await DelegateWithoutBadgeAsync();

        using var response = await staff.PostAsync($"/api/delegates/{d.Id}/badge?format=svg", null);

        Assert.Multiple(async () =>
        {
            Assert.That(response.Content.Headers.ContentType?.MediaType, Is.EqualTo("image/svg+xml"));
            Assert.That(await response.Content.ReadAsStringAsync(), Does.Contain("Nguyễn Thị Ánh Tuyết"));
        });
        staff.Dispose();
    }

    [Test]
    public async Task A_sheet_of_new_badges_skips_delegates_who_have_one_and_a_second_sheet_has_nothing_to_print()
    {
        var access = await _server.CreateCongressAsync(officialDelegates: 0, guests: 0);
        using var staff = await _server.SignInStaffAsync(access);
        await DelegateLists.ImportAsync(staff, DelegateLists.Csv(DelegateLists.VietnameseHeader,
            DelegateLists.Line("S1", "Hà Văn Sơn"), DelegateLists.Line("S2", "Lý Thị Mai", gender: "Nữ"), DelegateLists.Line("S3", "Vương Đình Huệ", "Quân khu 4")));

        using var first = await staff.PostAsJsonAsync("/api/badges/sheet", new BadgeSheetRequest(BadgeScope.New, null), TestJson.Options);
        using var second = await staff.PostAsJsonAsync("/api/badges/sheet", new BadgeSheetRequest(BadgeScope.New, null), TestJson.Options);
        using var reprint = await staff.PostAsJsonAsync("/api/badges/sheet", new BadgeSheetRequest(BadgeScope.Reprint, "Quân khu 4"), TestJson.Options);

        var pdf = await first.Content.ReadAsByteArrayAsync();
        Assert.Multiple(async () =>
        {
            Assert.That(first.Content.Headers.ContentType?.MediaType, Is.EqualTo("application/pdf"));
            Assert.That(pdf[..4], Is.EqualTo("%PDF"u8.ToArray()));
            Assert.That(second.StatusCode, Is.EqualTo(HttpStatusCode.NotFound));
            Assert.That(await second.Content.ReadAsStringAsync(), Does.Contain("no_badges_to_print"));
            Assert.That(reprint.StatusCode, Is.EqualTo(HttpStatusCode.OK));
            Assert.That((await DelegateLists.ListAsync(staff)).Items.Select(d => d.HasBadge), Is.All.True);
            Assert.That(await _server.CountAsync("SELECT count(*) FROM badge_revocation r JOIN delegate d ON d.id = r.delegate_id WHERE d.congress_id = $1", access.CongressId), Is.EqualTo(1));
        });
    }

    [Test]
    public async Task A_delegate_cannot_print_badges()
    {
        var access = await _server.CreateCongressAsync(officialDelegates: 2, guests: 0);
        var (client, _) = _server.NewBrowserlessClient();
        using (client)
        {
            (await client.PostAsJsonAsync(Routes.DelegateLogin, CongressServer.Login(access.Delegates[0].Token))).EnsureSuccessStatusCode();
            using var response = await client.PostAsJsonAsync("/api/badges/sheet", new BadgeSheetRequest(BadgeScope.Reprint, null), TestJson.Options);
            Assert.That(response.StatusCode, Is.EqualTo(HttpStatusCode.Forbidden));
        }
    }

    [Test]
    public async Task A_state_changing_call_without_the_app_header_is_refused_and_changes_nothing()
    {
        var (staff, d) = await DelegateWithoutBadgeAsync();
        staff.DefaultRequestHeaders.Remove(Routes.CsrfHeader);

        using var response = await staff.PostAsync($"/api/delegates/{d.Id}/badge?format=png", null);

        Assert.Multiple(async () =>
        {
            Assert.That(response.StatusCode, Is.EqualTo(HttpStatusCode.BadRequest));
            Assert.That(await response.Content.ReadAsStringAsync(), Does.Contain("missing_csrf_header"));
            Assert.That((await DelegateLists.ListAsync(staff)).Items.Single().HasBadge, Is.False);
        });
        staff.Dispose();
    }
}

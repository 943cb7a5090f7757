using System.Diagnostics;
using System.IO.Compression;
using System.Net;
using System.Net.Http.Json;
using System.Text.RegularExpressions;
using System.Xml.Linq;
using CongressVote.Server.Demo;
using CongressVote.Shared;
using CongressVote.Tests.Infrastructure;
using Dapper;
using Microsoft.AspNetCore.SignalR.Client;

namespace CongressVote.Tests.Documents;

/// <summary>
/// The congress's record, generated for a congress after its programme vote and read back the way a person would:
/// the PDF's text by poppler (pdftotext), the Word file's text from its XML, page 1 rendered to PNG for a look.
/// Every figure checked is the one stored in PostgreSQL.
/// </summary>
public sealed class DocumentTests
{
    private const string Organisation = "Ban Chấp hành Công đoàn Quốc phòng";
    private const string SuperiorBody = "Tổng Liên đoàn Lao động Việt Nam";
    private const string Place = "Hà Nội";
    private const string Committee = "Nguyễn Văn Kiểm\nTrần Thị Phiếu\nLê Văn Đếm";

    private static readonly System.Text.Json.JsonSerializerOptions s_web = new(System.Text.Json.JsonSerializerDefaults.Web);

    private CongressServer _server = default!;
    private DemoAccess _access = default!;
    private HttpClient _secretary = default!;
    private Guid _pollId;
    private Guid _electionId;

    [OneTimeSetUp]
    public async Task RunTheProgrammeVote()
    {
        _server = await CongressServer.StartAsync();
        // 30 officials, 27 through the door; 3 guests, 2 of them in; one absent official excused with a reason.
        _access = await _server.CreateCongressAsync(officialDelegates: 30, guests: 3, checkedIn: 27);
        _secretary = await _server.SignInStaffAsync(_access);
        using var desk = await _server.SignInStaffAsync(_access, "credentials");
        foreach (var guest in _access.Delegates.Where(d => d.Code.StartsWith("KM", StringComparison.Ordinal)).Take(2))
        {
            (await desk.PostAsJsonAsync("/api/checkin/scan", new ScanRequest(guest.Token, null, "Cửa 1"), TestJson.Options)).EnsureSuccessStatusCode();
        }

        var excused = (await DelegateLists.ListAsync(_secretary)).Items.Single(d => d.Code == _access.Delegates[28].Code);
        (await desk.PostAsJsonAsync("/api/checkin/excuse", new ExcuseRequest(excused.Id, "Ốm, có giấy của đơn vị", "Cửa 1"), TestJson.Options)).EnsureSuccessStatusCode();
        (await _secretary.PutAsJsonAsync("/api/documents/heading", new DocumentHeadingDto(Organisation, SuperiorBody, Place, "national", Committee), TestJson.Options))
            .EnsureSuccessStatusCode();

        // The programme vote: 20 tablets (16 yes, 2 no, 2 abstain) and a paper box (2 yes, 1 no).
        var poll = await _server.OpenPollAsync(_access);
        _pollId = poll.Id;
        // Each tablet signs in once and stays connected for both votes, as in the hall.
        var tablets = new List<HubConnection>();
        for (int i = 0; i < 20; i++)
        {
            tablets.Add(await _server.ConnectDelegateAsync(_access.Delegates[i].Token));
        }

        for (int i = 0; i < 20; i++)
        {
            var choice = i < 16 ? VoteChoice.Yes : i < 18 ? VoteChoice.No : VoteChoice.Abstain;
            await tablets[i].InvokeAsync<CastResult>(nameof(ICongressHub.Cast), new CastRequest(poll.Id, choice, Guid.NewGuid()));
        }

        using var chair = await _server.SignInStaffAsync(_access, "chair");
        (await chair.PostAsJsonAsync($"/api/polls/{poll.Id}/paper", new PaperCountDto(2, 1, 0, "Hòm phiếu số 1"), TestJson.Options)).EnsureSuccessStatusCode();
        await _server.ClosePollAsync(_access, poll.Id);

        // An election for 2 seats among 3 candidates that ends in a tie for the second seat: 18 tablets (9 keep 1 and 2,
        // 9 keep 1 and 3) and a paper box (4 issued, 3 returned, 1 invalid, 2 valid each keeping 2 and 3).
        await using (var connection = await _server.Db.OpenConnectionAsync())
        {
            Guid itemId = await connection.ExecuteScalarAsync<Guid>(
                "SELECT id FROM agenda_item WHERE congress_id = @CongressId AND kind = 'election'", new { _access.CongressId });
            using var created = await _secretary.PostAsJsonAsync("/api/elections", new ElectionEditDto(itemId, "Bầu Ban Kiểm tra", 2, true, null), TestJson.Options);
            _electionId = (await created.Content.ReadFromJsonAsync<PollDto>(TestJson.Options))!.Id;
        }

        (await _secretary.PutAsJsonAsync($"/api/elections/{_electionId}/candidates", new List<CandidateEditDto>
        {
            new CandidateEditDto("Nguyễn Thị Ánh", 1980, "Ủy viên", "Quân khu 1"),
            new CandidateEditDto("Trần Đức Lộc", 1975, "Trưởng ban", "Quân khu 7"),
            new CandidateEditDto("Phạm Quỳnh Hương", 1988, "Cán bộ", "Quân chủng Hải quân"),
        }, TestJson.Options)).EnsureSuccessStatusCode();
        (await _secretary.PostAsync(Routes.OpenPoll(_electionId), null)).EnsureSuccessStatusCode();
        for (int i = 0; i < 18; i++)
        {
            var cast = await tablets[i].InvokeAsync<CastResult>(nameof(ICongressHub.Cast),
                new CastRequest(_electionId, VoteChoice.Yes, Guid.NewGuid(), null, i % 2 == 0 ? [1, 2] : [1, 3], Receipts.NewCode()));
            Assert.That(cast.Status, Is.EqualTo(CastStatus.Recorded));
        }

        (await chair.PostAsJsonAsync($"/api/elections/{_electionId}/paper/totals",
            new PaperTotalsDto(4, 3, 1, [0, 2, 2], "Hòm phiếu phụ", [0, 1]), TestJson.Options))
            .EnsureSuccessStatusCode();
        // And one paper ballot entered one by one, by two members alike: invalid for a mark on it.
        var (counting, _) = _server.NewBrowserlessClient();
        using (counting)
        {
            var account = _access.Staff.First(s => s.Role == "counting");
            (await counting.PostAsJsonAsync(Routes.StaffLogin, new StaffLoginRequest(account.UserName, account.Password))).EnsureSuccessStatusCode();
            foreach (var member in new[] { chair, counting })
            {
                (await member.PostAsJsonAsync($"/api/elections/{_electionId}/paper/ballots", new PaperBallotDto(1, [], true, "Marked"), TestJson.Options))
                    .EnsureSuccessStatusCode();
            }
        }

        await _server.ClosePollAsync(_access, _electionId);
        (await _secretary.PostAsync($"/api/polls/{_electionId}/publish", null)).EnsureSuccessStatusCode();
        foreach (var tablet in tablets)
        {
            await tablet.DisposeAsync();
        }
    }

    [OneTimeTearDown]
    public async Task StopServer()
    {
        _secretary.Dispose();
        await _server.DisposeAsync();
    }

    private sealed record StoredResult(int YesCount, int NoCount, int AbstainCount, int EntitledCount, int PresentCount, bool Passed);

    private async Task<StoredResult> StoredAsync()
    {
        await using var connection = await _server.Db.OpenConnectionAsync();
        return await connection.QuerySingleAsync<StoredResult>(
            "SELECT yes_count, no_count, abstain_count, entitled_count, present_count, passed FROM poll WHERE id = @_pollId", new { _pollId });
    }

    [Test]
    public async Task Every_group_of_the_credentials_report_adds_up_to_the_totals_the_desk_shows()
    {
        var report = (await _secretary.GetFromJsonAsync<CredentialsReportDto>("/api/attendance/report", TestJson.Options))!;
        var desk = (await _secretary.GetFromJsonAsync<AttendanceDto>("/api/attendance", TestJson.Options))!;

        Assert.Multiple(() =>
        {
            Assert.That((desk.Summoned, desk.Present, desk.Excused), Is.EqualTo((29, 27, 1)), "the excused delegate leaves the summoned count");
            Assert.That(report.Attendance, Is.EqualTo(desk).Using<AttendanceDto>((a, b) =>
                a.Summoned == b.Summoned && a.Present == b.Present && a.Excused == b.Excused && a.GuestsPresent == b.GuestsPresent));
            foreach (string group in new[] { "kind", "gender", "delegation", "age" })
            {
                var rows = report.Rows.Where(r => r.Group == group).ToList();
                Assert.That(rows.Sum(r => r.Summoned), Is.EqualTo(desk.Summoned), $"{group}: summoned");
                Assert.That(rows.Sum(r => r.Present), Is.EqualTo(desk.Present), $"{group}: present");
                Assert.That(rows.Sum(r => r.Absent), Is.EqualTo(desk.Summoned - desk.Present), $"{group}: absent");
                Assert.That(rows.Sum(r => r.Excused), Is.EqualTo(desk.Excused), $"{group}: excused");
                Assert.That(rows.All(r => r.Summoned == r.Present + r.Absent), $"{group}: each row's summoned is its present plus its absent");
            }

            Assert.That(desk.ByDelegation.Sum(d => d.Present), Is.EqualTo(desk.Present));
            var guestsOnDesk = desk.ByKind.Single(k => k.Key == "guest");
            var guestsInReport = report.Rows.Single(r => r.Group == "nonvoting" && r.Key == "guest");
            Assert.That((guestsOnDesk.Summoned, guestsOnDesk.Present), Is.EqualTo((3, 2)), "guests: invited and present");
            Assert.That((guestsInReport.Summoned, guestsInReport.Present), Is.EqualTo((guestsOnDesk.Summoned, guestsOnDesk.Present)));
            Assert.That(desk.GuestsPresent, Is.EqualTo(guestsOnDesk.Present));
            Assert.That(report.Absent, Has.Count.EqualTo(3), "the absent list names the excused delegate too, with the reason");
        });
    }

    [TestCase("vi")]
    [TestCase("en")]
    public async Task The_credentials_report_in_PDF_and_Word_carries_the_stored_figures_with_their_diacritics(string lang)
    {
        var desk = (await _secretary.GetFromJsonAsync<AttendanceDto>("/api/attendance", TestJson.Options))!;

        string pdf = await PdfTextAsync($"/api/documents/credentials?format=pdf&lang={lang}", $"credentials-{lang}");
        string docx = await DocxTextAsync($"/api/documents/credentials?format=docx&lang={lang}");

        bool vi = lang == "vi";
        string[] expected = vi
            ? ["CỘNG HOÀ XÃ HỘI CHỦ NGHĨA VIỆT NAM", "Độc lập - Tự do - Hạnh phúc", "BAN CHẤP HÀNH CÔNG ĐOÀN QUỐC PHÒNG", "TỔNG LIÊN ĐOÀN LAO ĐỘNG VIỆT NAM",
               "BÁO CÁO", "Thẩm tra tư cách đại biểu", $"Tổng số đại biểu được triệu tập: {desk.Summoned} đồng chí", $"Số đại biểu có mặt: {desk.Present} đồng chí",
               "trong đó có lý do: 1", "Ốm, có giấy của đơn vị", "T/M BAN THẨM TRA TƯ CÁCH ĐẠI BIỂU", $"{Place}, ngày "]
            : ["SOCIALIST REPUBLIC OF VIETNAM", "Independence - Freedom - Happiness", "BAN CHẤP HÀNH CÔNG ĐOÀN QUỐC PHÒNG",
               "On the credentials of the delegates", $"Delegates summoned: {desk.Summoned}.", $"Delegates present: {desk.Present},",
               "of whom 1 with a reason", "Ốm, có giấy của đơn vị", "ON BEHALF OF THE CREDENTIALS COMMITTEE"];
        string totalRow = vi ? $"Cộng {desk.Summoned} {desk.Present} 100,0% {desk.Summoned - desk.Present} {desk.Excused}"
            : $"Total {desk.Summoned} {desk.Present} 100.0% {desk.Summoned - desk.Present} {desk.Excused}";
        Assert.Multiple(() =>
        {
            foreach (string text in expected)
            {
                Assert.That(Flat(pdf), Does.Contain(text), "PDF");
                Assert.That(Flat(docx), Does.Contain(text), "Word");
            }

            Assert.That(Regex.Matches(Flat(pdf), Regex.Escape(totalRow)), Has.Count.EqualTo(4), "each of the four groups totals the same in the PDF");
            Assert.That(Regex.Matches(Flat(docx), Regex.Escape(totalRow)), Has.Count.EqualTo(4), "and in Word");
        });
    }

    [TestCase("vi")]
    [TestCase("en")]
    public async Task The_minutes_of_a_named_vote_carry_the_stored_result_with_paper_apart_and_each_delegates_vote(string lang)
    {
        var stored = await StoredAsync();

        string pdf = Flat(await PdfTextAsync($"/api/documents/motions/{_pollId}?format=pdf&lang={lang}", $"motion-{lang}"));
        string docx = Flat(await DocxTextAsync($"/api/documents/motions/{_pollId}?format=docx&lang={lang}"));

        bool vi = lang == "vi";
        string Annex(int i, string vote) => $"{_access.Delegates[i].Code} {_access.Delegates[i].FullName} {_access.Delegates[i].Delegation} {vote}";
        string Pct(int n) => (100m * n / stored.EntitledCount).ToString("0.0", System.Globalization.CultureInfo.GetCultureInfo(vi ? "vi-VN" : "en-GB")) + "%";
        string[] expected = vi
            ? ["BIÊN BẢN BIỂU QUYẾT", "Thông qua Chương trình và Quy chế làm việc của Đại hội",
               "trên 1/2 tổng số đại biểu được triệu tập",
               $"Đại biểu có quyền biểu quyết {stored.EntitledCount}", $"Đại biểu có mặt khi kết thúc biểu quyết {stored.PresentCount}",
               $"Số phiếu biểu quyết {stored.YesCount + stored.NoCount + stored.AbstainCount}",
               $"Tán thành {stored.YesCount - 2} 2 {stored.YesCount} {Pct(stored.YesCount)}",
               $"Không tán thành {stored.NoCount - 1} 1 {stored.NoCount} {Pct(stored.NoCount)}",
               $"Không biểu quyết {stored.AbstainCount} 0 {stored.AbstainCount} {Pct(stored.AbstainCount)}",
               stored.Passed ? "ĐƯỢC THÔNG QUA" : "KHÔNG ĐƯỢC THÔNG QUA", "T/M ĐOÀN CHỦ TỊCH", "T/M ĐOÀN THƯ KÝ", "PHỤ LỤC",
               Annex(0, "Tán thành"), Annex(17, "Không tán thành"), Annex(25, "Không tham gia")]
            : ["MINUTES OF A VOTE", "more than 1/2 of the summoned",
               $"Delegates entitled to vote {stored.EntitledCount}", $"Votes cast {stored.YesCount + stored.NoCount + stored.AbstainCount}",
               $"Yes {stored.YesCount - 2} 2 {stored.YesCount} {Pct(stored.YesCount)}",
               $"No {stored.NoCount - 1} 1 {stored.NoCount} {Pct(stored.NoCount)}",
               stored.Passed ? "is ADOPTED" : "is NOT ADOPTED", "FOR THE PRESIDIUM", "ANNEX", Annex(0, "Yes"), Annex(19, "Abstain")];
        Assert.Multiple(() =>
        {
            Assert.That((stored.YesCount, stored.NoCount, stored.AbstainCount, stored.EntitledCount), Is.EqualTo((18, 3, 2, 29)));
            foreach (string text in expected)
            {
                Assert.That(pdf, Does.Contain(text), "PDF");
                Assert.That(docx, Does.Contain(text), "Word");
            }
        });
    }

    [TestCase("vi")]
    [TestCase("en")]
    public async Task The_counting_minutes_carry_the_stored_figures_ballots_issued_to_everyone_present_and_the_tie(string lang)
    {
        await using var connection = await _server.Db.OpenConnectionAsync();
        var e = await connection.QuerySingleAsync<(int Issued, int Returned, int Valid, int Invalid, int Entitled, int Present, string Verdict)>(
            "SELECT issued_count, returned_count, valid_count, invalid_count, entitled_count, present_count, verdict FROM poll WHERE id = @_electionId", new { _electionId });
        var votes = (await connection.QueryAsync<int>("SELECT votes FROM candidate WHERE poll_id = @_electionId ORDER BY position", new { _electionId })).ToList();

        string pdf = Flat(await PdfTextAsync($"/api/documents/elections/{_electionId}?format=pdf&lang={lang}", $"election-{lang}"));
        string docx = Flat(await DocxTextAsync($"/api/documents/elections/{_electionId}?format=docx&lang={lang}"));

        bool vi = lang == "vi";
        var culture = System.Globalization.CultureInfo.GetCultureInfo(vi ? "vi-VN" : "en-GB");
        string Pct(int n, int of) => (100m * n / of).ToString("0.0", culture) + "%";
        string[] expected = vi
            ? ["BIÊN BẢN KIỂM PHIẾU", "Bầu Ban Kiểm tra", "1. Nguyễn Văn Kiểm – Trưởng ban", "3. Lê Văn Đếm – Thành viên",
               "Số lượng cần bầu: 2. Số người trong danh sách bầu cử: 3.", "1 Nguyễn Thị Ánh 1980 Ủy viên, Quân khu 1",
               $"Số đại biểu được triệu tập {e.Entitled}", $"Số đại biểu có mặt khi bầu cử {e.Present}", $"Số phiếu phát ra {e.Issued}",
               $"Số phiếu thu vào {e.Returned}", "trong đó: phiếu điện tử 18", "trong đó: phiếu giấy 4",
               "Phiếu không hợp lệ theo lý do Ban Kiểm phiếu ghi nhận:", "Phiếu bầu quá số lượng cần bầu 1 50,0%",
               "Phiếu ghi thêm tên, viết thêm chữ hoặc có ký hiệu riêng 1 50,0%", "Cộng 2 100,0%",
               $"Số phiếu hợp lệ {e.Valid}", $"Số phiếu không hợp lệ {e.Invalid}",
               $"1 Nguyễn Thị Ánh {votes[0]} {Pct(votes[0], e.Valid)}",
               $"2 Trần Đức Lộc {votes[1]} {Pct(votes[1], e.Valid)}", $"3 Phạm Quỳnh Hương {votes[2]} {Pct(votes[2], e.Valid)}",
               $"1. Nguyễn Thị Ánh: {votes[0]} phiếu", "bằng phiếu nhau (11 phiếu) cho 1 ghế còn lại: Trần Đức Lộc, Phạm Quỳnh Hương",
               "T/M BAN KIỂM PHIẾU", "TRƯỞNG BAN", "CÁC THÀNH VIÊN", "Kết quả được công bố trước Đại hội lúc ",
               "từ kết quả kiểm khi kết thúc bỏ phiếu."]
            : ["COUNTING MINUTES", "Seats to fill: 2. Candidates on the ballot: 3.", $"Ballots issued {e.Issued}", $"Ballots returned {e.Returned}",
               $"Valid ballots {e.Valid}", $"Invalid ballots {e.Invalid}", $"2 Trần Đức Lộc {votes[1]} {Pct(votes[1], e.Valid)}",
               "Tied with 11 votes for the last seat: Trần Đức Lộc, Phạm Quỳnh Hương", "FOR THE COUNTING COMMITTEE", "2. Trần Thị Phiếu – member",
               "Invalid ballots by the reason the counting committee found:", "More names kept than seats to fill 1 50.0%",
               "A name added, other writing or an identifying mark 1 50.0%", "The result was announced to the congress at ",
               "from the count at the close of the vote."];
        Assert.Multiple(() =>
        {
            Assert.That((e.Issued, e.Returned, e.Valid, e.Invalid, e.Present, e.Verdict), Is.EqualTo((27, 22, 20, 2, 27, "Tie")),
                "every one of the 27 present was issued a ballot; 18 + 3 + 1 came back");
            Assert.That(votes, Is.EqualTo(new[] { 18, 11, 11 }));
            foreach (string text in new[] { pdf, docx })
            {
                // The head's name stands under the signature captions, the last thing on the page.
                string caption = vi ? "(Ký, ghi rõ họ tên)" : "(Signature and full name)";
                Assert.That(text.LastIndexOf("Nguyễn Văn Kiểm", StringComparison.Ordinal), Is.GreaterThan(text.LastIndexOf(caption, StringComparison.Ordinal)));
            }

            foreach (string text in expected)
            {
                Assert.That(pdf, Does.Contain(text), "PDF");
                Assert.That(docx, Does.Contain(text), "Word");
            }
        });
    }

    [Test]
    public async Task Minutes_made_after_a_recount_show_the_recounted_figures_and_say_they_follow_a_recount()
    {
        var access = await _server.CreateCongressAsync(officialDelegates: 3, guests: 0);
        var poll = await _server.OpenPollAsync(access);
        foreach (var d in access.Delegates.Take(2))
        {
            await using var hub = await _server.ConnectDelegateAsync(d.Token);
            await hub.InvokeAsync<CastResult>(nameof(ICongressHub.Cast), new CastRequest(poll.Id, VoteChoice.Yes, Guid.NewGuid()));
        }

        await _server.ClosePollAsync(access, poll.Id);
        using var secretary = await _server.SignInStaffAsync(access);
        using var chair = await _server.SignInStaffAsync(access, "chair");
        // A stored figure that no longer matches the ballots, as a faulty manual correction would leave it.
        await _server.CountAsync("WITH u AS (UPDATE poll SET yes_count = 0, passed = false, verdict = 'Failed' WHERE id = $1 RETURNING 1) SELECT count(*) FROM u", poll.Id);
        string before = Flat(await DocxTextAsync(secretary, $"/api/documents/motions/{poll.Id}?format=docx&lang=vi"));
        (await chair.PostAsJsonAsync($"/api/polls/{poll.Id}/recount", new RecountRequestDto("Kiểm tra lại theo đề nghị của Ban Kiểm phiếu"), TestJson.Options)).EnsureSuccessStatusCode();
        string after = Flat(await DocxTextAsync(secretary, $"/api/documents/motions/{poll.Id}?format=docx&lang=vi"));

        Assert.Multiple(() =>
        {
            Assert.That(before, Does.Contain("Tán thành 0 0 0 0,0%").And.Contain("KHÔNG ĐƯỢC THÔNG QUA").And.Not.Contain("kiểm lại"));
            Assert.That(after, Does.Contain("Tán thành 2 0 2 66,7%").And.Contain("ĐƯỢC THÔNG QUA").And.Not.Contain("KHÔNG ĐƯỢC THÔNG QUA").And.Contain("Kết quả trên là kết quả sau 1 lần kiểm lại"));
            Assert.That(before, Does.Contain("từ kết quả kiểm khi kết thúc bỏ phiếu."), "each copy says which version of the result it shows");
            Assert.That(after, Does.Contain("từ kết quả kiểm lại lần thứ 1."));
        });
    }

    [TestCase("vi")]
    [TestCase("en")]
    public async Task The_minutes_of_the_congress_list_the_programme_with_each_stored_result_and_the_audit_anchor(string lang)
    {
        var culture = System.Globalization.CultureInfo.GetCultureInfo(lang == "vi" ? "vi-VN" : "en-GB");
        await using var connection = await _server.Db.OpenConnectionAsync();
        var motion = (await Server.Polls.PollQueries.FindAsync(connection, _pollId))!.ToDto();
        var election = (await Server.Polls.PollQueries.FindAsync(connection, _electionId))!.ToDto();
        var titles = (await connection.QueryAsync<string>(
            "SELECT title FROM agenda_item WHERE congress_id = @CongressId ORDER BY position", new { _access.CongressId })).ToList();

        string pdf = Flat(await PdfTextAsync($"/api/documents/congress?format=pdf&lang={lang}", $"congress-{lang}"));
        string docx = Flat(await DocxTextAsync($"/api/documents/congress?format=docx&lang={lang}"));
        var audit = await connection.QuerySingleAsync<(long Rows, byte[] Hash)>(
            "SELECT count(*), (SELECT hash FROM audit_event ORDER BY id DESC LIMIT 1) FROM audit_event");

        Assert.Multiple(() =>
        {
            foreach (string text in new[] { pdf, docx })
            {
                Assert.That(text, Does.Contain(lang == "vi" ? "BIÊN BẢN ĐẠI HỘI" : "MINUTES OF THE CONGRESS"));
                int last = -1;
                foreach (string title in titles)
                {
                    int at = text.IndexOf(title, last + 1, StringComparison.Ordinal);
                    Assert.That(at, Is.GreaterThan(last), $"\"{title}\" in programme order");
                    last = Math.Max(at, last);
                }

                Assert.That(text, Does.Contain(RuleWording.Describe(motion.Result!, culture)));
                Assert.That(text, Does.Contain(ElectionWording.Describe(election.Election!, culture)));
                Assert.That(text, Does.Contain(Convert.ToHexStringLower(audit.Hash)), "the audit anchor's hash");
                Assert.That(text, Does.Contain(audit.Rows.ToString("N0", culture) + (lang == "vi" ? " bản ghi" : " rows")), "and its row count");
            }
        });
    }

    [Test]
    public async Task Without_a_heading_of_its_own_a_congress_heads_its_documents_as_its_preset_does()
    {
        var access = await _server.CreateCongressAsync(officialDelegates: 2, guests: 0);
        using var admin = await _server.SignInStaffAsync(access, "admin");
        var defaults = (await admin.GetFromJsonAsync<DocumentHeadingDto>("/api/documents/heading", TestJson.Options))!;
        var settings = (await admin.GetFromJsonAsync<CongressSettingsDto>("/api/congress", TestJson.Options))!;
        (await admin.PutAsJsonAsync("/api/congress", settings with { Preset = "party" }, TestJson.Options)).EnsureSuccessStatusCode();
        var party = (await admin.GetFromJsonAsync<DocumentHeadingDto>("/api/documents/heading", TestJson.Options))!;
        using var response = await admin.GetAsync("/api/documents/credentials?format=pdf&lang=vi");
        string pdfPath = Path.Combine(ArtifactsFolder, "credentials-party-vi.pdf");
        await File.WriteAllBytesAsync(pdfPath, await response.Content.ReadAsByteArrayAsync());
        Poppler("pdftotext", "-raw", "-enc", "UTF-8", pdfPath, pdfPath + ".txt");
        string text = Flat(await File.ReadAllTextAsync(pdfPath + ".txt"));

        Assert.Multiple(() =>
        {
            Assert.That(defaults, Is.EqualTo(new DocumentHeadingDto("", "", "", "national")), "a mass organisation uses the national motto");
            Assert.That(party.Motto, Is.EqualTo("party"));
            Assert.That(text, Does.Contain("ĐẢNG CỘNG SẢN VIỆT NAM").And.Not.Contain("Độc lập - Tự do - Hạnh phúc"));
            Assert.That(text, Does.Contain("ĐẠI HỘI THỬ NGHIỆM"), "without an issuing body the congress issues the document");
            Assert.That(text, Does.Match(@"Ngày \d\d tháng \d\d năm \d{4}"), "without a place the date line starts with a capital");
        });
    }

    [Test]
    public async Task The_documents_list_offers_the_credentials_report_and_each_counted_vote_and_keeps_the_heading_set_in_settings()
    {
        var documents = (await _secretary.GetFromJsonAsync<List<RecordDocumentDto>>("/api/documents", TestJson.Options))!;
        var heading = (await _secretary.GetFromJsonAsync<DocumentHeadingDto>("/api/documents/heading", TestJson.Options))!;
        using var desk = await _server.SignInStaffAsync(_access, "credentials");
        using var refused = await desk.PutAsJsonAsync("/api/documents/heading", heading with { Organisation = "Khác" }, TestJson.Options);
        using var bad = await _secretary.PutAsJsonAsync("/api/documents/heading", heading with { Motto = "royal" }, TestJson.Options);
        using var unknown = await _secretary.GetAsync($"/api/documents/motions/{Guid.NewGuid()}");

        Assert.Multiple(() =>
        {
            Assert.That(documents.Select(d => d.Kind).Distinct(), Is.EqualTo(new[] { "credentials", "signin", "motion", "election", "ballot", "congress" }));
            Assert.That(documents.Take(4).Select(d => d.Kind), Is.EqualTo(new[] { "credentials", "signin", "motion", "election" }));
            Assert.That(documents[3].Path, Is.EqualTo($"/api/documents/elections/{_electionId}"));
            Assert.That(documents[2].PollId, Is.EqualTo(_pollId));
            Assert.That(documents[2].ResultAt, Is.Not.Null);
            Assert.That(documents.Where(d => d.Kind == "ballot").Select(d => d.PollId), Does.Contain(_pollId).And.Contain(_electionId),
                "a paper ballot for every vote, counted or not");
            Assert.That(heading, Is.EqualTo(new DocumentHeadingDto(Organisation, SuperiorBody, Place, "national", Committee)));
            Assert.That(refused.StatusCode, Is.EqualTo(HttpStatusCode.Forbidden));
            Assert.That(bad.StatusCode, Is.EqualTo(HttpStatusCode.BadRequest));
            Assert.That(unknown.StatusCode, Is.EqualTo(HttpStatusCode.NotFound));
        });
    }

    [TestCase("vi")]
    [TestCase("en")]
    public async Task The_sign_in_sheets_give_each_delegation_its_own_sheet_by_given_name_with_room_to_sign(string lang)
    {
        await using var connection = await _server.Db.OpenConnectionAsync();
        var delegations = (await connection.QueryAsync<string>("""
            SELECT dl.name FROM delegation dl WHERE dl.congress_id = @CongressId
              AND EXISTS (SELECT 1 FROM delegate d WHERE d.delegation_id = dl.id AND d.kind <> 'guest')
            ORDER BY dl.position
            """, new { _access.CongressId })).ToList();
        var people = (await connection.QueryAsync<(string Code, string FullName, string Delegation, string Kind)>("""
            SELECT d.code, d.full_name, coalesce(dl.name, ''), d.kind FROM delegate d LEFT JOIN delegation dl ON dl.id = d.delegation_id
            WHERE d.congress_id = @CongressId
            """, new { _access.CongressId })).ToList();

        string pdf = Flat(await PdfTextAsync($"/api/documents/signin?format=pdf&lang={lang}", $"signin-{lang}"));
        string docx = Flat(await DocxTextAsync($"/api/documents/signin?format=docx&lang={lang}", sections: false));

        bool vi = lang == "vi";
        string title = vi ? "DANH SÁCH ĐẠI BIỂU KÝ TÊN" : "DELEGATES' SIGN-IN SHEET";
        Assert.Multiple(() =>
        {
            foreach (string text in new[] { pdf, docx })
            {
                // One sheet per delegation in the programme's order, then the guests', each under its own heading.
                var sheets = text.Split(title)[1..];
                Assert.That(sheets, Has.Length.EqualTo(delegations.Count + 1));
                Assert.That(Regex.Matches(text, vi ? "CỘNG HOÀ XÃ HỘI CHỦ NGHĨA VIỆT NAM" : "SOCIALIST REPUBLIC OF VIETNAM"), Has.Count.EqualTo(sheets.Length));
                for (int i = 0; i < delegations.Count; i++)
                {
                    Assert.That(sheets[i].TrimStart(), Does.StartWith(delegations[i]));
                    var members = people.Where(p => p.Delegation == delegations[i] && p.Kind != "guest")
                        .Select(p => (p.FullName, At: sheets[i].IndexOf($" {p.Code} ", StringComparison.Ordinal))).ToList();
                    Assert.That(members.Select(m => m.At), Is.All.GreaterThan(0), $"everyone of {delegations[i]} is on its sheet");
                    var read = members.OrderBy(m => m.At).Select(m => m.FullName).ToList();
                    Assert.That(read, Is.Ordered.Using((IComparer<string>)VietnameseOrder.Names), $"{delegations[i]}: by given name, in Vietnamese order");
                    Assert.That(sheets[i], Does.Contain(vi ? $"Tổng số: {members.Count} người." : $"In all: {members.Count}."));
                }

                var guests = sheets[^1];
                Assert.That(guests.TrimStart(), Does.StartWith(vi ? "Khách mời" : "Guests"));
                Assert.That(people.Where(p => p.Kind == "guest").Select(p => guests.Contains($" {p.Code} ", StringComparison.Ordinal)), Is.All.True);
                Assert.That(text, Does.Contain(vi ? "T/M BAN THẨM TRA TƯ CÁCH ĐẠI BIỂU" : "FOR THE CREDENTIALS COMMITTEE"));
            }

            Assert.That(pdf, Does.Contain(vi ? "STT Họ và tên Mã Chức vụ Ký tên" : "No. Full name Code Position Signature"));
        });
    }

    [TestCase("vi")]
    [TestCase("en")]
    public async Task The_paper_ballot_of_an_election_lists_the_candidates_in_ballot_order_with_the_place_for_the_stamp(string lang)
    {
        string pdf = Flat(await PdfTextAsync($"/api/documents/ballots/{_electionId}?format=pdf&lang={lang}", $"ballot-election-{lang}"));
        string docx = Flat(await DocxTextAsync($"/api/documents/ballots/{_electionId}?format=docx&lang={lang}", sections: false));

        bool vi = lang == "vi";
        string[] expected = vi
            ? ["PHIẾU BẦU CỬ", "Bầu Ban Kiểm tra", "Số lượng cần bầu: 2 người.", "Giữ lại không quá 2 người", "Dấu của Ban Kiểm phiếu",
               "1 Nguyễn Thị Ánh 1980 Ủy viên, Quân khu 1 2 Trần Đức Lộc 1975 Trưởng ban, Quân khu 7 3 Phạm Quỳnh Hương 1988 Cán bộ, Quân chủng Hải quân"]
            : ["BALLOT", "Bầu Ban Kiểm tra", "Seats to fill: 2.", "Keep at most 2", "Stamp of the counting committee",
               "1 Nguyễn Thị Ánh 1980 Ủy viên, Quân khu 1 2 Trần Đức Lộc 1975 Trưởng ban, Quân khu 7 3 Phạm Quỳnh Hương 1988 Cán bộ, Quân chủng Hải quân"];
        Assert.Multiple(() =>
        {
            foreach (string text in expected)
            {
                Assert.That(pdf, Does.Contain(text), "PDF");
                Assert.That(docx, Does.Contain(text), "Word");
            }

            Assert.That(pdf, Does.Not.Contain("phiếu hợp lệ 18").And.Not.Contain(" 18 "), "a ballot carries no result");
        });
    }

    [TestCase("vi")]
    [TestCase("en")]
    public async Task The_paper_slip_of_a_motion_puts_the_question_over_a_box_for_each_choice(string lang)
    {
        await using var connection = await _server.Db.OpenConnectionAsync();
        var poll = (await Server.Polls.PollQueries.FindAsync(connection, _pollId))!;

        string pdf = Flat(await PdfTextAsync($"/api/documents/ballots/{_pollId}?format=pdf&lang={lang}", $"ballot-motion-{lang}"));
        string docx = Flat(await DocxTextAsync($"/api/documents/ballots/{_pollId}?format=docx&lang={lang}", sections: false));

        bool vi = lang == "vi";
        string[] expected = vi
            ? ["PHIẾU BIỂU QUYẾT", poll.Title, "Tán thành Không tán thành Không biểu quyết", "đánh dấu (X) vào một ô duy nhất", "Dấu của Ban Kiểm phiếu"]
            : ["VOTING SLIP", poll.Title, "Yes No Abstain", "mark one box only (X)", "Stamp of the counting committee"];
        Assert.Multiple(() =>
        {
            Assert.That(poll.AllowAbstain, Is.True);
            foreach (string text in expected.Append(Flat(poll.Question)).Where(x => x.Length > 0))
            {
                Assert.That(pdf, Does.Contain(text), "PDF");
                Assert.That(docx, Does.Contain(text), "Word");
            }
        });
    }

    [Test]
    public async Task The_archive_holds_every_document_in_both_languages_and_formats_the_data_and_a_manifest_whose_hashes_verify()
    {
        var documents = (await _secretary.GetFromJsonAsync<List<RecordDocumentDto>>("/api/documents", TestJson.Options))!;
        using var response = await _secretary.GetAsync("/api/documents/archive");
        response.EnsureSuccessStatusCode();
        byte[] bytes = await response.Content.ReadAsByteArrayAsync();
        string folder = Path.Combine(ArtifactsFolder, "archive");
        if (Directory.Exists(folder))
        {
            Directory.Delete(folder, recursive: true);
        }

        ZipFile.ExtractToDirectory(new MemoryStream(bytes), folder);
        var manifest = System.Text.Json.JsonSerializer.Deserialize<Server.Documents.RecordArchive.Manifest>(
            await File.ReadAllTextAsync(Path.Combine(folder, "manifest.json")), s_web)!;
        var onDisk = Directory.GetFiles(folder, "*", SearchOption.AllDirectories)
            .Select(f => Path.GetRelativePath(folder, f).Replace('\\', '/')).Where(f => f is not ("manifest.json" or "SHA256SUMS")).Order().ToList();
        // The same check with the standard tool, as anyone receiving the archive would make it.
        var sha256sum = new ProcessStartInfo("sha256sum", "--check --strict --quiet SHA256SUMS") { WorkingDirectory = folder, RedirectStandardOutput = true, UseShellExecute = false };
        using var check = Process.Start(sha256sum)!;
        string checkOutput = await check.StandardOutput.ReadToEndAsync();
        await check.WaitForExitAsync();

        await using var connection = await _server.Db.OpenConnectionAsync();
        var anchorRow = await connection.QuerySingleAsync<(string Action, long Rows)>(
            "SELECT action, (SELECT count(*) FROM audit_event x WHERE x.id <= e.id) FROM audit_event e WHERE e.hash = @hash",
            new { hash = Convert.FromHexString(manifest.Audit.LatestHash!) });
        var votes = (await connection.QueryAsync<int>("SELECT votes FROM candidate WHERE poll_id = @_electionId ORDER BY position", new { _electionId })).ToList();
        string minutes = Flat(await PdfFileTextAsync(Path.Combine(folder, manifest.Files.Single(f => f.Path.StartsWith("vi/", StringComparison.Ordinal) && f.Path.EndsWith("bien-ban-dai-hoi.pdf", StringComparison.Ordinal)).Path)));
        string results = await File.ReadAllTextAsync(Path.Combine(folder, "du-lieu", "ket-qua.csv"));
        string audit = await File.ReadAllTextAsync(Path.Combine(folder, "du-lieu", "nhat-ky-audit.csv"));
        string registry = await File.ReadAllTextAsync(Path.Combine(folder, "du-lieu", "dai-bieu.csv"));
        string attendance = await File.ReadAllTextAsync(Path.Combine(folder, "du-lieu", "diem-danh.csv"));
        string[] published = manifest.Files.Where(f => f.Path.StartsWith("du-lieu/phieu-bau-da-cong-bo", StringComparison.Ordinal))
            .SelectMany(f => File.ReadAllLines(Path.Combine(folder, f.Path))).ToArray();
        using var counting = await _server.SignInStaffAsync(_access, "credentials");
        using var refused = await counting.GetAsync("/api/documents/archive");

        Assert.Multiple(() =>
        {
            Assert.That(response.Content.Headers.ContentType?.MediaType, Is.EqualTo("application/zip"));
            Assert.That(manifest.Files.Select(f => f.Path).Order(), Is.EqualTo(onDisk), "the manifest names every file, and only them");
            foreach (var file in manifest.Files)
            {
                byte[] content = File.ReadAllBytes(Path.Combine(folder, file.Path));
                Assert.That(Convert.ToHexStringLower(System.Security.Cryptography.SHA256.HashData(content)), Is.EqualTo(file.Sha256), file.Path);
                Assert.That(content.LongLength, Is.EqualTo(file.Bytes), file.Path);
            }

            Assert.That(check.ExitCode, Is.Zero, "sha256sum --check: " + checkOutput);
            foreach (string lang in new[] { "vi", "en" })
            {
                foreach (string ext in new[] { "pdf", "docx" })
                {
                    Assert.That(manifest.Files.Count(f => f.Path.StartsWith(lang + "/", StringComparison.Ordinal) && f.Path.EndsWith("." + ext, StringComparison.Ordinal)),
                        Is.EqualTo(documents.Count), $"every document of the list in {lang}, {ext}");
                }
            }

            Assert.That(manifest.Files.Select(f => f.Path), Does.Contain("vi/01-bao-cao-tham-tra-tu-cach-dai-bieu.pdf").And.Contain("en/01-credentials-report.docx")
                .And.Contain("du-lieu/dai-bieu.csv").And.Contain("du-lieu/diem-danh.csv").And.Contain("du-lieu/ket-qua.csv").And.Contain("du-lieu/nhat-ky-audit.csv"));
            Assert.That(manifest.Audit.Intact, Is.True);
            Assert.That(anchorRow, Is.EqualTo(("documents.archive", manifest.Audit.Rows)), "the anchor is the trail's head, the archive's own row");
            Assert.That(minutes, Does.Contain(manifest.Audit.LatestHash), "the minutes in the archive carry the same anchor");
            Assert.That(audit, Does.Contain("documents.archive").And.Contain(manifest.Audit.LatestHash));
            Assert.That(manifest.Files.Select(f => f.Path), Has.One.Match(@"^du-lieu/phieu-bau-da-cong-bo-muc-\d+-1\.csv$"), "the published election's ballots");
            Assert.That(published, Has.Length.EqualTo(19), "a header and the 18 tablet ballots, each with its receipt");
            Assert.That(published.Skip(1), Has.All.Match(@"^[0-9A-HJKMNP-TV-Z]{10},(1 2,""Nguyễn Thị Ánh; Trần Đức Lộc""|1 3,""Nguyễn Thị Ánh; Phạm Quỳnh Hương"")$"));
            Assert.That(results, Does.Contain($",1,Nguyễn Thị Ánh,{votes[0]},Elected").And.Contain($",2,Trần Đức Lộc,{votes[1]},Tied"));
            Assert.That(registry, Does.Contain(_access.Delegates[0].Code).And.Contain(_access.Delegates[0].FullName));
            Assert.That(attendance, Does.Contain(",excused,"), "the excuse is an attendance event");
            Assert.That(refused.StatusCode, Is.EqualTo(HttpStatusCode.Forbidden), "the credentials desk does not read the audit trail");
        });
    }

    /// <summary>All whitespace as one space: table cells and wrapped lines read as one line of words.</summary>
    private static string Flat(string text) => Regex.Replace(text, @"\s+", " ");

    private static string ArtifactsFolder
    {
        get
        {
            string folder = Path.Combine(
                Environment.GetEnvironmentVariable("CONGRESSVOTE_ARTIFACTS") ?? Path.Combine(TestContext.CurrentContext.WorkDirectory, "artifacts"),
                "documents");
            Directory.CreateDirectory(folder);
            return folder;
        }
    }

    /// <summary>Downloads a PDF, keeps it and page 1 as PNG in the artifacts, and returns its text as poppler reads it.</summary>
    private async Task<string> PdfTextAsync(string path, string name)
    {
        using var response = await _secretary.GetAsync(path);
        response.EnsureSuccessStatusCode();
        Assert.That(response.Content.Headers.ContentType?.MediaType, Is.EqualTo("application/pdf"));
        string pdfPath = Path.Combine(ArtifactsFolder, name + ".pdf");
        await File.WriteAllBytesAsync(pdfPath, await response.Content.ReadAsByteArrayAsync());
        Poppler("pdftoppm", "-r", "80", "-f", "1", "-l", "1", "-png", "-singlefile", pdfPath, Path.Combine(ArtifactsFolder, name));
        string textPath = Path.Combine(ArtifactsFolder, name + ".txt");
        Poppler("pdftotext", "-raw", "-enc", "UTF-8", pdfPath, textPath);
        return await File.ReadAllTextAsync(textPath);
    }

    private static async Task<string> PdfFileTextAsync(string pdfPath)
    {
        Poppler("pdftotext", "-raw", "-enc", "UTF-8", pdfPath, pdfPath + ".txt");
        string text = await File.ReadAllTextAsync(pdfPath + ".txt");
        File.Delete(pdfPath + ".txt");
        return text;
    }

    /// <summary>The text of a .docx: each paragraph on a line, the cells of a table row side by side.</summary>
    private Task<string> DocxTextAsync(string path, bool sections = true) => DocxTextAsync(_secretary, path, sections);

    /// <summary>The text of a .docx as <see cref="DocxTextAsync(string, bool)"/>; a document in numbered sections sets them in Heading 1.</summary>
    private static async Task<string> DocxTextAsync(HttpClient client, string path, bool sections = true)
    {
        using var response = await client.GetAsync(path);
        response.EnsureSuccessStatusCode();
        byte[] bytes = await response.Content.ReadAsByteArrayAsync();
        // Word opens it: the package is valid Office Open XML, and the text is set in the document's own styles.
        using (var word = DocumentFormat.OpenXml.Packaging.WordprocessingDocument.Open(new MemoryStream(bytes), false))
        {
            var errors = new DocumentFormat.OpenXml.Validation.OpenXmlValidator().Validate(word).Select(e => $"{e.Path?.XPath}: {e.Description}").ToList();
            var styles = word.MainDocumentPart!.Document!.Body!.Descendants<DocumentFormat.OpenXml.Wordprocessing.ParagraphStyleId>().Select(p => p.Val!.Value).ToHashSet();
            Assert.Multiple(() =>
            {
                Assert.That(errors, Is.Empty, "schema errors");
                Assert.That(styles, Is.SupersetOf(sections ? ["Title", "Subtitle", "Heading1"] : new[] { "Title", "Subtitle" }));
                Assert.That(word.MainDocumentPart.Document.Body.Descendants<DocumentFormat.OpenXml.Wordprocessing.TableStyle>().Select(t => t.Val!.Value), Does.Contain("RecordTable"));
            });
        }

        using var zip = new ZipArchive(new MemoryStream(bytes));
        await using var xml = zip.GetEntry("word/document.xml")!.Open();
        var document = XDocument.Load(xml);
        XNamespace w = "http://schemas.openxmlformats.org/wordprocessingml/2006/main";
        string Text(XElement e) => string.Concat(e.Descendants(w + "t").Select(t => t.Value));
        var lines = document.Descendants(w + "body").Elements().SelectMany(e => e.Name == w + "tbl"
            ? e.Elements(w + "tr").Select(row => string.Join(" ", row.Elements(w + "tc").Select(c => string.Join(" ", c.Elements(w + "p").Select(Text)))))
            : [Text(e)]);
        return string.Join("\n", lines);
    }

    private static void Poppler(string tool, params string[] arguments)
    {
        var start = new ProcessStartInfo($"/usr/bin/{tool}") { RedirectStandardError = true, UseShellExecute = false };
        foreach (string argument in arguments)
        {
            start.ArgumentList.Add(argument);
        }

        using Process process = Process.Start(start) ?? throw new InvalidOperationException($"{tool} did not start.");
        string errors = process.StandardError.ReadToEnd();
        process.WaitForExit();
        Assert.That(process.ExitCode, Is.Zero, $"{tool}: {errors}");
    }
}

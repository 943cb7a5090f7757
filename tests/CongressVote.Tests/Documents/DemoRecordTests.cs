using System.Diagnostics;
using System.IO.Compression;
using System.Net.Http.Json;
using System.Text.RegularExpressions;
using CongressVote.Server.Demo;
using CongressVote.Shared;
using CongressVote.Tests.Infrastructure;
using Dapper;
using Microsoft.AspNetCore.SignalR.Client;

namespace CongressVote.Tests.Documents;

/// <summary>
/// The record of the 363-delegate demo after a run of its programme, every vote cast on a tablet: the programme vote,
/// the vote on the credentials report, the election of 15 from 18 that ends in a tie for the last seats, and the
/// runoff between the tied. The whole record comes as the archive; its manifest verifies, every document is there in
/// both languages and formats, the figures read from the PDFs are the stored ones, and page 1 of each PDF is kept
/// as PNG in artifacts/documents/demo.
/// </summary>
public sealed class DemoRecordTests
{
    private const int Present = 351;

    private CongressServer _server = default!;
    private DemoAccess _access = default!;
    private HttpClient _secretary = default!;
    private Guid _electionId;
    private Guid _runoffId;
    private string _folder = "";
    private Server.Documents.RecordArchive.Manifest _manifest = default!;

    [OneTimeSetUp]
    public async Task RunTheProgrammeAndDownloadTheArchive()
    {
        _server = await CongressServer.StartAsync();
        // 351 of the 363 officials through the door: three groups of 117 make the election's tie exact.
        _access = await _server.CreateCongressAsync(officialDelegates: 363, guests: 5, checkedIn: Present);
        _secretary = await _server.SignInStaffAsync(_access);
        await using var connection = await _server.Db.OpenConnectionAsync();
        var present = (await connection.QueryAsync<string>(
            "SELECT code FROM delegate WHERE congress_id = @CongressId AND checked_in_at IS NOT NULL", new { _access.CongressId })).ToHashSet();
        var tablets = await Task.WhenAll(_access.Delegates.Where(d => present.Contains(d.Code)).Select(d => _server.ConnectDelegateAsync(d.Token)));
        try
        {
            // The programme vote: one in ten against, one in twenty-five abstaining.
            await VoteAsync(tablets, await _server.PollIdAsync(_access, "Thông qua Chương trình"),
                i => i % 10 == 0 ? VoteChoice.No : i % 25 == 1 ? VoteChoice.Abstain : VoteChoice.Yes);
            // The credentials report: all for it but three.
            await VoteAsync(tablets, await _server.PollIdAsync(_access, "Báo cáo thẩm tra"), i => i < 3 ? VoteChoice.No : VoteChoice.Yes);

            // 15 of 18: everyone keeps names 1 to 13, and two of 14, 15 and 16, a third of the hall each pair, so
            // the three tie (234 each) for the last two seats.
            _electionId = await _server.PollIdAsync(_access, "Bầu Ban Chấp hành");
            int[][] pairs = [[14, 15], [14, 16], [15, 16]];
            await ElectAsync(tablets, _electionId, i => [.. Enumerable.Range(1, 13), .. pairs[i % 3]]);
            using var runoff = await _secretary.PostAsJsonAsync($"/api/elections/{_electionId}/runoff", new RunoffRequestDto("Bầu bổ sung Ban Chấp hành"), TestJson.Options);
            runoff.EnsureSuccessStatusCode();
            _runoffId = (await runoff.Content.ReadFromJsonAsync<PollDto>(TestJson.Options))!.Id;
            // The runoff for the two seats left: the first of the three on every ballot, the second on two thirds.
            await ElectAsync(tablets, _runoffId, i => i % 3 == 2 ? [1, 3] : [1, 2]);
        }
        finally
        {
            await Task.WhenAll(tablets.Select(t => t.DisposeAsync().AsTask()));
        }

        using var response = await _secretary.GetAsync("/api/documents/archive");
        response.EnsureSuccessStatusCode();
        _folder = Path.Combine(ArtifactsFolder, "demo");
        if (Directory.Exists(_folder))
        {
            Directory.Delete(_folder, recursive: true);
        }

        ZipFile.ExtractToDirectory(new MemoryStream(await response.Content.ReadAsByteArrayAsync()), _folder);
        _manifest = System.Text.Json.JsonSerializer.Deserialize<Server.Documents.RecordArchive.Manifest>(
            await File.ReadAllTextAsync(Path.Combine(_folder, "manifest.json")), s_web)!;
    }

    private static readonly System.Text.Json.JsonSerializerOptions s_web = new(System.Text.Json.JsonSerializerDefaults.Web);

    private async Task VoteAsync(HubConnection[] tablets, Guid pollId, Func<int, VoteChoice> choice)
    {
        (await _secretary.PostAsync(Routes.OpenPoll(pollId), null)).EnsureSuccessStatusCode();
        var cast = await Task.WhenAll(tablets.Select((t, i) => t.InvokeAsync<CastResult>(nameof(ICongressHub.Cast), new CastRequest(pollId, choice(i), Guid.NewGuid()))));
        Assert.That(cast.Select(c => c.Status), Is.All.EqualTo(CastStatus.Recorded));
        await _server.ClosePollAsync(_access, pollId);
    }

    private async Task ElectAsync(HubConnection[] tablets, Guid pollId, Func<int, int[]> kept)
    {
        (await _secretary.PostAsync(Routes.OpenPoll(pollId), null)).EnsureSuccessStatusCode();
        var cast = await Task.WhenAll(tablets.Select((t, i) => t.InvokeAsync<CastResult>(nameof(ICongressHub.Cast),
            new CastRequest(pollId, VoteChoice.Yes, Guid.NewGuid(), null, kept(i), Receipts.NewCode()))));
        Assert.That(cast.Select(c => c.Status), Is.All.EqualTo(CastStatus.Recorded));
        await _server.ClosePollAsync(_access, pollId);
    }

    [OneTimeTearDown]
    public async Task StopServer()
    {
        _secretary.Dispose();
        await _server.DisposeAsync();
    }

    [Test]
    public async Task The_archive_of_the_demo_holds_every_document_in_both_languages_and_formats_and_its_manifest_verifies()
    {
        var documents = (await _secretary.GetFromJsonAsync<List<RecordDocumentDto>>("/api/documents", TestJson.Options))!;
        var pdfs = _manifest.Files.Where(f => f.Path.EndsWith(".pdf", StringComparison.Ordinal)).ToList();
        foreach (var pdf in pdfs)
        {
            // Page 1 of each, to look at.
            Poppler("pdftoppm", "-r", "60", "-f", "1", "-l", "1", "-png", "-singlefile", Path.Combine(_folder, pdf.Path),
                Path.Combine(_folder, Path.ChangeExtension(pdf.Path, null)));
        }

        Assert.Multiple(() =>
        {
            Assert.That(documents.Count(d => d.Kind == "motion"), Is.EqualTo(2), "the programme vote and the credentials report's");
            Assert.That(documents.Count(d => d.Kind == "election"), Is.EqualTo(2), "the election and its runoff");
            Assert.That(_manifest.Files.Count(f => f.Path.StartsWith("vi/", StringComparison.Ordinal)), Is.EqualTo(2 * documents.Count));
            Assert.That(_manifest.Files.Count(f => f.Path.StartsWith("en/", StringComparison.Ordinal)), Is.EqualTo(2 * documents.Count));
            foreach (var file in _manifest.Files)
            {
                Assert.That(Convert.ToHexStringLower(System.Security.Cryptography.SHA256.HashData(File.ReadAllBytes(Path.Combine(_folder, file.Path)))),
                    Is.EqualTo(file.Sha256), file.Path);
            }

            Assert.That(_manifest.Audit.Intact, Is.True);
            Assert.That(pdfs.Select(p => File.Exists(Path.Combine(_folder, Path.ChangeExtension(p.Path, ".png")))), Is.All.True);
        });
    }

    [TestCase("vi")]
    [TestCase("en")]
    public async Task The_counting_minutes_of_the_election_and_its_runoff_carry_the_stored_tie_and_the_runoff_result(string lang)
    {
        await using var connection = await _server.Db.OpenConnectionAsync();
        var election = (await Server.Polls.PollQueries.FindAsync(connection, _electionId))!.ToDto().Election!;
        var runoff = (await Server.Polls.PollQueries.FindAsync(connection, _runoffId))!.ToDto().Election!;
        var counting = Pdfs(lang, lang == "vi" ? "bien-ban-kiem-phieu" : "counting-minutes");
        bool vi = lang == "vi";

        Assert.Multiple(() =>
        {
            Assert.That(election.Verdict, Is.EqualTo(Verdict.Tie));
            Assert.That(election.Ranked.Where(r => r.Outcome == CandidateOutcome.Tied).Select(r => r.Votes), Is.EqualTo(new[] { 234, 234, 234 }));
            Assert.That((runoff.Verdict, runoff.Seats), Is.EqualTo((Verdict.Passed, 2)));
            Assert.That(runoff.Ranked.Select(r => r.Votes), Is.EqualTo(new[] { 351, 234, 117 }));
            Assert.That(counting, Has.Count.EqualTo(2));
            var (first, second) = (counting[0], counting[1]);
            var culture = System.Globalization.CultureInfo.GetCultureInfo(vi ? "vi-VN" : "en-GB");
            Assert.That(first, Does.Contain(vi ? $"Số phiếu phát ra {Present}" : $"Ballots issued {Present}").And.Contain(vi ? "Số lượng cần bầu: 15." : "Seats to fill: 15."));
            Assert.That(first, Does.Contain(ElectionWording.Describe(election, culture)));
            foreach (var tied in election.Ranked.Where(r => r.Outcome == CandidateOutcome.Tied))
            {
                Assert.That(first, Does.Contain(tied.FullName));
            }

            Assert.That(second, Does.Contain("Bầu bổ sung Ban Chấp hành").And.Contain(vi ? "Số lượng cần bầu: 2." : "Seats to fill: 2."));
            Assert.That(second, Does.Contain(vi ? "tiếp theo kết quả cuộc bầu cử \"Bầu Ban Chấp hành khóa mới\"" : "follows the result of the election \"Bầu Ban Chấp hành khóa mới\""));
            Assert.That(first, Does.Not.Contain(vi ? "tiếp theo kết quả" : "follows the result"));
            Assert.That(second, Does.Contain(ElectionWording.Describe(runoff, culture)));
            foreach (var (elected, i) in runoff.Ranked.Where(r => r.Outcome == CandidateOutcome.Elected).Select((r, i) => (r, i)))
            {
                Assert.That(second, Does.Contain($"{i + 1}. {elected.FullName}: {elected.Votes.ToString("N0", culture)} {(vi ? "phiếu" : "votes")}"));
            }
        });
    }

    [TestCase("vi")]
    [TestCase("en")]
    public async Task The_minutes_of_the_congress_and_the_credentials_report_of_the_demo_agree_with_the_stored_figures(string lang)
    {
        var culture = System.Globalization.CultureInfo.GetCultureInfo(lang == "vi" ? "vi-VN" : "en-GB");
        var desk = (await _secretary.GetFromJsonAsync<AttendanceDto>("/api/attendance", TestJson.Options))!;
        await using var connection = await _server.Db.OpenConnectionAsync();
        var polls = (await Server.Polls.PollQueries.ListAsync(connection, _access.CongressId)).Where(p => p.Passed is not null).Select(p => p.ToDto()).ToList();
        string minutes = Pdfs(lang, lang == "vi" ? "bien-ban-dai-hoi" : "minutes-of-the-congress").Single();
        string credentials = Pdfs(lang, lang == "vi" ? "bao-cao-tham-tra" : "credentials-report").Single();
        string total = (lang == "vi" ? "Cộng " : "Total ") + $"{desk.Summoned.ToString("N0", culture)} {desk.Present.ToString("N0", culture)} {(lang == "vi" ? "100,0%" : "100.0%")}";

        Assert.Multiple(() =>
        {
            Assert.That((desk.Summoned, desk.Present), Is.EqualTo((363, Present)));
            Assert.That(polls, Has.Count.EqualTo(4));
            foreach (var poll in polls)
            {
                Assert.That(minutes, Does.Contain(poll.Election is { } e ? ElectionWording.Describe(e, culture) : RuleWording.Describe(poll.Result!, culture)), poll.Title);
            }

            Assert.That(minutes, Does.Contain(_manifest.Audit.LatestHash), "the anchor the archive's manifest names");
            Assert.That(Regex.Matches(credentials, Regex.Escape(total)), Has.Count.EqualTo(4), "by type, gender, delegation and age, the same totals");
        });
    }

    /// <summary>The flattened text of the archive's PDFs in one language whose file name holds <paramref name="name"/>, in the list's order.</summary>
    private List<string> Pdfs(string lang, string name) => _manifest.Files
        .Where(f => f.Path.StartsWith(lang + "/", StringComparison.Ordinal) && f.Path.EndsWith(".pdf", StringComparison.Ordinal) && f.Path.Contains(name, StringComparison.Ordinal))
        .OrderBy(f => f.Path, StringComparer.Ordinal)
        .Select(f =>
        {
            string path = Path.Combine(_folder, f.Path);
            Poppler("pdftotext", "-raw", "-enc", "UTF-8", path, path + ".txt");
            string text = Regex.Replace(File.ReadAllText(path + ".txt"), @"\s+", " ");
            File.Delete(path + ".txt");
            return text;
        }).ToList();

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

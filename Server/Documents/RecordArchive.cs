using System.Globalization;
using System.IO.Compression;
using System.Security.Claims;
using System.Security.Cryptography;
using System.Text;
using System.Text.Json;
using CongressVote.Server.Audit;
using CongressVote.Server.Delegates;
using CongressVote.Server.Polls;
using CongressVote.Server.Sessions;
using CongressVote.Shared;
using Dapper;
using Microsoft.AspNetCore.Http.HttpResults;
using Npgsql;

namespace CongressVote.Server.Documents;

/// <summary>
/// The congress archive: one ZIP with every document of the record in Vietnamese and English, as PDF and Word; the
/// registry, the attendance events, the results, the published ballot lists and the audit trail as CSV; and a
/// manifest with each file's size and SHA-256 and the audit trail's anchor (its row count, latest hash and whether
/// the chain verifies), also as a SHA256SUMS file that <c>sha256sum -c</c> checks.
/// </summary>
public static class RecordArchive
{
    private static readonly string[] s_languages = ["vi", "en"];

    // Vietnamese names as they are, not escaped: the manifest is a file people read, never HTML.
    private static readonly JsonSerializerOptions s_json = new(JsonSerializerDefaults.Web)
    {
        WriteIndented = true,
        Encoder = System.Text.Encodings.Web.JavaScriptEncoder.UnsafeRelaxedJsonEscaping,
    };

    private static readonly string[] s_resultsHeader =
    [
        "item", "item_title", "poll", "kind", "state", "opened_at_utc", "closed_at_utc", "entitled", "present", "yes", "no", "abstain",
        "issued", "returned", "valid", "invalid", "verdict", "candidate_no", "candidate", "votes", "outcome",
    ];

    public sealed record Anchor(long Rows, string? LatestHash, bool Intact);

    public sealed record ManifestFile(string Path, long Bytes, string Sha256);

    public sealed record Manifest(string Congress, DateTimeOffset GeneratedAt, string GeneratedBy, Anchor Audit, IReadOnlyList<ManifestFile> Files);

    public const string ManifestPath = "manifest.json";

    public static async Task<FileContentHttpResult> DownloadAsync(ClaimsPrincipal user, HttpContext http, NpgsqlDataSource db)
    {
        Guid congressId = user.CongressId();
        await using var connection = await db.OpenConnectionAsync();
        // The download is on the trail before the anchor is read, so the archive's own trail ends with it.
        await using (var transaction = await connection.BeginTransactionAsync())
        {
            await AuditLog.WriteAsync(transaction, user, http, congressId, "documents.archive", null);
            await transaction.CommitAsync();
        }

        var now = DateTimeOffset.UtcNow;
        byte[] zip = await BuildAsync(connection, congressId, user.Actor(), now);
        string stamp = now.ToLocalTime().ToString("yyyyMMdd-HHmm", CultureInfo.InvariantCulture);
        return TypedResults.File(zip, "application/zip", $"ho-so-dai-hoi-{stamp}.zip");
    }

    public static async Task<byte[]> BuildAsync(NpgsqlConnection connection, Guid congressId, string actor, DateTimeOffset now)
    {
        ArgumentNullException.ThrowIfNull(connection);
        var chain = await AuditTrail.VerifyChainAsync(connection);
        var anchor = new Anchor(chain.Rows, chain.LastHash, chain.Intact);
        var files = new List<(string Path, byte[] Content)>();

        var documents = await RecordDocuments.ListAsync(connection, congressId);
        foreach (string lang in s_languages)
        {
            var t = DocumentText.For(lang);
            for (int i = 0; i < documents.Count; i++)
            {
                var d = documents[i];
                if (await RecordDocuments.MakeAsync(connection, congressId, d.Kind, d.PollId, t) is not { } made)
                {
                    continue;
                }

                // Numbered in the list's order: two votes on one agenda item keep a file each.
                string name = $"{lang}/{i + 1:00}-{made.FileName}";
                files.Add((name + ".pdf", RecordPdf.Render(made.Parts)));
                files.Add((name + ".docx", RecordDocx.Render(made.Parts)));
            }
        }

        files.Add(("du-lieu/dai-bieu.csv", await RegistryAsync(connection, congressId)));
        files.Add(("du-lieu/diem-danh.csv", await AttendanceAsync(connection, congressId)));
        files.Add(("du-lieu/ket-qua.csv", await ResultsAsync(connection, congressId)));
        files.AddRange(await PublishedBallotsAsync(connection, congressId));
        files.Add(("du-lieu/nhat-ky-audit.csv", await AuditTrail.CsvAsync(connection, congressId)));

        string congress = await connection.QuerySingleAsync<string>("SELECT name FROM congress WHERE id = @congressId", new { congressId });
        var manifest = new Manifest(congress, now, actor, anchor,
            files.Select(f => new ManifestFile(f.Path, f.Content.Length, Convert.ToHexStringLower(SHA256.HashData(f.Content)))).ToList());
        byte[] manifestJson = JsonSerializer.SerializeToUtf8Bytes(manifest, s_json);
        string sums = string.Concat(manifest.Files.Select(f => $"{f.Sha256}  {f.Path}\n"));

        using var buffer = new MemoryStream();
        using (var archive = new ZipArchive(buffer, ZipArchiveMode.Create, leaveOpen: true))
        {
            foreach (var (path, content) in files.Append((ManifestPath, manifestJson)).Append(("SHA256SUMS", Encoding.UTF8.GetBytes(sums))))
            {
                var entry = archive.CreateEntry(path, CompressionLevel.Optimal);
                entry.LastWriteTime = now;
                await using var stream = await entry.OpenAsync();
                await stream.WriteAsync(content);
            }
        }

        return buffer.ToArray();
    }

    /// <summary>The registry as its export writes it (it imports back unchanged), by delegation then given name.</summary>
    private static async Task<byte[]> RegistryAsync(NpgsqlConnection connection, Guid congressId)
    {
        var delegates = (await DelegateRegistry.AllAsync(connection, congressId)).Select(d => d.ToDto())
            .OrderBy(d => d.Delegation, VietnameseOrder.Collation).ThenBy(d => d.FullName, VietnameseOrder.Names).ToList();
        return DelegateExport.Csv(delegates);
    }

    private sealed record AttendanceRow(long Id, DateTime At, string Code, string FullName, string Delegation, string Kind, string Desk, string Actor);

    /// <summary>Every entry, exit and excuse, in the order they happened.</summary>
    private static async Task<byte[]> AttendanceAsync(NpgsqlConnection connection, Guid congressId)
    {
        var rows = await connection.QueryAsync<AttendanceRow>("""
            SELECT e.id, e.at, d.code, d.full_name, coalesce(dl.name, '') AS delegation, e.kind, e.desk, e.actor
            FROM attendance_event e
            JOIN delegate d ON d.id = e.delegate_id
            LEFT JOIN delegation dl ON dl.id = d.delegation_id
            WHERE d.congress_id = @congressId
            ORDER BY e.at, e.id
            """, new { congressId });
        return Spreadsheet.Csv(rows.Select(r => (IReadOnlyList<string>)[Utc(r.At), r.Code, r.FullName, r.Delegation, r.Kind, r.Desk, r.Actor])
            .Prepend(["at_utc", "code", "full_name", "delegation", "event", "desk", "actor"]));
    }

    /// <summary>Every counted vote and election as stored: a row per motion, a row per candidate of an election.</summary>
    private static async Task<byte[]> ResultsAsync(NpgsqlConnection connection, Guid congressId)
    {
        var positions = (await connection.QueryAsync<(Guid Id, int Position, string Title)>(
            "SELECT id, position, title FROM agenda_item WHERE congress_id = @congressId", new { congressId })).ToDictionary(a => a.Id);
        var rows = new List<IReadOnlyList<string>> { s_resultsHeader };
        foreach (var p in (await PollQueries.ListAsync(connection, congressId)).Where(p => p.Passed is not null && !p.Rehearsal)
                     .OrderBy(p => positions.TryGetValue(p.AgendaItemId, out var a) ? a.Position : int.MaxValue).ThenBy(p => p.ClosedAt))
        {
            var item = positions.GetValueOrDefault(p.AgendaItemId);
            string[] common =
            [
                N(item.Position), item.Title ?? "", p.Title, p.Kind, p.State, Utc(p.OpenedAt), Utc(p.ClosedAt), N(p.EntitledCount), N(p.PresentCount),
                p.IsElection ? "" : N(p.YesCount), p.IsElection ? "" : N(p.NoCount), p.IsElection ? "" : N(p.AbstainCount),
                N(p.IssuedCount), N(p.ReturnedCount), N(p.ValidCount), N(p.InvalidCount), p.Verdict ?? "",
            ];
            if (!p.IsElection)
            {
                rows.Add([.. common, "", "", "", ""]);
                continue;
            }

            rows.AddRange(p.Candidates.OrderBy(c => c.Position).Select(c => (IReadOnlyList<string>)[.. common, N(c.Position), c.FullName, N(c.Votes), c.Outcome ?? ""]));
        }

        return Spreadsheet.Csv(rows);
    }

    /// <summary>The ballots of each published election as every delegate could check them: receipt and names kept.</summary>
    private static async Task<List<(string Path, byte[] Content)>> PublishedBallotsAsync(NpgsqlConnection connection, Guid congressId)
    {
        var files = new List<(string, byte[])>();
        var elections = (await PollQueries.ListAsync(connection, congressId)).Where(p => p.IsElection && p.State == "published" && !p.Rehearsal).ToList();
        foreach (var (poll, i) in elections.Select((p, i) => (p, i)))
        {
            var names = poll.Candidates.ToDictionary(c => c.Position, c => c.FullName);
            var ballots = await connection.QueryAsync<(string Receipt, short[] Kept)>(
                "SELECT receipt, kept FROM ballot WHERE poll_id = @Id AND receipt IS NOT NULL ORDER BY receipt", new { poll.Id });
            int position = await connection.QuerySingleAsync<int>("SELECT position FROM agenda_item WHERE id = @AgendaItemId", new { poll.AgendaItemId });
            files.Add(($"du-lieu/phieu-bau-da-cong-bo-muc-{position}-{i + 1}.csv", Spreadsheet.Csv(ballots
                .Select(b => (IReadOnlyList<string>)[b.Receipt, string.Join(' ', b.Kept.Order()), string.Join("; ", b.Kept.Order().Select(k => names.GetValueOrDefault(k, "?")))])
                .Prepend(["receipt", "kept", "kept_names"]))));
        }

        return files;
    }

    private static string N(int? value) => value?.ToString(CultureInfo.InvariantCulture) ?? "";

    private static string Utc(DateTime? value) => PollQueries.Utc(value)?.ToString("O", CultureInfo.InvariantCulture) ?? "";
}

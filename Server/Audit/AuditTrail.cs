using System.Globalization;
using System.Text;
using CongressVote.Shared;
using Dapper;
using Npgsql;

namespace CongressVote.Server.Audit;

/// <summary>
/// The audit trail as stored: its rows for the console, the chain verified from the database's own hashes, the CSV
/// that the export and the congress's archive carry. Writing rows is <see cref="AuditLog"/>'s.
/// </summary>
public static class AuditTrail
{
    private sealed record Row(long Id, DateTime At, string Actor, string Action, string? Subject, string? Device, string? Detail, byte[] Hash);

    private const string Select = """
        SELECT id, at, actor, action, subject, device, detail::text AS detail, hash
        FROM audit_event WHERE congress_id = @congressId
        """;

    /// <summary>The newest entries first: 500 for the audit page, a few for the console's panel.</summary>
    public static async Task<List<AuditEventDto>> ListAsync(NpgsqlConnection connection, Guid congressId, int take) =>
        (await connection.QueryAsync<Row>($"{Select} ORDER BY id DESC LIMIT @take", new { congressId, take })).Select(Dto).ToList();

    /// <summary>Recomputes every row's hash from the row before it; an edited or deleted row breaks the chain there.</summary>
    public static async Task<AuditVerificationDto> VerifyChainAsync(NpgsqlConnection connection)
    {
        ArgumentNullException.ThrowIfNull(connection);
        var result = await connection.QuerySingleAsync<(long Rows, long? FirstBroken, byte[]? LastHash)>("""
            WITH checked AS (
                SELECT e.id, e.hash,
                       e.hash = audit_row_hash(e.prev_hash, e)
                       AND e.prev_hash = coalesce(lag(e.hash) OVER (ORDER BY e.id), '\x00'::bytea) AS ok
                FROM audit_event e
            )
            SELECT count(*) AS rows,
                   min(id) FILTER (WHERE NOT ok) AS first_broken,
                   (SELECT hash FROM checked ORDER BY id DESC LIMIT 1) AS last_hash
            FROM checked
            """);
        return new AuditVerificationDto(result.FirstBroken is null, result.Rows, result.FirstBroken,
            result.LastHash is null ? null : Convert.ToHexStringLower(result.LastHash));
    }

    /// <summary>The congress's rows of the trail, oldest first, each with its hash: the export and the archive's copy.</summary>
    public static async Task<byte[]> CsvAsync(NpgsqlConnection connection, Guid congressId)
    {
        ArgumentNullException.ThrowIfNull(connection);
        var rows = await connection.QueryAsync<Row>($"{Select} ORDER BY id", new { congressId });
        var text = new StringBuilder("id,at_utc,actor,action,subject,device,detail,hash\r\n");
        foreach (var r in rows)
        {
            text.AppendJoin(',', new[]
            {
                r.Id.ToString(CultureInfo.InvariantCulture), r.At.ToString("O", CultureInfo.InvariantCulture), r.Actor, r.Action,
                r.Subject ?? "", r.Device ?? "", r.Detail ?? "", Convert.ToHexStringLower(r.Hash),
            }.Select(c => Quote(Spreadsheet.Defuse(c)))).Append("\r\n");
        }

        return [.. Encoding.UTF8.GetPreamble(), .. Encoding.UTF8.GetBytes(text.ToString())];
    }

    private static string Quote(string value) =>
        value.IndexOfAny([',', '"', '\r', '\n']) >= 0 ? "\"" + value.Replace("\"", "\"\"", StringComparison.Ordinal) + "\"" : value;

    private static AuditEventDto Dto(Row r) => new(r.Id, Polls.PollQueries.Utc(r.At)!.Value, r.Actor, r.Action, r.Subject, r.Device, r.Detail);
}

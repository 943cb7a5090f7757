using System.Globalization;
using System.Security.Claims;
using System.Text;
using CongressVote.Server.Sessions;
using CongressVote.Shared;
using Dapper;
using Microsoft.AspNetCore.Http.HttpResults;
using Npgsql;

namespace CongressVote.Server.Audit;

/// <summary>Reading, verifying and exporting the audit trail.</summary>
public static class AuditApi
{
    public static IServiceCollection AddAudit(this IServiceCollection services)
    {
        services.AddSingleton<AuditSeal>();
        services.AddHostedService(sp => sp.GetRequiredService<AuditSeal>());
        return services;
    }

    public static IEndpointRouteBuilder MapAuditApi(this IEndpointRouteBuilder app)
    {
        var audit = app.MapGroup("/api/audit").RequireAuthorization(p => p.RequireRole(Roles.Admin, Roles.Chair, Roles.Secretary));
        audit.MapGet("", ListAsync);
        audit.MapGet("/verify", VerifyAsync);
        audit.MapGet("/export", ExportAsync);
        return app;
    }

    private sealed record Row(long Id, DateTime At, string Actor, string Action, string? Subject, string? Device, string? Detail, byte[] Hash);

    private const string Select = """
        SELECT id, at, actor, action, subject, device, detail::text AS detail, hash
        FROM audit_event WHERE congress_id = @congressId
        """;

    /// <summary>The newest entries first: 500 for the audit page, a few for the console's panel.</summary>
    private static async Task<Ok<List<AuditEventDto>>> ListAsync(ClaimsPrincipal user, NpgsqlDataSource db, int? take)
    {
        await using var connection = await db.OpenConnectionAsync();
        var rows = await connection.QueryAsync<Row>($"{Select} ORDER BY id DESC LIMIT @take",
            new { congressId = user.CongressId(), take = Math.Clamp(take ?? 500, 1, 500) });
        return TypedResults.Ok(rows.Select(Dto).ToList());
    }

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

    private static async Task<Ok<AuditVerificationDto>> VerifyAsync(AuditSeal seal) => TypedResults.Ok(await seal.VerifyAsync());

    private static async Task<FileContentHttpResult> ExportAsync(ClaimsPrincipal user, NpgsqlDataSource db)
    {
        await using var connection = await db.OpenConnectionAsync();
        return TypedResults.File(await CsvAsync(connection, user.CongressId()), "text/csv; charset=utf-8", "nhat-ky-audit.csv");
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

using System.Data;
using System.Security.Claims;
using CongressVote.Server.Sessions;
using Dapper;

namespace CongressVote.Server.Audit;

/// <summary>
/// Writes an audit row inside the caller's transaction, so the change and its record commit together. The
/// database chains each row to the one before it (migration 0005).
/// </summary>
public static class AuditLog
{
    public static Task WriteAsync(IDbTransaction transaction, ClaimsPrincipal user, HttpContext? http, Guid congressId, string action, string? subject, object? detail = null)
    {
        ArgumentNullException.ThrowIfNull(user);
        return WriteAsync(transaction, user.Actor(), http, congressId, action, subject, detail);
    }

    public static async Task WriteAsync(IDbTransaction transaction, string actor, HttpContext? http, Guid? congressId, string action, string? subject, object? detail = null)
    {
        ArgumentNullException.ThrowIfNull(transaction);
        ArgumentNullException.ThrowIfNull(actor);
        const string sql = """
            INSERT INTO audit_event (congress_id, actor, action, subject, device, detail)
            VALUES (@congressId, @actor, @action, @subject, @device, CAST(@detail AS jsonb))
            RETURNING id, hash
            """;
        string device = http is null ? "server" : $"{http.Connection.RemoteIpAddress} {http.Request.Headers.UserAgent}";
        var connection = transaction.Connection!;
        var (id, hash) = await connection.QuerySingleAsync<(long Id, byte[] Hash)>(sql, new
        {
            congressId,
            actor = Bounded(actor, 200),
            action,
            subject = subject is null ? null : Bounded(subject, 300),
            device = Bounded(device, 300),
            detail = detail is null ? null : BoundedDetail(System.Text.Json.JsonSerializer.Serialize(detail)),
        }, transaction);
        // Sealed in the same transaction with a key the database does not hold (AuditSeal).
        await connection.ExecuteAsync(
            "INSERT INTO audit_seal (event_id, mac) VALUES (@id, @mac)", new { id, mac = AuditSeal.Seal(connection.Database, hash) }, transaction);
    }

    /// <summary>Details carry typed text too (reasons, names): beyond 64 KB the trail keeps their size and start only.</summary>
    private static string BoundedDetail(string json) => json.Length <= 65_536
        ? json
        : System.Text.Json.JsonSerializer.Serialize(new { truncated = true, length = json.Length, start = json[..4096] });

    /// <summary>A typed name can be megabytes long; the trail keeps enough of it to read, never the whole.</summary>
    private static string Bounded(string text, int length) => text.Length > length ? text[..length] + "…" : text;
}

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

    public static Task WriteAsync(IDbTransaction transaction, string actor, HttpContext? http, Guid? congressId, string action, string? subject, object? detail = null)
    {
        ArgumentNullException.ThrowIfNull(transaction);
        const string sql = """
            INSERT INTO audit_event (congress_id, actor, action, subject, device, detail)
            VALUES (@congressId, @actor, @action, @subject, @device, CAST(@detail AS jsonb))
            """;
        string device = http is null ? "server" : $"{http.Connection.RemoteIpAddress} {http.Request.Headers.UserAgent}";
        return transaction.Connection!.ExecuteAsync(sql, new
        {
            congressId,
            actor,
            action,
            subject,
            device = device.Length > 300 ? device[..300] : device,
            detail = detail is null ? null : System.Text.Json.JsonSerializer.Serialize(detail),
        }, transaction);
    }
}

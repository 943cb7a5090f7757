using System.Security.Claims;
using CongressVote.Server.Audit;
using CongressVote.Server.Live;
using CongressVote.Server.Sessions;
using CongressVote.Shared;
using Dapper;
using Microsoft.AspNetCore.Http.HttpResults;
using Npgsql;

namespace CongressVote.Server.CheckIn;

/// <summary>
/// The help desk: tablets waiting because their badge is in use on another device, the tablets signed in
/// now, and ending a session (a lost tablet). Every decision is audited.
/// </summary>
public static class HelpDeskApi
{
    public static IEndpointRouteBuilder MapHelpDeskApi(this IEndpointRouteBuilder app)
    {
        var desk = app.MapGroup("/api/helpdesk").RequireAuthorization(p => p.RequireRole(Roles.ManagesDelegates.Split(',')));
        desk.MapGet("", ReadAsync);
        desk.MapPost("/requests/{id:guid}/approve", ApproveAsync);
        desk.MapPost("/requests/{id:guid}/refuse", RefuseAsync);
        desk.MapPost("/sessions/{id:guid}/end", EndAsync);
        return app;
    }

    private sealed record RequestRow(Guid Id, Guid DelegateId, string Code, string FullName, string Delegation, string DeviceName, DateTime AskedAt);

    private sealed record SessionRow(Guid SessionId, Guid DelegateId, string Code, string FullName, string Delegation, string DeviceName, DateTime Since);

    private static async Task<Ok<HelpDeskDto>> ReadAsync(ClaimsPrincipal user, NpgsqlDataSource db, ConnectionRegistry connections)
    {
        Guid congressId = user.CongressId();
        await using var connection = await db.OpenConnectionAsync();
        var requests = await connection.QueryAsync<RequestRow>("""
            SELECT r.id, r.delegate_id, d.code, d.full_name, coalesce(dl.name, '') AS delegation, r.device_name, r.asked_at
            FROM device_request r JOIN delegate d ON d.id = r.delegate_id LEFT JOIN delegation dl ON dl.id = d.delegation_id
            WHERE d.congress_id = @congressId AND r.state = 'held'
            ORDER BY r.asked_at
            """, new { congressId });
        var sessions = await connection.QueryAsync<SessionRow>("""
            SELECT s.id AS session_id, s.delegate_id, d.code, d.full_name, coalesce(dl.name, '') AS delegation, s.device_name, s.created_at AS since
            FROM delegate_session s JOIN delegate d ON d.id = s.delegate_id LEFT JOIN delegation dl ON dl.id = d.delegation_id
            WHERE d.congress_id = @congressId AND s.ended_at IS NULL
            """, new { congressId });
        var connected = connections.ConnectedSessions(congressId);
        return TypedResults.Ok(new HelpDeskDto(
            requests.Select(r => new DeviceRequestDto(r.Id, r.DelegateId, r.Code, r.FullName, r.Delegation, r.DeviceName, Polls.PollQueries.Utc(r.AskedAt)!.Value)).ToList(),
            sessions.Select(s => new DelegateSessionDto(s.SessionId, s.DelegateId, s.Code, s.FullName, s.Delegation, s.DeviceName, Polls.PollQueries.Utc(s.Since)!.Value, connected.Contains(s.SessionId)))
                .OrderBy(s => s.FullName, VietnameseOrder.Names).ToList()));
    }

    /// <summary>Approving ends the old tablet's session at once; the waiting tablet then completes its sign-in.</summary>
    private static async Task<Results<NoContent, ProblemHttpResult>> ApproveAsync(
        Guid id, ClaimsPrincipal user, HttpContext http, NpgsqlDataSource db, CongressNotifier notifier)
    {
        Guid congressId = user.CongressId();
        await using var connection = await db.OpenConnectionAsync();
        await using var transaction = await connection.BeginTransactionAsync();
        var decided = await connection.QuerySingleOrDefaultAsync<(Guid DelegateId, string Code)?>("""
            UPDATE device_request r SET state = 'approved', decided_at = now(), decided_by = @actor
            FROM delegate d
            WHERE r.id = @id AND r.state = 'held' AND d.id = r.delegate_id AND d.congress_id = @congressId
            RETURNING r.delegate_id, d.code
            """, new { id, congressId, actor = user.Actor() }, transaction);
        if (decided is not { } request)
        {
            return Problems.Conflict("request_not_held", "This request was already decided or does not exist.");
        }

        var ended = (await connection.QueryAsync<Guid>("""
            UPDATE delegate_session SET ended_at = now(), ended_by = @actor
            WHERE delegate_id = @DelegateId AND ended_at IS NULL
            RETURNING id
            """, new { request.DelegateId, actor = user.Actor() }, transaction)).ToList();
        await AuditLog.WriteAsync(transaction, user, http, congressId, "session.device_approved", request.Code, new { request = id });
        await transaction.CommitAsync();
        foreach (var session in ended)
        {
            await notifier.SessionEndedAsync(session);
        }

        return TypedResults.NoContent();
    }

    private static async Task<Results<NoContent, ProblemHttpResult>> RefuseAsync(Guid id, ClaimsPrincipal user, HttpContext http, NpgsqlDataSource db)
    {
        Guid congressId = user.CongressId();
        await using var connection = await db.OpenConnectionAsync();
        await using var transaction = await connection.BeginTransactionAsync();
        string? code = await connection.ExecuteScalarAsync<string?>("""
            UPDATE device_request r SET state = 'refused', decided_at = now(), decided_by = @actor
            FROM delegate d
            WHERE r.id = @id AND r.state = 'held' AND d.id = r.delegate_id AND d.congress_id = @congressId
            RETURNING d.code
            """, new { id, congressId, actor = user.Actor() }, transaction);
        if (code is null)
        {
            return Problems.Conflict("request_not_held", "This request was already decided or does not exist.");
        }

        await AuditLog.WriteAsync(transaction, user, http, congressId, "session.device_refused", code, new { request = id });
        await transaction.CommitAsync();
        return TypedResults.NoContent();
    }

    private static async Task<Results<NoContent, ProblemHttpResult>> EndAsync(
        Guid id, ClaimsPrincipal user, HttpContext http, NpgsqlDataSource db, CongressNotifier notifier)
    {
        Guid congressId = user.CongressId();
        await using var connection = await db.OpenConnectionAsync();
        await using var transaction = await connection.BeginTransactionAsync();
        string? code = await connection.ExecuteScalarAsync<string?>("""
            UPDATE delegate_session s SET ended_at = now(), ended_by = @actor
            FROM delegate d
            WHERE s.id = @id AND s.ended_at IS NULL AND d.id = s.delegate_id AND d.congress_id = @congressId
            RETURNING d.code
            """, new { id, congressId, actor = user.Actor() }, transaction);
        if (code is null)
        {
            return Problems.Conflict("session_not_active", "This session has already ended.");
        }

        await AuditLog.WriteAsync(transaction, user, http, congressId, "session.end", code, new { session = id });
        await transaction.CommitAsync();
        await notifier.SessionEndedAsync(id);
        return TypedResults.NoContent();
    }
}

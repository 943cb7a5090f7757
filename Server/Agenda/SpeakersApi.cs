using System.Security.Claims;
using CongressVote.Server.Audit;
using CongressVote.Server.Live;
using CongressVote.Server.Sessions;
using CongressVote.Shared;
using Dapper;
using Microsoft.AspNetCore.Http.HttpResults;
using Npgsql;

namespace CongressVote.Server.Agenda;

/// <summary>
/// The list of speakers on the current item. Delegates ask from their tablets with a topic; the secretariat
/// approves, orders, starts (with an optional time limit the projector counts down) and ends speeches.
/// </summary>
public static class SpeakersApi
{
    public static IEndpointRouteBuilder MapSpeakersApi(this IEndpointRouteBuilder app)
    {
        app.MapPost("/api/speakers", RequestAsync).RequireAuthorization(p => p.RequireRole(Roles.Delegate));
        app.MapPost("/api/speakers/{id:guid}/withdraw", WithdrawAsync).RequireAuthorization(p => p.RequireRole(Roles.Delegate));
        var staff = app.MapGroup("/api/speakers").RequireAuthorization(p => p.RequireRole(Roles.RunsPolls.Split(',')));
        staff.MapPost("/{id:guid}/approve", (Guid id, ClaimsPrincipal user, HttpContext http, NpgsqlDataSource db, CongressNotifier notifier) =>
            TransitionAsync(id, "approved", ["requested"], user, http, db, notifier));
        staff.MapPost("/{id:guid}/refuse", (Guid id, ClaimsPrincipal user, HttpContext http, NpgsqlDataSource db, CongressNotifier notifier) =>
            TransitionAsync(id, "refused", ["requested", "approved"], user, http, db, notifier));
        staff.MapPost("/{id:guid}/end", (Guid id, ClaimsPrincipal user, HttpContext http, NpgsqlDataSource db, CongressNotifier notifier) =>
            TransitionAsync(id, "done", ["speaking"], user, http, db, notifier));
        staff.MapPost("/{id:guid}/start", StartAsync);
        staff.MapPost("/{id:guid}/move", MoveAsync);
        return app;
    }

    /// <summary>After a change committed: the list as it now stands, through the one notifier (a failed push never fails the change).</summary>
    private static async Task BroadcastAsync(NpgsqlDataSource db, CongressNotifier notifier, Guid congressId)
    {
        await using var connection = await db.OpenConnectionAsync();
        await notifier.SpeakersChangedAsync(congressId, await SpeakerList.CurrentAsync(connection, congressId));
    }

    private static async Task<Results<Ok<SpeechDto>, ProblemHttpResult>> RequestAsync(
        SpeechRequestDto request, ClaimsPrincipal user, NpgsqlDataSource db, CongressNotifier notifier)
    {
        string topic = (request.Topic ?? "").Normalize(System.Text.NormalizationForm.FormC).Trim();
        if (topic.Length is 0 or > 200 || topic.Any(char.IsControl))
        {
            return Problems.BadRequest("bad_topic", "Say in a line (1 to 200 characters) what you will speak about.");
        }

        Guid congressId = user.CongressId();
        await using var connection = await db.OpenConnectionAsync();
        await using var transaction = await connection.BeginTransactionAsync();
        Guid? item = await connection.ExecuteScalarAsync<Guid?>("SELECT current_item_id FROM congress WHERE id = @congressId FOR UPDATE", new { congressId }, transaction);
        if (item is null)
        {
            return Problems.Conflict("no_current_item", "No agenda item is under way.");
        }

        try
        {
            await connection.ExecuteAsync("""
                INSERT INTO speech (id, congress_id, agenda_item_id, delegate_id, topic, position)
                VALUES (gen_random_uuid(), @congressId, @item, @delegateId, @topic,
                        coalesce((SELECT max(position) FROM speech WHERE agenda_item_id = @item), 0) + 1)
                """, new { congressId, item, delegateId = user.SubjectId(), topic }, transaction);
        }
        catch (PostgresException ex) when (ex.SqlState == PostgresErrorCodes.UniqueViolation)
        {
            return Problems.Conflict("already_asked", "You have already asked to speak on this item.");
        }

        var mine = (await SpeakerList.CurrentAsync(connection, congressId, transaction)).Single(s => s.DelegateId == user.SubjectId() && s.State == SpeechState.Requested);
        await transaction.CommitAsync();
        await BroadcastAsync(db, notifier, congressId);
        return TypedResults.Ok(mine);
    }

    private static async Task<Results<NoContent, ProblemHttpResult>> WithdrawAsync(
        Guid id, ClaimsPrincipal user, NpgsqlDataSource db, CongressNotifier notifier)
    {
        await using var connection = await db.OpenConnectionAsync();
        int changed = await connection.ExecuteAsync(
            "UPDATE speech SET state = 'withdrawn', ended_at = now() WHERE id = @id AND delegate_id = @delegateId AND state IN ('requested', 'approved')",
            new { id, delegateId = user.SubjectId() });
        if (changed == 0)
        {
            return Problems.Conflict("speech_not_pending", "This request is no longer waiting.");
        }

        await BroadcastAsync(db, notifier, user.CongressId());
        return TypedResults.NoContent();
    }

    private static async Task<Results<NoContent, ProblemHttpResult>> TransitionAsync(
        Guid id, string to, string[] from, ClaimsPrincipal user, HttpContext http, NpgsqlDataSource db, CongressNotifier notifier)
    {
        Guid congressId = user.CongressId();
        await using var connection = await db.OpenConnectionAsync();
        await using var transaction = await connection.BeginTransactionAsync();
        int changed = await connection.ExecuteAsync("""
            UPDATE speech SET state = @to, ended_at = CASE WHEN @to IN ('done', 'refused') THEN now() ELSE ended_at END
            WHERE id = @id AND congress_id = @congressId AND state = ANY(@from)
            """, new { id, to, congressId, from }, transaction);
        if (changed == 0)
        {
            return Problems.Conflict("speech_wrong_state", "The request is not in a state that allows this.");
        }

        await AuditLog.WriteAsync(transaction, user, http, congressId, "speech." + to, id.ToString());
        await transaction.CommitAsync();
        await BroadcastAsync(db, notifier, congressId);
        return TypedResults.NoContent();
    }

    private static async Task<Results<NoContent, ProblemHttpResult>> StartAsync(
        Guid id, SpeechStartDto start, ClaimsPrincipal user, HttpContext http, NpgsqlDataSource db, CongressNotifier notifier)
    {
        if (start.TimeLimitSeconds is < 30 or > 3600)
        {
            return Problems.BadRequest("bad_time_limit", "A speaking time is 30 seconds to an hour.");
        }

        Guid congressId = user.CongressId();
        await using var connection = await db.OpenConnectionAsync();
        await using var transaction = await connection.BeginTransactionAsync();
        // The previous speaker, if any, ends: one speaker at a time (and the partial unique index holds to it).
        await connection.ExecuteAsync(
            "UPDATE speech SET state = 'done', ended_at = now() WHERE congress_id = @congressId AND state = 'speaking' AND id <> @id", new { congressId, id }, transaction);
        int changed = await connection.ExecuteAsync("""
            UPDATE speech SET state = 'speaking', started_at = now(), time_limit_seconds = @limit
            WHERE id = @id AND congress_id = @congressId AND state IN ('requested', 'approved')
            """, new { id, congressId, limit = start.TimeLimitSeconds }, transaction);
        if (changed == 0)
        {
            return Problems.Conflict("speech_wrong_state", "The request is not in a state that allows this.");
        }

        await AuditLog.WriteAsync(transaction, user, http, congressId, "speech.start", id.ToString(), start);
        await transaction.CommitAsync();
        await BroadcastAsync(db, notifier, congressId);
        return TypedResults.NoContent();
    }

    private static async Task<Results<NoContent, ProblemHttpResult>> MoveAsync(
        Guid id, int by, ClaimsPrincipal user, NpgsqlDataSource db, CongressNotifier notifier)
    {
        Guid congressId = user.CongressId();
        await using var connection = await db.OpenConnectionAsync();
        int swapped = await connection.ExecuteAsync("""
            WITH me AS (SELECT id, position, agenda_item_id FROM speech WHERE id = @id AND congress_id = @congressId AND state IN ('requested', 'approved')),
                 other AS (
                    SELECT s.id, s.position FROM speech s, me
                    WHERE s.agenda_item_id = me.agenda_item_id AND s.state IN ('requested', 'approved')
                      AND ((@by < 0 AND s.position < me.position) OR (@by > 0 AND s.position > me.position))
                    ORDER BY CASE WHEN @by < 0 THEN -s.position ELSE s.position END
                    LIMIT 1)
            UPDATE speech s SET position = CASE WHEN s.id = me.id THEN other.position ELSE me.position END
            FROM me, other
            WHERE s.id IN (me.id, other.id)
            """, new { id, congressId, by = Math.Sign(by) });
        if (swapped == 0)
        {
            return Problems.Conflict("cannot_move", "The request is already at that end of the list.");
        }

        await BroadcastAsync(db, notifier, congressId);
        return TypedResults.NoContent();
    }
}

using System.Security.Claims;
using CongressVote.Server.Audit;
using CongressVote.Server.Live;
using CongressVote.Server.Sessions;
using Dapper;
using Microsoft.AspNetCore.Http.HttpResults;
using Npgsql;

namespace CongressVote.Server.Polls;

/// <summary>
/// Rehearsals (biểu quyết thử): a motion or election created with <c>rehearsal</c> set is opened, cast, counted and
/// shown like any vote, marked as a test on the tablets and the hall screen, and kept out of every document.
/// Before the real session the secretariat deletes them all, with their ballots, in one audited action.
/// </summary>
public static class RehearsalsApi
{
    public static IEndpointRouteBuilder MapRehearsalsApi(this IEndpointRouteBuilder app)
    {
        app.MapPost("/api/polls/rehearsals/purge", PurgeAsync).RequireAuthorization(p => p.RequireRole(Roles.RunsPolls.Split(',')));
        return app;
    }

    /// <summary>How many rehearsal polls were deleted, and how many tablet ballots with them.</summary>
    public sealed record PurgeResult(int Polls, int Ballots);

    private static async Task<Results<Ok<PurgeResult>, ProblemHttpResult>> PurgeAsync(
        ClaimsPrincipal user, HttpContext http, NpgsqlDataSource db, CongressNotifier notifier)
    {
        Guid congressId = user.CongressId();
        await using var connection = await db.OpenConnectionAsync();
        await using var transaction = await connection.BeginTransactionAsync();
        // Locked, so a rehearsal cannot be opened while it is being deleted (opening waits, then finds nothing).
        var polls = (await connection.QueryAsync<(Guid Id, string State)>(
            "SELECT id, state FROM poll WHERE congress_id = @congressId AND rehearsal ORDER BY id FOR UPDATE", new { congressId }, transaction)).ToList();
        if (polls.Any(p => p.State == "open"))
        {
            return Problems.Conflict("rehearsal_open", "A rehearsal is open: close or cancel it before deleting the rehearsals.");
        }

        var ids = polls.Select(p => p.Id).ToArray();
        // Voters first: they hang on the roll, which goes with the poll; everything else cascades from the poll.
        int ballots = await connection.ExecuteAsync("DELETE FROM poll_voter WHERE poll_id = ANY(@ids)", new { ids }, transaction);
        await connection.ExecuteAsync("DELETE FROM sealed_ballot WHERE poll_id = ANY(@ids)", new { ids }, transaction);
        await connection.ExecuteAsync("DELETE FROM poll WHERE id = ANY(@ids)", new { ids }, transaction);
        await AuditLog.WriteAsync(transaction, user, http, congressId, "poll.purge_rehearsals", null, new { polls = ids, ballots });
        await transaction.CommitAsync();
        await notifier.AgendaChangedAsync(congressId);
        return TypedResults.Ok(new PurgeResult(ids.Length, ballots));
    }
}

using System.Security.Claims;
using CongressVote.Server.Audit;
using CongressVote.Server.Live;
using CongressVote.Server.Sessions;
using CongressVote.Shared;
using Dapper;
using Microsoft.AspNetCore.Http.HttpResults;
using Npgsql;

namespace CongressVote.Server.Polls;

/// <summary>Opening and closing polls. Every transition is a conditional update, audited in the same transaction.</summary>
public static class PollsApi
{
    public static IServiceCollection AddPolls(this IServiceCollection services)
    {
        services.AddSingleton<BallotRules>();
        services.AddSingleton<SecretBallots>();
        services.AddHostedService(sp => sp.GetRequiredService<SecretBallots>());
        services.AddSingleton<PollClosing>();
        services.AddSingleton<PollResults>();
        services.AddSingleton<BallotBox>();
        services.AddHostedService(sp => sp.GetRequiredService<BallotBox>());
        services.AddHostedService<PollCountdown>();
        return services;
    }

    public static IEndpointRouteBuilder MapPollsApi(this IEndpointRouteBuilder app)
    {
        var polls = app.MapGroup("/api/polls").RequireAuthorization(policy => policy.RequireRole(Roles.RunsPolls.Split(',')));
        polls.MapPost("/{pollId:guid}/open", OpenAsync);
        polls.MapPost("/{pollId:guid}/close", CloseAsync);
        return app;
    }

    private static async Task<Results<Ok<PollDto>, ProblemHttpResult>> OpenAsync(
        Guid pollId, ClaimsPrincipal user, HttpContext http, NpgsqlDataSource db, SecretBallots secrets, CongressNotifier notifier)
    {
        Guid congressId = user.CongressId();
        // The body is optional: only a chair overriding the quorum sends one.
        OpenPollRequest? request;
        try
        {
            request = http.Request.HasJsonContentType() && http.Request.ContentLength != 0
                ? await http.Request.ReadFromJsonAsync(CongressJsonContext.Default.OpenPollRequest)
                : null;
        }
        catch (System.Text.Json.JsonException)
        {
            return Problems.BadRequest("bad_request_body", "The request body is not valid JSON.");
        }
        await using var connection = await db.OpenConnectionAsync();
        await using var transaction = await connection.BeginTransactionAsync();

        // A vote without quorum is not valid: refused, unless the chair overrides with a reason, on the record.
        var attendance = await CheckIn.AttendanceQueries.ReadAsync(connection, congressId, transaction);
        string? overrideReason = request?.QuorumOverrideReason?.Trim() is { Length: > 0 } reason ? reason : null;
        if (!attendance.QuorumReached)
        {
            if (overrideReason is null)
            {
                // The figures go as arguments: each console says them in its own language.
                var invariant = System.Globalization.CultureInfo.InvariantCulture;
                return Problems.Conflict("quorum_not_reached", QuorumWording.Describe(attendance, System.Globalization.CultureInfo.GetCultureInfo("en-GB")),
                    attendance.Present.ToString(invariant), attendance.Summoned.ToString(invariant), QuorumNeeded(attendance).ToString(invariant));
            }

            if (StaffRoles.Parse(user.Role())?.OverridesQuorum() != true)
            {
                return Problems.Forbidden("override_needs_chair", "Only the chair may open a vote without quorum.");
            }

            await AuditLog.WriteAsync(transaction, user, http, congressId, "poll.quorum_override", pollId.ToString(),
                new { reason = overrideReason, attendance.Present, attendance.Summoned, attendance.QuorumRequired });
        }

        // An election opens with its list complete: at least as many candidates as seats.
        var election = await connection.QuerySingleOrDefaultAsync<(int Seats, int Candidates)?>("""
            SELECT p.seats, (SELECT count(*)::int FROM candidate c WHERE c.poll_id = p.id) AS candidates
            FROM poll p WHERE p.id = @pollId AND p.congress_id = @congressId AND p.kind = 'election'
            """, new { pollId, congressId }, transaction);
        if (election is not null && await Elections.Dossiers.BallotRefusalAsync(connection, transaction, pollId) is { } notReady)
        {
            return notReady.ToProblem();
        }

        if (election is { } e && e.Candidates < e.Seats)
        {
            return Problems.Conflict("election_needs_candidates", $"The election has {e.Seats} seats and {e.Candidates} candidates: complete the list first.");
        }

        int opened;
        try
        {
            opened = await connection.ExecuteAsync("""
                UPDATE poll SET state = 'open', opened_at = now(),
                                closes_at = CASE WHEN countdown_seconds IS NULL THEN NULL ELSE now() + countdown_seconds * interval '1 second' END
                WHERE id = @pollId AND congress_id = @congressId AND state = 'draft'
                """, new { pollId, congressId }, transaction);
        }
        catch (PostgresException ex) when (ex is { SqlState: PostgresErrorCodes.UniqueViolation, ConstraintName: "poll_one_open" })
        {
            return Problems.Conflict("another_poll_open", "Another poll is open; close it first.");
        }

        if (opened == 0)
        {
            return (await PollStore.StateRefusalAsync(connection, transaction, pollId, congressId, "opened")).ToProblem();
        }

        // Entitlement and attendance are fixed when the poll opens: the roll decides who may vote.
        await connection.ExecuteAsync("""
            INSERT INTO poll_roll (poll_id, delegate_id, present_at_open, weight)
            SELECT @pollId, d.id, d.checked_in_at IS NOT NULL, d.vote_weight
            FROM delegate d JOIN congress c ON c.id = d.congress_id
            WHERE d.congress_id = @congressId AND d.may_vote AND NOT (d.excused_reason IS NOT NULL AND c.excused_reduce_summoned)
            """, new { pollId, congressId }, transaction);
        await connection.ExecuteAsync(
            "UPDATE congress SET current_item_id = (SELECT agenda_item_id FROM poll WHERE id = @pollId) WHERE id = @congressId",
            new { pollId, congressId }, transaction);
        await AuditLog.WriteAsync(transaction, user, http, congressId, "poll.open", pollId.ToString());
        var poll = (await PollQueries.FindAsync(connection, pollId, transaction))!;
        if (poll.Secret)
        {
            // The key that seals this poll's ballots is on disk before any ballot can be cast.
            await secrets.CreateKeyAsync(pollId);
        }

        await transaction.CommitAsync();

        var dto = poll.ToDto();
        await notifier.PollChangedAsync(congressId, dto);
        return TypedResults.Ok(dto);
    }

    private static async Task<Results<Ok<PollDto>, ProblemHttpResult>> CloseAsync(Guid pollId, ClaimsPrincipal user, HttpContext http, PollClosing closing)
    {
        var (poll, refusal) = await closing.CloseAsync(pollId, user.CongressId(), user.Actor(), http);
        return refusal is not null ? refusal.ToProblem() : TypedResults.Ok(poll!);
    }

    /// <summary>The fewest delegates present that make the quorum: "more than 181.5" is 182, "at least 241.33" is 242.</summary>
    public static int QuorumNeeded(AttendanceDto attendance) =>
        attendance.QuorumStrict ? (int)Math.Floor(attendance.QuorumRequired) + 1 : (int)Math.Ceiling(attendance.QuorumRequired);
}

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
        Guid pollId, ClaimsPrincipal user, HttpContext http, NpgsqlDataSource db, CongressNotifier notifier)
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
                return Problems.Conflict("quorum_not_reached", QuorumWording.Describe(attendance, System.Globalization.CultureInfo.GetCultureInfo("en-GB")));
            }

            if (user.Role() is not (Roles.Chair or Roles.Admin))
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
            return await RefusalAsync(connection, transaction, pollId, congressId, "opened");
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
        await transaction.CommitAsync();

        var dto = poll.ToDto();
        await notifier.PollChangedAsync(congressId, dto);
        return TypedResults.Ok(dto);
    }

    private static async Task<Results<Ok<PollDto>, ProblemHttpResult>> CloseAsync(
        Guid pollId, ClaimsPrincipal user, HttpContext http, NpgsqlDataSource db, CongressNotifier notifier)
    {
        var (poll, problem) = await CloseCoreAsync(db, notifier, pollId, user.CongressId(), user.Actor(), http);
        return problem is not null ? problem : TypedResults.Ok(poll!);
    }

    /// <summary>Closes an open poll and stores its result; shared by the console and the countdown.</summary>
    public static async Task<(PollDto? Poll, ProblemHttpResult? Problem)> CloseCoreAsync(
        NpgsqlDataSource db, CongressNotifier notifier, Guid pollId, Guid congressId, string actor, HttpContext? http)
    {
        ArgumentNullException.ThrowIfNull(db);
        ArgumentNullException.ThrowIfNull(notifier);
        await using var connection = await db.OpenConnectionAsync();
        await using var transaction = await connection.BeginTransactionAsync();
        // FOR UPDATE waits for any batch of ballots holding the poll FOR SHARE to commit, so all are counted below;
        // a second close waits here too, then finds the poll no longer open.
        Guid? locked = await connection.ExecuteScalarAsync<Guid?>(
            "SELECT id FROM poll WHERE id = @pollId AND congress_id = @congressId AND state = 'open' FOR UPDATE",
            new { pollId, congressId }, transaction);
        if (locked is null)
        {
            return (null, await RefusalAsync(connection, transaction, pollId, congressId, "closed"));
        }

        await connection.ExecuteAsync("""
            UPDATE poll_roll r SET present_at_close = (d.checked_in_at IS NOT NULL)
            FROM delegate d
            WHERE r.poll_id = @pollId AND d.id = r.delegate_id
            """, new { pollId }, transaction);
        var poll = (await PollQueries.FindAsync(connection, pollId, transaction))!;
        string preset = await connection.ExecuteScalarAsync<string>("SELECT preset FROM congress WHERE id = @congressId", new { congressId }, transaction) ?? "";
        object auditDetail;
        if (poll.IsElection)
        {
            var (election, refused) = await Elections.ElectionsApi.CountAndStoreAsync(connection, transaction, poll, CongressPreset.ByKey(preset).Quorum);
            if (refused is not null)
            {
                return (null, refused);
            }

            await connection.ExecuteAsync("UPDATE poll SET state = 'closed', closed_at = now() WHERE id = @pollId AND state = 'open'", new { pollId }, transaction);
            auditDetail = new { election!.Issued, election.Returned, election.Valid, election.Invalid, election.Verdict, elected = election.Ranked.Where(r => r.Outcome == CandidateOutcome.Elected).Select(r => r.FullName) };
        }
        else
        {
            var figures = await FiguresAsync(connection, transaction, pollId);
            var result = poll.Rule.Decide(figures, CongressPreset.ByKey(preset).Quorum);
            await connection.ExecuteAsync("""
                UPDATE poll SET state = 'closed', closed_at = now(),
                                yes_count = @Yes, no_count = @No, abstain_count = @Abstain,
                                entitled_count = @Entitled, present_count = @Present, passed = @Passed, verdict = @verdict
                WHERE id = @pollId AND state = 'open'
                """, new { pollId, result.Yes, result.No, result.Abstain, result.Entitled, result.Present, result.Passed, verdict = result.Verdict.ToString() }, transaction);
            auditDetail = new { result.Yes, result.No, result.Abstain, result.Entitled, result.Present, result.Passed };
        }

        if (poll.Secret)
        {
            // Rewrite the secret ballots in random order inside this transaction: their row positions and
            // transaction ids then say nothing about when, or in which batch, each was cast.
            await connection.ExecuteAsync("""
                CREATE TEMP TABLE shuffled ON COMMIT DROP AS SELECT poll_id, id, choice, weight, kept, receipt FROM ballot WHERE poll_id = @pollId;
                DELETE FROM ballot WHERE poll_id = @pollId;
                INSERT INTO ballot (poll_id, id, choice, weight, kept, receipt) SELECT poll_id, id, choice, weight, kept, receipt FROM shuffled ORDER BY random();
                """, new { pollId }, transaction);
        }

        await AuditLog.WriteAsync(transaction, actor, http, congressId, "poll.close", pollId.ToString(), auditDetail);
        poll = (await PollQueries.FindAsync(connection, pollId, transaction))!;
        await transaction.CommitAsync();

        var dto = poll.ToDto();
        await notifier.PollChangedAsync(congressId, dto);
        return (dto, null);
    }

    /// <summary>The counts a poll's rule is applied to: electronic ballots plus paper counts, the roll at close.</summary>
    public static async Task<PollFigures> FiguresAsync(NpgsqlConnection connection, NpgsqlTransaction transaction, Guid pollId)
    {
        ArgumentNullException.ThrowIfNull(connection);
        return await connection.QuerySingleAsync<PollFigures>("""
            SELECT
                (SELECT coalesce(sum(b.weight), 0)::int FROM ballot b WHERE b.poll_id = @pollId AND b.choice = 0)
                    + (SELECT coalesce(sum(yes), 0)::int FROM paper_count WHERE poll_id = @pollId) AS yes,
                (SELECT coalesce(sum(b.weight), 0)::int FROM ballot b WHERE b.poll_id = @pollId AND b.choice = 1)
                    + (SELECT coalesce(sum(no), 0)::int FROM paper_count WHERE poll_id = @pollId) AS no,
                (SELECT coalesce(sum(b.weight), 0)::int FROM ballot b WHERE b.poll_id = @pollId AND b.choice = 2)
                    + (SELECT coalesce(sum(abstain), 0)::int FROM paper_count WHERE poll_id = @pollId) AS abstain,
                (SELECT coalesce(sum(r.weight), 0)::int FROM poll_roll r WHERE r.poll_id = @pollId) AS entitled,
                (SELECT coalesce(sum(r.weight), 0)::int FROM poll_roll r WHERE r.poll_id = @pollId AND r.present_at_close) AS present
            """, new { pollId }, transaction);
    }

    /// <summary>The rules of the congress an agenda item belongs to; null when the item is not in this congress.</summary>
    public static async Task<CongressPreset?> PresetOfItemAsync(NpgsqlConnection connection, NpgsqlTransaction transaction, Guid congressId, Guid agendaItemId)
    {
        ArgumentNullException.ThrowIfNull(connection);
        string? preset = await connection.ExecuteScalarAsync<string?>("""
            SELECT c.preset FROM congress c JOIN agenda_item a ON a.congress_id = c.id
            WHERE c.id = @congressId AND a.id = @agendaItemId
            """, new { congressId, agendaItemId }, transaction);
        return preset is null ? null : CongressPreset.ByKey(preset);
    }

    /// <summary>A new draft poll on an agenda item, with its rule written out as data.</summary>
    public static async Task<Guid> InsertDraftAsync(
        NpgsqlConnection connection, NpgsqlTransaction transaction, Guid congressId, Guid agendaItemId, string title, string question,
        bool secret, bool allowAbstain, MajorityRule rule)
    {
        ArgumentNullException.ThrowIfNull(connection);
        ArgumentNullException.ThrowIfNull(rule);
        var id = Guid.NewGuid();
        await connection.ExecuteAsync("""
            INSERT INTO poll (id, congress_id, agenda_item_id, title, question, secret, allow_abstain,
                              rule_numerator, rule_denominator, rule_strict, rule_base, rule_constant)
            VALUES (@id, @congressId, @agendaItemId, @title, @question, @secret, @allowAbstain,
                    @Numerator, @Denominator, @Strict, @ruleBase, @Constant)
            """, new { id, congressId, agendaItemId, title, question, secret, allowAbstain, rule.Numerator, rule.Denominator, rule.Strict, ruleBase = rule.Base.ToString(), rule.Constant },
            transaction);
        return id;
    }

    private static async Task<ProblemHttpResult> RefusalAsync(NpgsqlConnection connection, NpgsqlTransaction transaction, Guid pollId, Guid congressId, string verb)
    {
        string? state = await connection.ExecuteScalarAsync<string?>(
            "SELECT state FROM poll WHERE id = @pollId AND congress_id = @congressId", new { pollId, congressId }, transaction);
        return state is null
            ? Problems.NotFound("unknown_poll", "There is no such poll in this congress.")
            : Problems.Conflict($"poll_{state}", $"The poll is {state} and cannot be {verb}.");
    }
}

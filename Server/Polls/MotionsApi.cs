using System.Security.Claims;
using CongressVote.Server.Audit;
using CongressVote.Server.Live;
using CongressVote.Server.Sessions;
using CongressVote.Shared;
using Dapper;
using Microsoft.AspNetCore.Http.HttpResults;
using Npgsql;

namespace CongressVote.Server.Polls;

/// <summary>
/// Motions: drafting a vote on an agenda item, paper votes while it is open, and the list of who has voted.
/// Publishing, cancelling and recounting, which elections share, are PollResultsApi's. Every change is audited in
/// its transaction.
/// </summary>
public static class MotionsApi
{
    public static IEndpointRouteBuilder MapMotionsApi(this IEndpointRouteBuilder app)
    {
        var polls = app.MapGroup("/api/polls").RequireAuthorization(p => p.RequireRole(Roles.RunsPolls.Split(',')));
        polls.MapPost("", CreateAsync);
        polls.MapPut("/{pollId:guid}", EditAsync);
        app.MapPost("/api/polls/{pollId:guid}/paper", AddPaperAsync).RequireAuthorization(p => p.RequireRole(Roles.CountsPaper.Split(',')));
        app.MapGet("/api/polls/{pollId:guid}/voters", VotersAsync).RequireAuthorization(p => p.RequireRole(Roles.AnyStaff.Split(',')));
        return app;
    }

    private static ProblemHttpResult? Validate(MotionEditDto edit)
    {
        if (Problems.InvalidTitle(edit.Title) is { } badTitle)
        {
            return badTitle;
        }

        if ((edit.Question ?? "").Length > 4000)
        {
            return Problems.BadRequest("too_long", "The motion's text is at most 4,000 characters.");
        }

        if (Problems.InvalidCountdown(edit.CountdownSeconds) is { } badCountdown)
        {
            return badCountdown;
        }

        if (edit.Secret && edit.AllowChange)
        {
            return Problems.BadRequest("secret_cannot_change", "A secret ballot cannot be changed once cast: nothing links it to its voter.");
        }

        return Problems.InvalidRule(edit.Rule);
    }

    private static async Task<Results<Ok<PollDto>, ProblemHttpResult>> CreateAsync(
        MotionEditDto edit, ClaimsPrincipal user, HttpContext http, NpgsqlDataSource db, CongressNotifier notifier)
    {
        if (Validate(edit) is { } problem)
        {
            return problem;
        }

        Guid congressId = user.CongressId();
        await using var connection = await db.OpenConnectionAsync();
        await using var transaction = await connection.BeginTransactionAsync();
        var preset = await PollStore.PresetOfItemAsync(connection, transaction, congressId, edit.AgendaItemId);
        if (preset is null)
        {
            return Problems.NotFound("unknown_agenda_item", "There is no such agenda item in this congress.");
        }

        // Without a rule of its own, a motion follows the congress's preset for decisions.
        var rule = edit.Rule ?? preset.Decision;
        Guid pollId = await PollStore.InsertDraftAsync(connection, transaction, congressId, edit.AgendaItemId, edit.Title.Trim(), edit.Question ?? "", edit.Secret, edit.AllowAbstain, rule);
        await connection.ExecuteAsync(
            "UPDATE poll SET allow_change = @AllowChange, countdown_seconds = @CountdownSeconds, rehearsal = @Rehearsal WHERE id = @pollId",
            new { edit.AllowChange, edit.CountdownSeconds, edit.Rehearsal, pollId }, transaction);
        await AuditLog.WriteAsync(transaction, user, http, congressId, "poll.create", pollId.ToString(), new { edit.Title, edit.Secret, rule, edit.Rehearsal });
        return TypedResults.Ok(await PollStore.CommitDraftAsync(connection, transaction, pollId, congressId, notifier));
    }

    private static async Task<Results<Ok<PollDto>, ProblemHttpResult>> EditAsync(
        Guid pollId, MotionEditDto edit, ClaimsPrincipal user, HttpContext http, NpgsqlDataSource db, CongressNotifier notifier)
    {
        if (Validate(edit) is { } problem)
        {
            return problem;
        }

        Guid congressId = user.CongressId();
        await using var connection = await db.OpenConnectionAsync();
        await using var transaction = await connection.BeginTransactionAsync();
        var rule = edit.Rule ?? MajorityRule.MoreThanHalfOfSummoned;
        // Only a draft can change: once a vote opened, its question and rule are part of the record.
        int changed = await connection.ExecuteAsync("""
            UPDATE poll SET title = @title, question = @question, secret = @Secret, allow_abstain = @AllowAbstain,
                            rule_numerator = @Numerator, rule_denominator = @Denominator, rule_strict = @Strict,
                            rule_base = @ruleBase, rule_constant = @Constant,
                            allow_change = @AllowChange, countdown_seconds = @CountdownSeconds, rehearsal = @Rehearsal
            WHERE id = @pollId AND congress_id = @congressId AND state = 'draft' AND kind = 'motion'
            """, new
        {
            pollId,
            congressId,
            title = edit.Title.Trim(),
            question = edit.Question ?? "",
            edit.Secret,
            edit.AllowAbstain,
            rule.Numerator,
            rule.Denominator,
            rule.Strict,
            ruleBase = rule.Base.ToString(),
            rule.Constant,
            edit.AllowChange,
            edit.CountdownSeconds,
            edit.Rehearsal,
        }, transaction);
        if (changed == 0)
        {
            return Problems.Conflict("poll_not_draft", "Only a vote that has not been opened can be edited.");
        }

        await AuditLog.WriteAsync(transaction, user, http, congressId, "poll.edit", pollId.ToString(), edit);
        return TypedResults.Ok(await PollStore.CommitDraftAsync(connection, transaction, pollId, congressId, notifier));
    }

    /// <summary>
    /// Adds a paper count before close. Electronic and paper votes together may not exceed the entitled
    /// delegates present now: the poll row is locked, so ballots arriving meanwhile are counted first.
    /// </summary>
    private static async Task<Results<Ok<TallyDto>, ProblemHttpResult>> AddPaperAsync(
        Guid pollId, PaperCountDto paper, ClaimsPrincipal user, HttpContext http, NpgsqlDataSource db, CongressNotifier notifier)
    {
        if (paper.Yes < 0 || paper.No < 0 || paper.Abstain < 0 || paper.Yes + paper.No + paper.Abstain is 0 or > 100_000 || paper.Note?.Length > 300)
        {
            return Problems.BadRequest("bad_paper_count", "Paper counts are whole numbers, not all zero.");
        }

        Guid congressId = user.CongressId();
        await using var connection = await db.OpenConnectionAsync();
        await using var transaction = await connection.BeginTransactionAsync();
        var poll = await connection.QuerySingleOrDefaultAsync<(bool AllowAbstain, string State, string Kind, bool Secret)?>(
            "SELECT allow_abstain, state, kind, secret FROM poll WHERE id = @pollId AND congress_id = @congressId FOR UPDATE", new { pollId, congressId }, transaction);
        if (poll is not { } p || p.State != "open")
        {
            return Problems.Conflict("poll_not_open", "Paper votes are added while the vote is open.");
        }

        if (p.Kind == "election")
        {
            return Problems.Conflict("election_paper_ballots", "An election's paper ballots are entered as ballots or per-candidate totals.");
        }

        if (paper.Abstain > 0 && !p.AllowAbstain)
        {
            return Problems.BadRequest("bad_paper_count", "This vote does not offer abstaining.");
        }

        var counts = await connection.QuerySingleAsync<(int Cast, int Present)>("""
            SELECT (SELECT coalesce(sum((SELECT r.weight FROM poll_roll r WHERE r.poll_id = v.poll_id AND r.delegate_id = v.delegate_id)), 0)::int
                    FROM poll_voter v WHERE v.poll_id = @pollId)
                       + (SELECT coalesce(sum(yes + no + abstain), 0)::int FROM paper_count WHERE poll_id = @pollId) AS cast,
                   (SELECT coalesce(sum(r.weight), 0)::int FROM poll_roll r JOIN delegate d ON d.id = r.delegate_id
                    WHERE r.poll_id = @pollId AND d.checked_in_at IS NOT NULL) AS present
            """, new { pollId }, transaction);
        int adding = paper.Yes + paper.No + paper.Abstain;
        if (counts.Cast + adding > counts.Present)
        {
            return Problems.Conflict("paper_exceeds_present",
                $"{counts.Cast} votes are in and {counts.Present} entitled delegates are present: {adding} more paper votes would exceed them.");
        }

        await connection.ExecuteAsync(
            "INSERT INTO paper_count (poll_id, yes, no, abstain, note, entered_by) VALUES (@pollId, @Yes, @No, @Abstain, @Note, @actor)",
            new { pollId, paper.Yes, paper.No, paper.Abstain, paper.Note, actor = user.Actor() }, transaction);
        // A secret vote's paper counts are partial results: the trail gets them at close (poll.paper_record).
        await AuditLog.WriteAsync(transaction, user, http, congressId, "poll.paper", pollId.ToString(),
            p.Secret ? new { votes = adding } : paper);
        var tally = await PollQueries.TallyAsync(connection, (await PollQueries.FindAsync(connection, pollId, transaction))!);
        await transaction.CommitAsync();
        notifier.TallyMayHaveChanged(pollId);
        return TypedResults.Ok(tally);
    }

    private static async Task<Results<Ok<List<VoterDto>>, ProblemHttpResult>> VotersAsync(Guid pollId, ClaimsPrincipal user, NpgsqlDataSource db)
    {
        Guid congressId = user.CongressId();
        await using var connection = await db.OpenConnectionAsync();
        var poll = await PollQueries.FindAsync(connection, pollId);
        if (poll is null || poll.CongressId != congressId)
        {
            return Problems.NotFound("unknown_poll", "There is no such poll in this congress.");
        }

        // A named vote's choices are shown once it has closed; a secret vote's never, and none is stored per voter.
        bool showChoices = !poll.Secret && poll.PollState is PollState.Closed or PollState.Published;
        var rows = await connection.QueryAsync<(string Code, string FullName, string Delegation, bool Voted, short? Choice, bool Present)>("""
            SELECT d.code, d.full_name, coalesce(dl.name, '') AS delegation, v.delegate_id IS NOT NULL AS voted,
                   CASE WHEN @showChoices THEN b.choice END AS choice, d.checked_in_at IS NOT NULL AS present
            FROM poll_roll r
            JOIN delegate d ON d.id = r.delegate_id
            LEFT JOIN delegation dl ON dl.id = d.delegation_id
            LEFT JOIN poll_voter v ON v.poll_id = r.poll_id AND v.delegate_id = r.delegate_id
            LEFT JOIN ballot b ON b.poll_id = v.poll_id AND b.id = v.ballot_id
            WHERE r.poll_id = @pollId
            """, new { pollId, showChoices });
        return TypedResults.Ok(rows
            .Select(r => new VoterDto(r.Code, r.FullName, r.Delegation, r.Voted, r.Choice is { } c ? (VoteChoice)c : null, r.Present))
            .OrderBy(v => v.Delegation, VietnameseOrder.Collation).ThenBy(v => v.FullName, VietnameseOrder.Names)
            .ToList());
    }
}

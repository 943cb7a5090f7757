using System.Security.Claims;
using CongressVote.Server.Audit;
using CongressVote.Server.Live;
using CongressVote.Server.Polls;
using CongressVote.Server.Sessions;
using CongressVote.Shared;
using Dapper;
using Microsoft.AspNetCore.Http.HttpResults;
using Npgsql;

namespace CongressVote.Server.Elections;

/// <summary>
/// Elections by secret ballot (docs/architecture.md §3): a poll of kind "election" with N seats and a candidate list. Opening,
/// closing, publishing and cancelling are the poll's own; this file holds what only elections have: candidates,
/// published ballots with receipts, runoffs and the minutes. Paper ballots are ElectionPaperApi's.
/// </summary>
public static class ElectionsApi
{
    public static IEndpointRouteBuilder MapElectionsApi(this IEndpointRouteBuilder app)
    {
        var runs = app.MapGroup("/api/elections").RequireAuthorization(p => p.RequireRole(Roles.RunsPolls.Split(',')));
        runs.MapPost("", CreateAsync);
        runs.MapPut("/{pollId:guid}", EditAsync);
        runs.MapPut("/{pollId:guid}/candidates", SetCandidatesAsync);
        runs.MapPost("/{pollId:guid}/candidates/import", ImportCandidatesAsync).DisableAntiforgery();
        runs.MapPost("/{pollId:guid}/runoff", RunoffAsync);

        app.MapGet("/api/elections/{pollId:guid}/minutes", MinutesAsync).RequireAuthorization(p => p.RequireRole(Roles.AnyStaff.Split(',')));
        // After publication every ballot is public (without its voter): any delegate checks their receipt here.
        app.MapGet("/api/elections/{pollId:guid}/ballots", BallotsAsync).RequireAuthorization();
        return app;
    }

    private static ProblemHttpResult? Validate(ElectionEditDto edit)
    {
        if (Problems.InvalidTitle(edit.Title) is { } badTitle)
        {
            return badTitle;
        }

        if (edit.Seats is < 1 or > CandidateFile.MaxCandidates)
        {
            return Problems.BadRequest("bad_seats", "An election has 1 to 500 seats.");
        }

        return Problems.InvalidCountdown(edit.CountdownSeconds) ?? Problems.InvalidRule(edit.Rule);
    }

    private static async Task<Results<Ok<PollDto>, ProblemHttpResult>> CreateAsync(
        ElectionEditDto edit, ClaimsPrincipal user, HttpContext http, NpgsqlDataSource db, CongressNotifier notifier)
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

        // Without a rule of its own, an election follows the congress's preset for elections.
        var rule = edit.Rule ?? preset.Election;
        Guid pollId = await PollStore.InsertDraftAsync(connection, transaction, congressId, edit.AgendaItemId, edit.Title.Trim(), "", secret: true, allowAbstain: false, rule);
        await connection.ExecuteAsync("""
            UPDATE poll SET kind = 'election', seats = @Seats, empty_ballot_valid = @EmptyBallotValid, countdown_seconds = @CountdownSeconds,
                            rehearsal = @Rehearsal
            WHERE id = @pollId
            """, new { edit.Seats, EmptyBallotValid = edit.EmptyBallotValid ?? true, edit.CountdownSeconds, edit.Rehearsal, pollId }, transaction);
        await AuditLog.WriteAsync(transaction, user, http, congressId, "election.create", pollId.ToString(), new { edit.Title, edit.Seats, rule, edit.Rehearsal });
        return TypedResults.Ok(await PollStore.CommitDraftAsync(connection, transaction, pollId, congressId, notifier));
    }

    private static async Task<Results<Ok<PollDto>, ProblemHttpResult>> EditAsync(
        Guid pollId, ElectionEditDto edit, ClaimsPrincipal user, HttpContext http, NpgsqlDataSource db, CongressNotifier notifier)
    {
        if (Validate(edit) is { } problem)
        {
            return problem;
        }

        Guid congressId = user.CongressId();
        await using var connection = await db.OpenConnectionAsync();
        await using var transaction = await connection.BeginTransactionAsync();
        var current = await PollQueries.FindAsync(connection, pollId, transaction);
        var rule = edit.Rule ?? current?.Rule ?? MajorityRule.MoreThanHalfOfSummoned;
        // Only a draft changes: once opened, the seats, the list and the rule are part of the record.
        int changed = await connection.ExecuteAsync("""
            UPDATE poll SET title = @title, seats = @Seats, empty_ballot_valid = @EmptyBallotValid, countdown_seconds = @CountdownSeconds,
                            rule_numerator = @Numerator, rule_denominator = @Denominator, rule_strict = @Strict,
                            rule_base = @ruleBase, rule_constant = @Constant
            WHERE id = @pollId AND congress_id = @congressId AND state = 'draft' AND kind = 'election'
            """, new
        {
            pollId, congressId, title = edit.Title.Trim(), edit.Seats, EmptyBallotValid = edit.EmptyBallotValid ?? true, edit.CountdownSeconds,
            rule.Numerator, rule.Denominator, rule.Strict, ruleBase = rule.Base.ToString(), rule.Constant,
        }, transaction);
        if (changed == 0)
        {
            return Problems.Conflict("poll_not_draft", "Only an election that has not been opened can be edited.");
        }

        await AuditLog.WriteAsync(transaction, user, http, congressId, "election.edit", pollId.ToString(), edit);
        return TypedResults.Ok(await PollStore.CommitDraftAsync(connection, transaction, pollId, congressId, notifier));
    }

    private static async Task<Results<Ok<PollDto>, BadRequest<ImportReportDto>, ProblemHttpResult>> SetCandidatesAsync(
        Guid pollId, List<CandidateEditDto> candidates, ClaimsPrincipal user, HttpContext http, NpgsqlDataSource db, CongressNotifier notifier)
    {
        var problems = candidates.SelectMany((c, i) => c is null
            ? (IReadOnlyList<ImportProblemDto>)[new ImportProblemDto(i + 1, "FullName", "required", null)]
            : CandidateFile.Validate(c, i + 1)).ToList();
        if (candidates.Count > CandidateFile.MaxCandidates)
        {
            problems.Add(new ImportProblemDto(0, "", "too_many_rows", CandidateFile.MaxCandidates.ToString(System.Globalization.CultureInfo.InvariantCulture)));
        }

        if (problems.Count > 0)
        {
            return TypedResults.BadRequest(new ImportReportDto(false, candidates.Count, 0, 0, 0, problems));
        }

        return await ReplaceCandidatesAsync(pollId, candidates.Select(c => CandidateFile.Clean(c)).ToList(), user, http, db, notifier);
    }

    private static async Task<Results<Ok<PollDto>, BadRequest<ImportReportDto>, ProblemHttpResult>> ImportCandidatesAsync(
        Guid pollId, IFormFile? file, ClaimsPrincipal user, HttpContext http, NpgsqlDataSource db, CongressNotifier notifier)
    {
        if (file is null || file.Length == 0)
        {
            return TypedResults.BadRequest(new ImportReportDto(false, 0, 0, 0, 0, [new ImportProblemDto(0, "", "file_empty", file?.FileName)]));
        }

        if (file.Length > 4 * 1024 * 1024)
        {
            return TypedResults.BadRequest(new ImportReportDto(false, 0, 0, 0, 0, [new ImportProblemDto(0, "", "file_too_large", file.FileName)]));
        }

        using var buffer = new MemoryStream();
        await file.CopyToAsync(buffer);
        var parsed = CandidateFile.Read(file.FileName, buffer.ToArray());
        if (parsed.Problems.Count > 0)
        {
            return TypedResults.BadRequest(new ImportReportDto(false, 0, 0, 0, 0, parsed.Problems));
        }

        return await ReplaceCandidatesAsync(pollId, parsed.Candidates, user, http, db, notifier);
    }

    /// <summary>The list is replaced whole, in the order given: the ballot's order is the list's.</summary>
    private static async Task<Results<Ok<PollDto>, BadRequest<ImportReportDto>, ProblemHttpResult>> ReplaceCandidatesAsync(
        Guid pollId, IReadOnlyList<CandidateEditDto> candidates, ClaimsPrincipal user, HttpContext http, NpgsqlDataSource db, CongressNotifier notifier)
    {
        Guid congressId = user.CongressId();
        await using var connection = await db.OpenConnectionAsync();
        await using var transaction = await connection.BeginTransactionAsync();
        string? state = await connection.ExecuteScalarAsync<string?>(
            "SELECT state FROM poll WHERE id = @pollId AND congress_id = @congressId AND kind = 'election' FOR UPDATE", new { pollId, congressId }, transaction);
        if (state is null)
        {
            return Problems.NotFound("unknown_poll", "There is no such election in this congress.");
        }

        if (state != "draft")
        {
            return Problems.Conflict("poll_not_draft", "The candidate list is fixed once the election has been opened.");
        }

        if (await Dossiers.IsDossierBallotAsync(connection, transaction, pollId))
        {
            return Problems.Conflict("candidates_from_dossier", "This ballot's list is the one the congress approves in its election dossier.");
        }

        await connection.ExecuteAsync("DELETE FROM candidate WHERE poll_id = @pollId", new { pollId }, transaction);
        await InsertCandidatesAsync(connection, transaction, pollId, candidates);
        await AuditLog.WriteAsync(transaction, user, http, congressId, "election.candidates", pollId.ToString(), new { count = candidates.Count, names = candidates.Select(c => c.FullName) });
        return TypedResults.Ok(await PollStore.CommitDraftAsync(connection, transaction, pollId, congressId, notifier));
    }

    /// <summary>The candidates in ballot order, positions 1, 2, 3…: one statement for the whole list.</summary>
    private static Task<int> InsertCandidatesAsync(NpgsqlConnection connection, NpgsqlTransaction transaction, Guid pollId, IReadOnlyList<CandidateEditDto> candidates) =>
        connection.ExecuteAsync("""
            INSERT INTO candidate (poll_id, position, full_name, birth_year, job_title, unit)
            SELECT @pollId, t.position, t.full_name, t.birth_year, t.job_title, t.unit
            FROM unnest(@positions, @names, @years, @titles, @units) AS t(position, full_name, birth_year, job_title, unit)
            """, new
        {
            pollId,
            positions = Enumerable.Range(1, candidates.Count).Select(i => (short)i).ToArray(),
            names = candidates.Select(c => c.FullName).ToArray(),
            years = candidates.Select(c => c.BirthYear).ToArray(),
            titles = candidates.Select(c => c.JobTitle).ToArray(),
            units = candidates.Select(c => c.Unit).ToArray(),
        }, transaction);

    private static async Task<Results<Ok<List<PublishedBallotDto>>, ProblemHttpResult>> BallotsAsync(Guid pollId, ClaimsPrincipal user, NpgsqlDataSource db)
    {
        await using var connection = await db.OpenConnectionAsync();
        string? state = await connection.ExecuteScalarAsync<string?>(
            "SELECT state FROM poll WHERE id = @pollId AND congress_id = @congressId AND kind = 'election'", new { pollId, congressId = user.CongressId() });
        if (state is null)
        {
            return Problems.NotFound("unknown_poll", "There is no such election in this congress.");
        }

        if (state != "published")
        {
            return Problems.Conflict("poll_not_published", "The ballots are listed once the result is published.");
        }

        // Sorted by receipt: the list's order says nothing about when a ballot was cast.
        var rows = await connection.QueryAsync<(string Receipt, short[] Kept)>(
            "SELECT receipt, kept FROM ballot WHERE poll_id = @pollId AND receipt IS NOT NULL ORDER BY receipt", new { pollId });
        return TypedResults.Ok(rows.Select(r => new PublishedBallotDto(r.Receipt, r.Kept.Select(k => (int)k).ToList())).ToList());
    }

    private static async Task<Results<Ok<PollDto>, ProblemHttpResult>> RunoffAsync(
        Guid pollId, RunoffRequestDto request, ClaimsPrincipal user, HttpContext http, NpgsqlDataSource db, CongressNotifier notifier)
    {
        if (Problems.InvalidTitle(request.Title) is { } badTitle)
        {
            return badTitle;
        }

        Guid congressId = user.CongressId();
        await using var connection = await db.OpenConnectionAsync();
        await using var transaction = await connection.BeginTransactionAsync();
        await connection.ExecuteAsync("SELECT 1 FROM poll WHERE id = @pollId FOR UPDATE", new { pollId }, transaction);
        var source = await PollQueries.FindAsync(connection, pollId, transaction);
        if (source is null || source.CongressId != congressId || !source.IsElection)
        {
            return Problems.NotFound("unknown_poll", "There is no such election in this congress.");
        }

        if (source.ToDto().Election is not { Verdict: Verdict.Tie or Verdict.Shortfall } result)
        {
            return Problems.Conflict("no_runoff_needed", "A runoff follows a closed election with a tie for the last seat or unfilled seats.");
        }

        if (await connection.ExecuteScalarAsync<bool>("SELECT EXISTS (SELECT 1 FROM poll WHERE runoff_of = @pollId AND state <> 'cancelled')", new { pollId }, transaction))
        {
            return Problems.Conflict("runoff_exists", "This election already has a runoff.");
        }

        // A tie is decided between the tied candidates; unfilled seats are filled from those not elected.
        var outcome = result.Verdict == Verdict.Tie ? CandidateOutcome.Tied : CandidateOutcome.NotElected;
        var names = result.Ranked.Where(r => r.Outcome == outcome).Select(r => r.Position).ToHashSet();
        var candidates = source.Candidates.Where(c => names.Contains(c.Position)).OrderBy(c => c.Position)
            .Select(c => new CandidateEditDto(c.FullName, c.BirthYear, c.JobTitle, c.Unit)).ToList();
        if (candidates.Count < ElectionCount.SeatsLeft(result))
        {
            return Problems.Conflict("runoff_not_enough_candidates",
                $"{ElectionCount.SeatsLeft(result)} seats are left and only {candidates.Count} candidates remain: nominate more and create a new election.");
        }

        Guid runoffId = await PollStore.InsertDraftAsync(connection, transaction, congressId, source.AgendaItemId, request.Title.Trim(), "", secret: true, allowAbstain: false, source.Rule);
        await connection.ExecuteAsync("""
            UPDATE poll SET kind = 'election', seats = @seats, empty_ballot_valid = @EmptyBallotValid, countdown_seconds = @CountdownSeconds, runoff_of = @pollId,
                            rehearsal = @Rehearsal
            WHERE id = @runoffId
            """, new { seats = ElectionCount.SeatsLeft(result), source.EmptyBallotValid, source.CountdownSeconds, pollId, runoffId, source.Rehearsal }, transaction);
        await InsertCandidatesAsync(connection, transaction, runoffId, candidates);
        await AuditLog.WriteAsync(transaction, user, http, congressId, "election.runoff", runoffId.ToString(), new { of = pollId, candidates = candidates.Count });
        var poll = (await PollQueries.FindAsync(connection, runoffId, transaction))!;
        await transaction.CommitAsync();
        await notifier.AgendaChangedAsync(congressId);
        return TypedResults.Ok(poll.ToDto());
    }

    private static async Task<Results<Ok<CountingMinutesDto>, ProblemHttpResult>> MinutesAsync(Guid pollId, ClaimsPrincipal user, NpgsqlDataSource db)
    {
        Guid congressId = user.CongressId();
        await using var connection = await db.OpenConnectionAsync();
        var poll = await PollQueries.FindAsync(connection, pollId);
        if (poll is null || poll.CongressId != congressId || !poll.IsElection)
        {
            return Problems.NotFound("unknown_poll", "There is no such election in this congress.");
        }

        if (poll.Rehearsal)
        {
            return Problems.Conflict("rehearsal_not_recorded", "A rehearsal is not part of the congress's record: it has no minutes.");
        }

        var row = await connection.QuerySingleAsync<(string Name, int Electronic)>("""
            SELECT (SELECT name FROM congress WHERE id = @congressId) AS name,
                   (SELECT coalesce(sum(weight), 0)::int FROM ballot WHERE poll_id = @pollId) AS electronic
            """, new { congressId, pollId });
        var committee = (await connection.QueryAsync<string>(
            "SELECT display_name FROM staff_account WHERE congress_id = @congressId AND role = 'counting' ORDER BY display_name", new { congressId }))
            .Order(VietnameseOrder.Names).ToList();
        var dto = poll.ToDto();
        int paper = dto.Election is { } e ? e.Returned - row.Electronic : 0;
        return TypedResults.Ok(new CountingMinutesDto(row.Name, dto, dto.Candidates ?? [], committee, row.Electronic, paper));
    }
}

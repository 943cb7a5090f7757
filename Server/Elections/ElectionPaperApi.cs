using System.Security.Claims;
using CongressVote.Server.Audit;
using CongressVote.Server.Sessions;
using CongressVote.Shared;
using Dapper;
using Microsoft.AspNetCore.Http.HttpResults;
using Npgsql;

namespace CongressVote.Server.Elections;

/// <summary>
/// An election's paper ballots, entered by the vote-counting committee while it is open: each ballot twice, by two
/// members, counted only when both entries agree; or a unit's totals. Until the election closes the answers carry
/// counts of ballots, never votes (docs/architecture.md §4, rule 4).
/// </summary>
public static class ElectionPaperApi
{
    public static IEndpointRouteBuilder MapElectionPaperApi(this IEndpointRouteBuilder app)
    {
        var counting = app.MapGroup("/api/elections").RequireAuthorization(p => p.RequireRole(Roles.CountsPaper.Split(',')));
        counting.MapPost("/{pollId:guid}/paper/ballots", EnterPaperBallotAsync);
        counting.MapDelete("/{pollId:guid}/paper/ballots/{ballotNo:int}", DiscardPaperBallotAsync);
        counting.MapPost("/{pollId:guid}/paper/totals", AddPaperTotalsAsync);

        app.MapGet("/api/elections/{pollId:guid}/paper", PaperAsync).RequireAuthorization(p => p.RequireRole(Roles.AnyStaff.Split(',')));
        return app;
    }

    /// <summary>Properties rather than a positional record: Dapper reports array columns as System.Array to constructors.</summary>
    private sealed class EntryRow
    {
        public int BallotNo { get; init; }

        public short Entry { get; init; }

        public short[] Kept { get; init; } = [];

        public bool Invalid { get; init; }

        public string? InvalidReason { get; init; }

        public string EnteredBy { get; init; } = "";
    }

    private static async Task<Results<Ok<PaperBallotStatusDto>, ProblemHttpResult>> EnterPaperBallotAsync(
        Guid pollId, PaperBallotDto paper, ClaimsPrincipal user, HttpContext http, NpgsqlDataSource db)
    {
        if (paper.BallotNo is < 1 or > 100_000 || paper.Kept is null)
        {
            return Problems.BadRequest("bad_paper_ballot", "A paper ballot has a number from 1 to 100,000 and the names it keeps.");
        }

        if (paper.Reason is { } reason && (!paper.Invalid || !InvalidReasons.Codes.Contains(reason)))
        {
            return Problems.BadRequest("bad_invalid_reason", "Only an invalid ballot has a reason, one of those the counting minutes list.");
        }

        Guid congressId = user.CongressId();
        string actor = user.Actor();
        await using var connection = await db.OpenConnectionAsync();
        await using var transaction = await connection.BeginTransactionAsync();
        // The election row is locked: two members entering the same ballot at once are taken one after the other.
        var poll = await LockOpenElectionAsync(connection, transaction, pollId, congressId);
        if (poll.Problem is { } refused)
        {
            return refused;
        }

        if (paper.Kept.Any(k => k < 1 || k > poll.Candidates) || paper.Kept.Distinct().Count() != paper.Kept.Count)
        {
            return Problems.BadRequest("bad_paper_ballot", "A paper ballot keeps names from the list, each once.");
        }

        var kept = paper.Kept.Order().Select(k => (short)k).ToArray();
        if (!paper.Invalid && kept.Length > poll.Seats)
        {
            return Problems.BadRequest("paper_too_many_kept", $"This ballot keeps {kept.Length} names for {poll.Seats} seats: it is invalid; enter it as invalid.");
        }

        if (!paper.Invalid && kept.Length == 0 && !poll.EmptyValid)
        {
            return Problems.BadRequest("paper_empty_not_valid", "In this election a ballot that keeps nobody is invalid; enter it as invalid.");
        }

        if (paper.Reason == "AllStruck" && poll.EmptyValid)
        {
            return Problems.BadRequest("bad_invalid_reason", "In this election a ballot that keeps nobody is valid: enter it as a valid ballot keeping no name.");
        }

        var entries = (await connection.QueryAsync<EntryRow>(
            "SELECT ballot_no, entry, kept, invalid, invalid_reason, entered_by FROM paper_ballot_entry WHERE poll_id = @pollId AND ballot_no = @BallotNo ORDER BY entry",
            new { pollId, paper.BallotNo }, transaction)).ToList();
        if (entries.Count >= 2)
        {
            return Problems.Conflict("paper_already_entered", $"Ballot {paper.BallotNo} was entered twice already; discard it to enter it again.");
        }

        if (entries.Count == 1 && entries[0].EnteredBy == actor)
        {
            return Problems.Conflict("paper_needs_second_person", $"Ballot {paper.BallotNo} must be entered the second time by another member of the committee.");
        }

        if (entries.Count == 0 && await PaperWouldExceedPresentAsync(connection, transaction, pollId, adding: 1))
        {
            return Problems.Conflict("paper_exceeds_present", "More ballots than entitled delegates present: check the ballot numbers.");
        }

        short entry = (short)(entries.Count + 1);
        string? invalidReason = paper.Reason;
        await connection.ExecuteAsync("""
            INSERT INTO paper_ballot_entry (poll_id, ballot_no, entry, kept, invalid, invalid_reason, entered_by)
            VALUES (@pollId, @BallotNo, @entry, @kept, @Invalid, @invalidReason, @actor)
            """, new { pollId, paper.BallotNo, entry, kept = paper.Invalid ? [] : kept, paper.Invalid, invalidReason, actor }, transaction);
        // Which names a paper ballot keeps is a partial result until the election closes: the trail gets it then
        // (poll.paper_record), and now only that ballot number was entered, by whom.
        await AuditLog.WriteAsync(transaction, user, http, congressId, "election.paper_ballot", pollId.ToString(), new { paper.BallotNo, entry });
        await transaction.CommitAsync();
        var all = entries.Append(new EntryRow
        {
            BallotNo = paper.BallotNo, Entry = entry, Kept = paper.Invalid ? [] : kept, Invalid = paper.Invalid, InvalidReason = invalidReason, EnteredBy = actor,
        }).ToList();
        return TypedResults.Ok(Status(all) with { Kept = null, Invalid = false });
    }

    private static async Task<Results<NoContent, ProblemHttpResult>> DiscardPaperBallotAsync(
        Guid pollId, int ballotNo, ClaimsPrincipal user, HttpContext http, NpgsqlDataSource db)
    {
        Guid congressId = user.CongressId();
        await using var connection = await db.OpenConnectionAsync();
        await using var transaction = await connection.BeginTransactionAsync();
        var poll = await LockOpenElectionAsync(connection, transaction, pollId, congressId);
        if (poll.Problem is { } refused)
        {
            return refused;
        }

        var removed = (await connection.QueryAsync<EntryRow>(
            "DELETE FROM paper_ballot_entry WHERE poll_id = @pollId AND ballot_no = @ballotNo RETURNING ballot_no, entry, kept, invalid, invalid_reason, entered_by",
            new { pollId, ballotNo }, transaction)).ToList();
        if (removed.Count == 0)
        {
            return Problems.NotFound("unknown_paper_ballot", $"Ballot {ballotNo} has not been entered.");
        }

        await AuditLog.WriteAsync(transaction, user, http, congressId, "election.paper_discard", pollId.ToString(),
            new { ballotNo, entries = removed.Select(e => new { e.Entry, e.EnteredBy }) });
        await transaction.CommitAsync();
        return TypedResults.NoContent();
    }

    private static async Task<Results<Ok<PaperSummaryDto>, ProblemHttpResult>> AddPaperTotalsAsync(
        Guid pollId, PaperTotalsDto totals, ClaimsPrincipal user, HttpContext http, NpgsqlDataSource db)
    {
        Guid congressId = user.CongressId();
        await using var connection = await db.OpenConnectionAsync();
        await using var transaction = await connection.BeginTransactionAsync();
        var poll = await LockOpenElectionAsync(connection, transaction, pollId, congressId);
        if (poll.Problem is { } refused)
        {
            return refused;
        }

        var votes = totals.Votes ?? [];
        int valid = totals.Returned - totals.Invalid;
        if (totals.Issued is < 0 or > 100_000 || totals.Returned < 0 || totals.Invalid < 0 || totals.Note?.Length > 300)
        {
            return Problems.BadRequest("bad_paper_totals", "Paper ballot counts are whole numbers.");
        }

        if (totals.Returned > totals.Issued || totals.Invalid > totals.Returned)
        {
            return Problems.BadRequest("paper_totals_inconsistent", "Ballots returned cannot exceed ballots issued, nor invalid ones the ballots returned.");
        }

        if ((votes.Count != 0 || valid > 0) && votes.Count != poll.Candidates)
        {
            return Problems.BadRequest("bad_paper_totals", $"Give one count per candidate: {poll.Candidates} counts.");
        }

        if (votes.Any(v => v < 0 || v > valid) || (long)votes.Sum(v => (long)v) > (long)valid * poll.Seats)
        {
            return Problems.BadRequest("paper_votes_exceed_valid",
                $"With {valid} valid ballots, no candidate can have more than {valid} votes, and all together at most {valid * poll.Seats}.");
        }

        // The invalid ballots by reason, when the committee gives them, account for every invalid ballot of the batch.
        var byReason = totals.InvalidByReason ?? [];
        if (byReason.Count > InvalidReasons.Codes.Count || byReason.Any(n => n < 0) || (byReason.Any(n => n > 0) && byReason.Sum(n => (long)n) != totals.Invalid))
        {
            return Problems.BadRequest("bad_invalid_reasons",
                $"The invalid ballots by reason are counts in the order {string.Join(", ", InvalidReasons.Codes)}, adding up to the {totals.Invalid} invalid ballots.");
        }

        if (await PaperWouldExceedPresentAsync(connection, transaction, pollId, totals.Returned))
        {
            return Problems.Conflict("paper_exceeds_present", "More ballots than entitled delegates present: check the counts.");
        }

        int[] stored = votes.Count == 0 ? new int[poll.Candidates] : [.. votes];
        string invalidReasons = System.Text.Json.JsonSerializer.Serialize(
            byReason.Select((n, i) => (Code: InvalidReasons.Codes[i], Count: n)).Where(r => r.Count > 0).ToDictionary(r => r.Code, r => r.Count));
        await connection.ExecuteAsync("""
            INSERT INTO paper_election_total (poll_id, issued, returned, invalid, votes, note, invalid_reasons, entered_by)
            VALUES (@pollId, @Issued, @Returned, @Invalid, @stored, @Note, @invalidReasons::jsonb, @actor)
            """, new { pollId, totals.Issued, totals.Returned, totals.Invalid, stored, totals.Note, invalidReasons, actor = user.Actor() }, transaction);
        await AuditLog.WriteAsync(transaction, user, http, congressId, "election.paper_totals", pollId.ToString(), new { totals.Issued, totals.Returned });
        var summary = await SummaryAsync(connection, transaction, pollId, poll.Candidates);
        await transaction.CommitAsync();
        // The election is open: the answer carries counts of ballots, not votes.
        return TypedResults.Ok(summary with { Ballots = summary.Ballots.Select(x => x with { Kept = null, Invalid = false }).ToList(), TotalsVotes = [] });
    }

    private static async Task<Results<Ok<PaperSummaryDto>, ProblemHttpResult>> PaperAsync(Guid pollId, ClaimsPrincipal user, NpgsqlDataSource db)
    {
        await using var connection = await db.OpenConnectionAsync();
        await using var transaction = await connection.BeginTransactionAsync();
        var poll = await connection.QuerySingleOrDefaultAsync<(int Candidates, string State)?>(
            "SELECT (SELECT count(*)::int FROM candidate c WHERE c.poll_id = p.id), p.state FROM poll p WHERE p.id = @pollId AND p.congress_id = @congressId AND p.kind = 'election'",
            new { pollId, congressId = user.CongressId() }, transaction);
        if (poll is not { } p)
        {
            return Problems.NotFound("unknown_poll", "There is no such election in this congress.");
        }

        // Until the election closes, nobody sees votes (docs/architecture.md §4, rule 4): only each paper ballot's state and who
        // entered it, and the totals' ballot counts.
        var summary = await SummaryAsync(connection, transaction, pollId, p.Candidates);
        return TypedResults.Ok(p.State is "open" or "draft"
            ? summary with { Ballots = summary.Ballots.Select(b => b with { Kept = null, Invalid = false }).ToList(), TotalsVotes = [] }
            : summary);
    }

    private static async Task<PaperSummaryDto> SummaryAsync(NpgsqlConnection connection, NpgsqlTransaction transaction, Guid pollId, int candidates)
    {
        var entries = await connection.QueryAsync<EntryRow>(
            "SELECT ballot_no, entry, kept, invalid, invalid_reason, entered_by FROM paper_ballot_entry WHERE poll_id = @pollId ORDER BY ballot_no, entry", new { pollId }, transaction);
        var ballots = entries.GroupBy(e => e.BallotNo).Select(g => Status(g.ToList())).ToList();
        var totals = (await connection.QueryAsync<(int Issued, int Returned, int Invalid, int[] Votes)>(
            "SELECT issued, returned, invalid, votes FROM paper_election_total WHERE poll_id = @pollId", new { pollId }, transaction)).ToList();
        var votes = Enumerable.Range(0, candidates).Select(i => totals.Sum(t => i < t.Votes.Length ? t.Votes[i] : 0)).ToList();
        return new PaperSummaryDto(ballots, totals.Sum(t => t.Issued), totals.Sum(t => t.Returned), totals.Sum(t => t.Invalid), votes);
    }

    private static PaperBallotStatusDto Status(List<EntryRow> entries)
    {
        var first = entries[0];
        var state = entries.Count == 1 ? PaperBallotState.Waiting
            : first.Invalid == entries[1].Invalid && first.InvalidReason == entries[1].InvalidReason && first.Kept.SequenceEqual(entries[1].Kept)
                ? PaperBallotState.Confirmed
            : PaperBallotState.Mismatch;
        return new PaperBallotStatusDto(first.BallotNo, state, entries.Select(e => e.EnteredBy).ToList(),
            state == PaperBallotState.Confirmed ? first.Kept.Select(k => (int)k).ToList() : null, state == PaperBallotState.Confirmed && first.Invalid);
    }

    private sealed record OpenElection(int Seats, int Candidates, bool EmptyValid, ProblemHttpResult? Problem);

    private static async Task<OpenElection> LockOpenElectionAsync(NpgsqlConnection connection, NpgsqlTransaction transaction, Guid pollId, Guid congressId)
    {
        var row = await connection.QuerySingleOrDefaultAsync<(string State, int Seats, bool EmptyBallotValid)?>(
            "SELECT state, seats, empty_ballot_valid FROM poll WHERE id = @pollId AND congress_id = @congressId AND kind = 'election' FOR UPDATE",
            new { pollId, congressId }, transaction);
        if (row is not { } poll)
        {
            return new OpenElection(0, 0, false, Problems.NotFound("unknown_poll", "There is no such election in this congress."));
        }

        if (poll.State != "open")
        {
            return new OpenElection(0, 0, false, Problems.Conflict("poll_not_open", "Paper ballots are entered while the election is open."));
        }

        int candidates = await connection.ExecuteScalarAsync<int>("SELECT count(*)::int FROM candidate WHERE poll_id = @pollId", new { pollId }, transaction);
        return new OpenElection(poll.Seats, candidates, poll.EmptyBallotValid, null);
    }

    /// <summary>Electronic ballots, paper ballots entered and paper totals together may not exceed the entitled delegates present.</summary>
    private static async Task<bool> PaperWouldExceedPresentAsync(NpgsqlConnection connection, NpgsqlTransaction transaction, Guid pollId, int adding)
    {
        var counts = await connection.QuerySingleAsync<(int Cast, int Present)>("""
            SELECT (SELECT coalesce(sum((SELECT r.weight FROM poll_roll r WHERE r.poll_id = v.poll_id AND r.delegate_id = v.delegate_id)), 0)::int
                    FROM poll_voter v WHERE v.poll_id = @pollId)
                       + (SELECT count(DISTINCT ballot_no)::int FROM paper_ballot_entry WHERE poll_id = @pollId)
                       + (SELECT coalesce(sum(returned), 0)::int FROM paper_election_total WHERE poll_id = @pollId) AS cast,
                   (SELECT coalesce(sum(r.weight), 0)::int FROM poll_roll r JOIN delegate d ON d.id = r.delegate_id
                    WHERE r.poll_id = @pollId AND d.checked_in_at IS NOT NULL) AS present
            """, new { pollId }, transaction);
        return counts.Cast + adding > counts.Present;
    }
}

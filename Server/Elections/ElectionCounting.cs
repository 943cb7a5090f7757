using CongressVote.Server.Polls;
using CongressVote.Shared;
using Dapper;
using Npgsql;

namespace CongressVote.Server.Elections;

/// <summary>The count of an election, used by its close and by a recount: one way to count, stored once.</summary>
public static class ElectionCounting
{
    /// <summary>
    /// Paper ballots entered once only, or whose two entries differ. Checked before a close unseals anything, so a
    /// countdown that ran out while the committee is still entering paper does not unseal every half second.
    /// </summary>
    public static Task<int> UnsettledPaperAsync(NpgsqlConnection connection, NpgsqlTransaction transaction, Guid pollId) =>
        connection.ExecuteScalarAsync<int>("""
            SELECT count(*)::int FROM (
                SELECT ballot_no FROM paper_ballot_entry WHERE poll_id = @pollId
                GROUP BY ballot_no
                HAVING count(*) < 2 OR count(DISTINCT (kept, invalid, invalid_reason)) > 1) AS unsettled
            """, new { pollId }, transaction);

    public static Refusal Unsettled(int count) => new Refusal(StatusCodes.Status409Conflict, "paper_ballots_unsettled",
        $"{count} paper {(count == 1 ? "ballot is" : "ballots are")} entered once only or with two entries that differ: settle them before closing.");

    private sealed record FiguresRow(int Electronic, int PaperReturned, int PaperInvalid, int TotalsIssued, int TotalsReturned, int TotalsInvalid, int Entitled, int Present, int Unsettled);

    /// <summary>
    /// Counts an election inside the closing (or recounting) transaction and stores the result: the minutes'
    /// figures on the poll, votes and outcome on each candidate. Refused while a paper ballot waits for its second
    /// entry or its two entries differ: nothing is counted that two people have not read alike.
    /// </summary>
    public static async Task<(ElectionResultDto? Result, Refusal? Refusal)> CountAndStoreAsync(
        NpgsqlConnection connection, NpgsqlTransaction transaction, PollQueries.PollRow poll, MajorityRule? quorum)
    {
        ArgumentNullException.ThrowIfNull(poll);
        const string confirmed = """
            confirmed AS (
                SELECT a.kept, a.invalid
                FROM paper_ballot_entry a
                JOIN paper_ballot_entry b ON b.poll_id = a.poll_id AND b.ballot_no = a.ballot_no AND b.entry = 2
                WHERE a.poll_id = @pollId AND a.entry = 1 AND a.kept = b.kept AND a.invalid = b.invalid
                  AND a.invalid_reason IS NOT DISTINCT FROM b.invalid_reason
            )
            """;
        var f = await connection.QuerySingleAsync<FiguresRow>($"""
            WITH {confirmed}
            SELECT (SELECT coalesce(sum(weight), 0)::int FROM ballot WHERE poll_id = @pollId) AS electronic,
                   (SELECT count(*)::int FROM confirmed) AS paper_returned,
                   (SELECT count(*)::int FROM confirmed WHERE invalid) AS paper_invalid,
                   (SELECT coalesce(sum(issued), 0)::int FROM paper_election_total WHERE poll_id = @pollId) AS totals_issued,
                   (SELECT coalesce(sum(returned), 0)::int FROM paper_election_total WHERE poll_id = @pollId) AS totals_returned,
                   (SELECT coalesce(sum(invalid), 0)::int FROM paper_election_total WHERE poll_id = @pollId) AS totals_invalid,
                   (SELECT coalesce(sum(weight), 0)::int FROM poll_roll WHERE poll_id = @pollId) AS entitled,
                   (SELECT coalesce(sum(weight), 0)::int FROM poll_roll WHERE poll_id = @pollId AND present_at_close) AS present,
                   (SELECT count(DISTINCT ballot_no)::int FROM paper_ballot_entry WHERE poll_id = @pollId) - (SELECT count(*)::int FROM confirmed) AS unsettled
            """, new { pollId = poll.Id }, transaction);
        if (f.Unsettled > 0)
        {
            return (null, Unsettled(f.Unsettled));
        }

        var votes = (await connection.QueryAsync<(short Position, int Votes)>($"""
            WITH {confirmed}
            SELECT c.position,
                   (SELECT coalesce(sum(b.weight), 0)::int FROM ballot b WHERE b.poll_id = c.poll_id AND c.position = ANY (b.kept))
                   + (SELECT count(*)::int FROM confirmed x WHERE NOT x.invalid AND c.position = ANY (x.kept))
                   + (SELECT coalesce(sum(t.votes[c.position]), 0)::int FROM paper_election_total t WHERE t.poll_id = c.poll_id) AS votes
            FROM candidate c WHERE c.poll_id = @pollId
            """, new { pollId = poll.Id }, transaction)).ToDictionary(v => (int)v.Position, v => v.Votes);

        // Issued: every delegate present at the close was given a ballot, on paper or on the tablet, whether or not
        // they returned it; so were those who cast one and left before the close. Paper ballots issued are those
        // the committee reported with its totals and each one entered one by one (it came back, so it was issued).
        // Counting only the ballots that came back made "issued" equal "returned" whatever the turnout.
        int paperReturned = f.PaperReturned + f.TotalsReturned;
        int invalid = f.PaperInvalid + f.TotalsInvalid;
        var figures = new ElectionFigures(
            Issued: Math.Max(f.Present, f.Electronic + f.TotalsIssued + f.PaperReturned),
            Returned: f.Electronic + paperReturned,
            Valid: f.Electronic + paperReturned - invalid,
            Invalid: invalid,
            Entitled: f.Entitled,
            Present: f.Present);
        var result = ElectionCount.Decide(poll.Seats ?? 1,
            poll.Candidates.Select(c => (new CandidateDto(c.Position, c.FullName, c.BirthYear, c.JobTitle, c.Unit), votes.GetValueOrDefault(c.Position))).ToList(),
            figures, poll.Rule, quorum);
        await connection.ExecuteAsync("""
            UPDATE poll SET issued_count = @Issued, returned_count = @Returned, valid_count = @Valid, invalid_count = @Invalid,
                            entitled_count = @Entitled, present_count = @Present, yes_count = 0, no_count = 0, abstain_count = 0,
                            passed = @passed, verdict = @verdict
            WHERE id = @pollId
            """, new { pollId = poll.Id, result.Issued, result.Returned, result.Valid, result.Invalid, result.Entitled, result.Present, passed = result.Verdict == Verdict.Passed, verdict = result.Verdict.ToString() }, transaction);
        await connection.ExecuteAsync("""
            UPDATE candidate c SET votes = t.votes, outcome = t.outcome
            FROM unnest(@positions, @counts, @outcomes) AS t(position, votes, outcome)
            WHERE c.poll_id = @pollId AND c.position = t.position
            """, new
        {
            pollId = poll.Id,
            positions = result.Ranked.Select(r => (short)r.Position).ToArray(),
            counts = result.Ranked.Select(r => r.Votes).ToArray(),
            outcomes = result.Ranked.Select(r => r.Outcome.ToString()).ToArray(),
        }, transaction);
        return (result, null);
    }
}

using System.Data;
using CongressVote.Shared;
using Dapper;

namespace CongressVote.Server.Polls;

/// <summary>Reads polls and their live counts; shared by the snapshot, the notifier and the poll endpoints.</summary>
public static class PollQueries
{
    private const string PollColumns = """
        p.id, p.congress_id, p.agenda_item_id, p.title, p.question, p.state, p.secret, p.allow_abstain,
        p.rule_numerator, p.rule_denominator, p.rule_strict, p.rule_base, p.rule_constant,
        p.opened_at, p.closed_at, p.yes_count, p.no_count, p.abstain_count, p.entitled_count, p.present_count, p.passed,
        p.allow_change, p.closes_at, p.verdict, p.kind, p.seats, p.empty_ballot_valid,
        p.issued_count, p.returned_count, p.valid_count, p.invalid_count, p.countdown_seconds, p.rehearsal
        """;

    public sealed record PollRow(
        Guid Id, Guid CongressId, Guid AgendaItemId, string Title, string Question, string State, bool Secret, bool AllowAbstain,
        int RuleNumerator, int RuleDenominator, bool RuleStrict, string RuleBase, int RuleConstant,
        DateTime? OpenedAt, DateTime? ClosedAt, int? YesCount, int? NoCount, int? AbstainCount, int? EntitledCount, int? PresentCount, bool? Passed,
        bool AllowChange, DateTime? ClosesAt, string? Verdict, string Kind, int? Seats, bool EmptyBallotValid,
        int? IssuedCount, int? ReturnedCount, int? ValidCount, int? InvalidCount, int? CountdownSeconds, bool Rehearsal)
    {
        /// <summary>An election's candidates in ballot order, with their stored votes once it closed.</summary>
        public IReadOnlyList<CandidateRow> Candidates { get; init; } = [];

        public bool IsElection => Kind == "election";

        public MajorityRule Rule => new(RuleNumerator, RuleDenominator, RuleStrict, Enum.Parse<RuleBase>(RuleBase), RuleConstant);

        public PollState PollState => Enum.Parse<PollState>(State, ignoreCase: true);

        public PollDto ToDto()
        {
            PollResultDto? result = null;
            ElectionResultDto? election = null;
            if (Passed is not null && IsElection)
            {
                // The stored votes and outcomes, never recounted here: a published result does not change.
                var figures = new ElectionFigures(IssuedCount ?? 0, ReturnedCount ?? 0, ValidCount ?? 0, InvalidCount ?? 0, EntitledCount ?? 0, PresentCount ?? 0);
                int baseCount = ElectionCount.BaseCount(Rule, figures);
                var ranked = Candidates
                    .OrderByDescending(c => c.Votes ?? 0).ThenBy(c => c.Position)
                    .Select(c => new CandidateResultDto(c.Position, c.FullName, c.Votes ?? 0, Enum.TryParse<CandidateOutcome>(c.Outcome, out var o) ? o : CandidateOutcome.NotElected))
                    .ToList();
                election = new ElectionResultDto(Seats ?? 1, figures.Issued, figures.Returned, figures.Valid, figures.Invalid, figures.Entitled, figures.Present,
                    Rule.Base, baseCount, Rule.Required(baseCount), Rule.Strict, Enum.TryParse<Verdict>(Verdict, out var ev) ? ev : Shared.Verdict.Failed, ranked);
            }
            else if (Passed is not null)
            {
                // The stored figures, re-described by the same rule that decided them.
                result = Rule.Decide(new PollFigures(YesCount ?? 0, NoCount ?? 0, AbstainCount ?? 0, EntitledCount ?? 0, PresentCount ?? 0))
                    with { Passed = Passed.Value, Verdict = Enum.TryParse<Verdict>(Verdict, out var v) ? v : (Passed.Value ? Shared.Verdict.Passed : Shared.Verdict.Failed) };
            }

            return new PollDto(Id, AgendaItemId, Title, Question, PollState, Secret, AllowAbstain, Rule,
                Utc(OpenedAt), Utc(ClosedAt), result, AllowChange, Utc(ClosesAt),
                IsElection ? PollKind.Election : PollKind.Motion, Seats, EmptyBallotValid,
                IsElection ? Candidates.Select(c => c.ToDto()).ToList() : null, election, CountdownSeconds, Rehearsal);
        }
    }

    public sealed record CandidateRow(Guid PollId, short Position, string FullName, int? BirthYear, string? JobTitle, string? Unit, int? Votes, string? Outcome)
    {
        public CandidateDto ToDto() => new(Position, FullName, BirthYear, JobTitle, Unit);
    }

    public static DateTimeOffset? Utc(DateTime? value) => value is { } v ? new DateTimeOffset(DateTime.SpecifyKind(v, DateTimeKind.Utc)) : null;

    public static async Task<PollRow?> FindAsync(IDbConnection connection, Guid pollId, IDbTransaction? transaction = null)
    {
        var poll = await connection.QuerySingleOrDefaultAsync<PollRow>($"SELECT {PollColumns} FROM poll p WHERE p.id = @pollId", new { pollId }, transaction);
        return poll is { IsElection: true } ? (await WithCandidatesAsync(connection, [poll], transaction))[0] : poll;
    }

    public static async Task<IReadOnlyList<PollRow>> ListAsync(IDbConnection connection, Guid congressId)
    {
        var polls = (await connection.QueryAsync<PollRow>(
            $"""
            SELECT {PollColumns}
            FROM poll p JOIN agenda_item a ON a.id = p.agenda_item_id
            WHERE p.congress_id = @congressId
            ORDER BY a.position, p.title
            """,
            new { congressId })).ToList();
        return polls.Any(p => p.IsElection) ? await WithCandidatesAsync(connection, polls, null) : polls;
    }

    private static async Task<IReadOnlyList<PollRow>> WithCandidatesAsync(IDbConnection connection, IReadOnlyList<PollRow> polls, IDbTransaction? transaction)
    {
        var ids = polls.Where(p => p.IsElection).Select(p => p.Id).ToArray();
        var byPoll = (await connection.QueryAsync<CandidateRow>(
            "SELECT poll_id, position, full_name, birth_year, job_title, unit, votes, outcome FROM candidate WHERE poll_id = ANY(@ids) ORDER BY position",
            new { ids }, transaction)).ToLookup(c => c.PollId);
        return polls.Select(p => p.IsElection ? p with { Candidates = byPoll[p.Id].ToList() } : p).ToList();
    }

    private sealed record TallyRow(int Entitled, int Turnout, int Yes, int No, int Abstain);

    /// <summary>
    /// Counts straight from the ballots: no counter row to contend on. The version is the turnout, which only
    /// grows while a poll is open, so a client keeps the tally with the highest version.
    /// </summary>
    public static async Task<TallyDto> TallyAsync(IDbConnection connection, PollRow poll)
    {
        ArgumentNullException.ThrowIfNull(poll);
        // Paper votes the committee entered count with the electronic ones, in the turnout and per option.
        const string sql = """
            WITH paper AS (
                SELECT coalesce(sum(yes), 0)::int AS yes, coalesce(sum(no), 0)::int AS no, coalesce(sum(abstain), 0)::int AS abstain
                FROM paper_count WHERE poll_id = @id
            )
            ,
            -- One pass over the poll's ballots for every count: this runs a few times a second during a vote.
            -- Turnout comes from the voters, not the ballots: a secret poll's ballots are sealed until it closes.
            -- Each voter's weight is looked up by the roll's whole key: a join here, planned on the statistics of
            -- a poll that has just opened (no rows yet), became a scan of the poll's roll per voter under load.
            counted AS (
                SELECT (SELECT coalesce(sum((SELECT r.weight FROM poll_roll r WHERE r.poll_id = v.poll_id AND r.delegate_id = v.delegate_id)), 0)::int
                    FROM poll_voter v WHERE v.poll_id = @id) AS turnout,
                       coalesce(sum(weight) FILTER (WHERE choice = 0), 0)::int AS yes,
                       coalesce(sum(weight) FILTER (WHERE choice = 1), 0)::int AS no,
                       coalesce(sum(weight) FILTER (WHERE choice = 2), 0)::int AS abstain
                FROM ballot WHERE poll_id = @id
            )
            SELECT
                (SELECT coalesce(sum(r.weight), 0)::int FROM poll_roll r WHERE r.poll_id = @id) AS entitled,
                c.turnout + p.yes + p.no + p.abstain AS turnout,
                c.yes + p.yes AS yes,
                c.no + p.no AS no,
                c.abstain + p.abstain AS abstain
            FROM counted c, paper p
            """;
        var row = await connection.QuerySingleAsync<TallyRow>(sql, new { id = poll.Id });
        // Until a secret poll closes nobody sees anything but turnout, and a cancelled one never shows more
        // (docs/architecture.md, invariant 4). An election's counts are per candidate and live in its stored
        // result, never in a live tally.
        bool hideCounts = poll.IsElection || (poll.Secret && poll.PollState is not (PollState.Closed or PollState.Published));
        return new TallyDto(poll.Id, row.Turnout, row.Turnout, row.Entitled, hideCounts ? null : [row.Yes, row.No, row.Abstain]);
    }
}

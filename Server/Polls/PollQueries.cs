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
        p.allow_change, p.closes_at, p.verdict
        """;

    public sealed record PollRow(
        Guid Id, Guid CongressId, Guid AgendaItemId, string Title, string Question, string State, bool Secret, bool AllowAbstain,
        int RuleNumerator, int RuleDenominator, bool RuleStrict, string RuleBase, int RuleConstant,
        DateTime? OpenedAt, DateTime? ClosedAt, int? YesCount, int? NoCount, int? AbstainCount, int? EntitledCount, int? PresentCount, bool? Passed,
        bool AllowChange, DateTime? ClosesAt, string? Verdict)
    {
        public MajorityRule Rule => new(RuleNumerator, RuleDenominator, RuleStrict, Enum.Parse<RuleBase>(RuleBase), RuleConstant);

        public PollState PollState => Enum.Parse<PollState>(State, ignoreCase: true);

        public PollDto ToDto()
        {
            PollResultDto? result = null;
            if (Passed is not null)
            {
                // The stored figures, re-described by the same rule that decided them.
                result = Rule.Decide(new PollFigures(YesCount ?? 0, NoCount ?? 0, AbstainCount ?? 0, EntitledCount ?? 0, PresentCount ?? 0))
                    with { Passed = Passed.Value, Verdict = Enum.TryParse<Verdict>(Verdict, out var v) ? v : (Passed.Value ? Shared.Verdict.Passed : Shared.Verdict.Failed) };
            }

            return new PollDto(Id, AgendaItemId, Title, Question, PollState, Secret, AllowAbstain, Rule,
                Utc(OpenedAt), Utc(ClosedAt), result, AllowChange, Utc(ClosesAt));
        }
    }

    public static DateTimeOffset? Utc(DateTime? value) => value is { } v ? new DateTimeOffset(DateTime.SpecifyKind(v, DateTimeKind.Utc)) : null;

    public static Task<PollRow?> FindAsync(IDbConnection connection, Guid pollId, IDbTransaction? transaction = null) =>
        connection.QuerySingleOrDefaultAsync<PollRow>($"SELECT {PollColumns} FROM poll p WHERE p.id = @pollId", new { pollId }, transaction);

    public static async Task<IReadOnlyList<PollRow>> ListAsync(IDbConnection connection, Guid congressId) =>
        (await connection.QueryAsync<PollRow>(
            $"""
            SELECT {PollColumns}
            FROM poll p JOIN agenda_item a ON a.id = p.agenda_item_id
            WHERE p.congress_id = @congressId
            ORDER BY a.position, p.title
            """,
            new { congressId })).ToList();

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
            SELECT
                (SELECT coalesce(sum(r.weight), 0)::int FROM poll_roll r WHERE r.poll_id = @id) AS entitled,
                (SELECT coalesce(sum(b.weight), 0)::int FROM ballot b WHERE b.poll_id = @id) + (SELECT yes + no + abstain FROM paper) AS turnout,
                (SELECT coalesce(sum(b.weight), 0)::int FROM ballot b WHERE b.poll_id = @id AND b.choice = 0) + (SELECT yes FROM paper) AS yes,
                (SELECT coalesce(sum(b.weight), 0)::int FROM ballot b WHERE b.poll_id = @id AND b.choice = 1) + (SELECT no FROM paper) AS no,
                (SELECT coalesce(sum(b.weight), 0)::int FROM ballot b WHERE b.poll_id = @id AND b.choice = 2) + (SELECT abstain FROM paper) AS abstain
            """;
        var row = await connection.QuerySingleAsync<TallyRow>(sql, new { id = poll.Id });
        // Until a secret poll closes nobody sees anything but turnout (design.md §4, rule 4).
        bool hideCounts = poll.Secret && poll.PollState is PollState.Draft or PollState.Open;
        return new TallyDto(poll.Id, row.Turnout, row.Turnout, row.Entitled, hideCounts ? null : [row.Yes, row.No, row.Abstain]);
    }
}

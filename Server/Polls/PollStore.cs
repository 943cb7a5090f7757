using CongressVote.Server.Live;
using CongressVote.Shared;
using Dapper;
using Npgsql;

namespace CongressVote.Server.Polls;

/// <summary>SQL about polls that several features share: drafting a poll, a congress's rules, a motion's figures.</summary>
public static class PollStore
{
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

    /// <summary>
    /// Commits a change to a draft (a motion or an election made, edited, its candidates set) and tells every screen
    /// the agenda changed; the answer is the poll as stored.
    /// </summary>
    public static async Task<PollDto> CommitDraftAsync(NpgsqlConnection connection, NpgsqlTransaction transaction, Guid pollId, Guid congressId, CongressNotifier notifier)
    {
        ArgumentNullException.ThrowIfNull(transaction);
        ArgumentNullException.ThrowIfNull(notifier);
        var poll = (await PollQueries.FindAsync(connection, pollId, transaction))!.ToDto();
        await transaction.CommitAsync();
        await notifier.AgendaChangedAsync(congressId);
        return poll;
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

    /// <summary>Why a transition found the poll in the wrong state: unknown here, or open/closed/... already.</summary>
    public static async Task<Refusal> StateRefusalAsync(NpgsqlConnection connection, NpgsqlTransaction transaction, Guid pollId, Guid congressId, string verb)
    {
        ArgumentNullException.ThrowIfNull(connection);
        string? state = await connection.ExecuteScalarAsync<string?>(
            "SELECT state FROM poll WHERE id = @pollId AND congress_id = @congressId", new { pollId, congressId }, transaction);
        return state is null
            ? new Refusal(StatusCodes.Status404NotFound, "unknown_poll", "There is no such poll in this congress.")
            : new Refusal(StatusCodes.Status409Conflict, $"poll_{state}", $"The poll is {state} and cannot be {verb}.");
    }
}

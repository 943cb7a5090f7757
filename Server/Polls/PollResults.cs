using CongressVote.Server.Audit;
using CongressVote.Server.Elections;
using CongressVote.Server.Live;
using CongressVote.Shared;
using Dapper;
using Npgsql;

namespace CongressVote.Server.Polls;

/// <summary>
/// What happens to a result after close, for motions and elections alike: publishing it, and counting it again
/// (a recount, with the figures before and after on the record). Each step is a conditional update or a locked
/// row, audited in its transaction, pushed to every screen after the commit.
/// </summary>
public sealed class PollResults(NpgsqlDataSource db, CongressNotifier notifier)
{
    public async Task<(PollDto? Poll, Refusal? Refusal)> PublishAsync(Guid pollId, Guid congressId, string actor, HttpContext? http)
    {
        await using var connection = await db.OpenConnectionAsync();
        await using var transaction = await connection.BeginTransactionAsync();
        int changed = await connection.ExecuteAsync(
            "UPDATE poll SET state = 'published', published_at = now() WHERE id = @pollId AND congress_id = @congressId AND state = 'closed'",
            new { pollId, congressId }, transaction);
        if (changed == 0)
        {
            return (null, NotClosed("Only a closed vote can be published."));
        }

        await AuditLog.WriteAsync(transaction, actor, http, congressId, "poll.publish", pollId.ToString());
        return (await CommitAndPushAsync(connection, transaction, pollId, congressId), null);
    }

    /// <summary>
    /// Counts a closed or published vote again from the stored ballots and paper counts, by the same count as close
    /// (<see cref="PollCounting"/>, <see cref="ElectionCounting"/>). The figures before and after are kept side by
    /// side, so a correction is on the record rather than an edit.
    /// </summary>
    public async Task<(PollDto? Poll, Refusal? Refusal)> RecountAsync(Guid pollId, Guid congressId, string actor, HttpContext? http, string reason)
    {
        await using var connection = await db.OpenConnectionAsync();
        await using var transaction = await connection.BeginTransactionAsync();
        var before = await PollQueries.FindAsync(connection, pollId, transaction);
        if (before is null || before.CongressId != congressId || before.PollState is not (PollState.Closed or PollState.Published))
        {
            return (null, NotClosed("Only a closed vote can be recounted."));
        }

        await connection.ExecuteAsync("SELECT 1 FROM poll WHERE id = @pollId FOR UPDATE", new { pollId }, transaction);
        string preset = await connection.ExecuteScalarAsync<string>("SELECT preset FROM congress WHERE id = @congressId", new { congressId }, transaction) ?? "";
        var quorum = CongressPreset.ByKey(preset).Quorum;
        var refusal = before.IsElection
            ? await RecountElectionAsync(connection, transaction, before, quorum, actor, http, reason)
            : await RecountMotionAsync(connection, transaction, before, quorum, actor, http, reason);
        return refusal is not null ? (null, refusal) : (await CommitAndPushAsync(connection, transaction, pollId, congressId), null);
    }

    private static async Task<Refusal?> RecountMotionAsync(
        NpgsqlConnection connection, NpgsqlTransaction transaction, PollQueries.PollRow before, MajorityRule? quorum, string actor, HttpContext? http, string reason)
    {
        var old = before.ToDto().Result!;
        var result = await PollCounting.CountMotionAsync(connection, transaction, before, quorum);
        await connection.ExecuteAsync("""
            INSERT INTO poll_recount (poll_id, actor, reason, yes_before, no_before, abstain_before, verdict_before, yes_after, no_after, abstain_after, verdict_after)
            VALUES (@pollId, @actor, @reason, @yesBefore, @noBefore, @abstainBefore, @verdictBefore, @Yes, @No, @Abstain, @verdictAfter)
            """, new
        {
            pollId = before.Id, actor, reason,
            yesBefore = old.Yes, noBefore = old.No, abstainBefore = old.Abstain, verdictBefore = old.Verdict.ToString(),
            result.Yes, result.No, result.Abstain, verdictAfter = result.Verdict.ToString(),
        }, transaction);
        await AuditLog.WriteAsync(transaction, actor, http, before.CongressId, "poll.recount", before.Id.ToString(),
            new { reason, before = new { old.Yes, old.No, old.Abstain }, after = new { result.Yes, result.No, result.Abstain } });
        return null;
    }

    /// <summary>An election counted again from its stored ballots and paper records; before and after go to the audit trail.</summary>
    private static async Task<Refusal?> RecountElectionAsync(
        NpgsqlConnection connection, NpgsqlTransaction transaction, PollQueries.PollRow before, MajorityRule? quorum, string actor, HttpContext? http, string reason)
    {
        var old = before.ToDto().Election!;
        var (result, refused) = await ElectionCounting.CountAndStoreAsync(connection, transaction, before, quorum);
        if (refused is not null)
        {
            return refused;
        }

        static object Figures(ElectionResultDto r) => new { r.Valid, r.Invalid, r.Verdict, votes = r.Ranked.OrderBy(c => c.Position).Select(c => c.Votes) };
        await AuditLog.WriteAsync(transaction, actor, http, before.CongressId, "poll.recount", before.Id.ToString(),
            new { reason, before = Figures(old), after = Figures(result!) });
        return null;
    }

    private async Task<PollDto> CommitAndPushAsync(NpgsqlConnection connection, NpgsqlTransaction transaction, Guid pollId, Guid congressId)
    {
        var poll = (await PollQueries.FindAsync(connection, pollId, transaction))!.ToDto();
        await transaction.CommitAsync();
        await notifier.PollChangedAsync(congressId, poll);
        return poll;
    }

    private static Refusal NotClosed(string detail) => new(StatusCodes.Status409Conflict, "poll_not_closed", detail);
}

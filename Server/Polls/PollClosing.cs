using CongressVote.Server.Audit;
using CongressVote.Server.Elections;
using CongressVote.Server.Live;
using CongressVote.Shared;
using Dapper;
using Npgsql;

namespace CongressVote.Server.Polls;

/// <summary>
/// Ending a poll: the close that counts it (from the console or when its countdown runs out) and the cancel that
/// does not. Both are conditional on the poll's state, audited in the same transaction, and both end a secret
/// poll's sealed storage: a close unseals its ballots into plain ones, a cancel deletes them unread, and either
/// way the key is destroyed once the transaction committed.
/// </summary>
public sealed class PollClosing(
    NpgsqlDataSource db, SecretBallots secrets, BallotRules rules, AuditSeal audit, CongressNotifier notifier, Operations.Backups backups, ILogger<PollClosing> logger)
{
    public async Task<(PollDto? Poll, Refusal? Refusal)> CloseAsync(Guid pollId, Guid congressId, string actor, HttpContext? http)
    {
        await using var connection = await db.OpenConnectionAsync();
        await using var transaction = await connection.BeginTransactionAsync();
        // FOR UPDATE waits for any batch of ballots holding the poll FOR SHARE to commit, so all are counted below;
        // a second close waits here too, then finds the poll no longer open.
        Guid? locked = await connection.ExecuteScalarAsync<Guid?>(
            "SELECT id FROM poll WHERE id = @pollId AND congress_id = @congressId AND state = 'open' FOR UPDATE",
            new { pollId, congressId }, transaction);
        if (locked is null)
        {
            return (null, await PollStore.StateRefusalAsync(connection, transaction, pollId, congressId, "closed"));
        }

        await connection.ExecuteAsync("""
            UPDATE poll_roll r SET present_at_close = (d.checked_in_at IS NOT NULL)
            FROM delegate d
            WHERE r.poll_id = @pollId AND d.id = r.delegate_id
            """, new { pollId }, transaction);
        var poll = (await PollQueries.FindAsync(connection, pollId, transaction))!;
        if (poll.IsElection && await ElectionCounting.UnsettledPaperAsync(connection, transaction, pollId) is > 0 and var unsettled)
        {
            return (null, ElectionCounting.Unsettled(unsettled));
        }

        if (poll.Secret)
        {
            try
            {
                await secrets.UnsealIntoBallotsAsync(connection, transaction, pollId, poll.IsElection);
            }
            catch (SecretKeyMissingException ex)
            {
                logger.LogError(ex, "Secret poll {PollId} cannot be closed without its key", pollId);
                return (null, new Refusal(StatusCodes.Status409Conflict, "secret_key_missing", ex.Message));
            }
        }

        string preset = await connection.ExecuteScalarAsync<string>("SELECT preset FROM congress WHERE id = @congressId", new { congressId }, transaction) ?? "";
        var quorum = CongressPreset.ByKey(preset).Quorum;
        object auditDetail;
        if (poll.IsElection)
        {
            var (election, refused) = await ElectionCounting.CountAndStoreAsync(connection, transaction, poll, quorum);
            if (refused is not null)
            {
                return (null, refused);
            }

            auditDetail = new { election!.Issued, election.Returned, election.Valid, election.Invalid, election.Verdict, elected = election.Ranked.Where(r => r.Outcome == CandidateOutcome.Elected).Select(r => r.FullName) };
        }
        else
        {
            var result = await PollCounting.CountMotionAsync(connection, transaction, poll, quorum);
            auditDetail = new { result.Yes, result.No, result.Abstain, result.Entitled, result.Present, result.Passed };
        }

        await connection.ExecuteAsync("UPDATE poll SET state = 'closed', closed_at = now() WHERE id = @pollId AND state = 'open'", new { pollId }, transaction);
        if (poll.Secret)
        {
            // While a secret poll was open its paper entries reached the trail without their contents; now they may.
            await AuditLog.WriteAsync(transaction, actor, http, congressId, "poll.paper_record", pollId.ToString(), await PaperRecordAsync(connection, transaction, pollId));
        }

        await AuditLog.WriteAsync(transaction, actor, http, congressId, "poll.close", pollId.ToString(), auditDetail);
        poll = (await PollQueries.FindAsync(connection, pollId, transaction))!;
        await transaction.CommitAsync();
        Forget(poll);
        await AnchorAsync();
        backups.Request($"the close of \"{poll.Title}\"");

        var dto = poll.ToDto();
        await notifier.PollChangedAsync(congressId, dto);
        return (dto, null);
    }

    public async Task<(PollDto? Poll, Refusal? Refusal)> CancelAsync(Guid pollId, Guid congressId, string actor, HttpContext? http, string reason)
    {
        await using var connection = await db.OpenConnectionAsync();
        await using var transaction = await connection.BeginTransactionAsync();
        // A batch of ballots holding the poll FOR SHARE commits first. A named vote's ballots are kept, not counted;
        // a secret vote's sealed ballots are deleted unread, and its key destroyed after the commit.
        int changed = await connection.ExecuteAsync("""
            UPDATE poll SET state = 'cancelled', cancelled_at = now(), cancel_reason = @reason
            WHERE id = @pollId AND congress_id = @congressId AND state IN ('draft', 'open')
            """, new { pollId, congressId, reason }, transaction);
        if (changed == 0)
        {
            return (null, new Refusal(StatusCodes.Status409Conflict, "poll_not_cancellable", "Only a vote not yet closed can be cancelled."));
        }

        await connection.ExecuteAsync("DELETE FROM sealed_ballot WHERE poll_id = @pollId", new { pollId }, transaction);
        await AuditLog.WriteAsync(transaction, actor, http, congressId, "poll.cancel", pollId.ToString(), new { reason });
        var poll = (await PollQueries.FindAsync(connection, pollId, transaction))!;
        await transaction.CommitAsync();
        Forget(poll);

        var dto = poll.ToDto();
        await notifier.PollChangedAsync(congressId, dto);
        return (dto, null);
    }

    /// <summary>
    /// Every close moves the audit anchor outside the database, so what was decided cannot be quietly cut off. The
    /// close has committed by now: a failure here is logged (the periodic anchor tries again), never an error.
    /// </summary>
    private async Task AnchorAsync()
    {
        try
        {
            await audit.AnchorAsync();
        }
        catch (Exception ex) when (ex is IOException or NpgsqlException or UnauthorizedAccessException)
        {
            logger.LogWarning(ex, "Could not anchor the audit trail after a close; the next periodic anchor will");
        }
    }

    private void Forget(PollQueries.PollRow poll)
    {
        rules.Forget(poll.Id);
        if (poll.Secret)
        {
            secrets.DestroyKey(poll.Id);
        }
    }

    /// <summary>Every paper entry of a secret poll, for the trail at close: counts of a motion, ballots and totals of an election.</summary>
    private static async Task<object> PaperRecordAsync(NpgsqlConnection connection, NpgsqlTransaction transaction, Guid pollId)
    {
        var counts = await connection.QueryAsync<(int Yes, int No, int Abstain, string? Note, string EnteredBy)>(
            "SELECT yes, no, abstain, note, entered_by FROM paper_count WHERE poll_id = @pollId ORDER BY id", new { pollId }, transaction);
        var ballots = await connection.QueryAsync<(int BallotNo, short Entry, short[] Kept, bool Invalid, string? Reason, string EnteredBy)>(
            "SELECT ballot_no, entry, kept, invalid, invalid_reason, entered_by FROM paper_ballot_entry WHERE poll_id = @pollId ORDER BY ballot_no, entry",
            new { pollId }, transaction);
        var totals = await connection.QueryAsync<(int Issued, int Returned, int Invalid, int[] Votes, string Reasons, string EnteredBy)>(
            "SELECT issued, returned, invalid, votes, invalid_reasons::text, entered_by FROM paper_election_total WHERE poll_id = @pollId ORDER BY id",
            new { pollId }, transaction);
        return new
        {
            counts = counts.Select(c => new { c.Yes, c.No, c.Abstain, c.Note, c.EnteredBy }),
            ballots = ballots.Select(b => new { b.BallotNo, b.Entry, b.Kept, b.Invalid, b.Reason, b.EnteredBy }),
            totals = totals.Select(t => new { t.Issued, t.Returned, t.Invalid, t.Votes, InvalidReasons = System.Text.Json.JsonSerializer.Deserialize<Dictionary<string, int>>(t.Reasons), t.EnteredBy }),
        };
    }
}

using System.Threading.Channels;
using CongressVote.Server.Live;
using CongressVote.Shared;
using Dapper;
using Npgsql;

namespace CongressVote.Server.Polls;

/// <summary>
/// Stores ballots with group commit: casts that arrive together are written in one transaction, and each caller
/// is answered only after that transaction committed (docs/architecture.md §4, rule 2). One commit per batch instead of one
/// per ballot is what lets a 2-core node take thousands of durable ballots a second.
/// </summary>
public sealed class BallotBox(NpgsqlDataSource db, BallotRules rules, SecretBallots secrets, CongressNotifier notifier, LiveTallies tallies, ILogger<BallotBox> logger) : BackgroundService
{
    private const int MaxBatch = 256;
    /// <summary>
    /// Two writers: while one batch commits, the next gathers. More writers make smaller batches, and each batch
    /// costs a transaction and an fsync whatever its size.
    /// </summary>
    private const int Writers = 2;

    /// <summary>
    /// How long a writer waits, once it has a ballot, for others to join the batch (less when the batch fills). A
    /// transaction, its commit's flush to disk above all, costs about the same whether it carries 3 ballots or 40:
    /// with 2,000 ballots a second arriving one by one, batches of two or three cost twice the CPU per ballot of a
    /// 10,000 burst, whose batches fill by themselves. Measured in a 2,000 burst, server, PostgreSQL and generator
    /// together: 0.6 ms per ballot without waiting or at 5 ms, 0.47 at 10 ms, 0.40 at 20 ms (docs/benchmarks.md).
    /// A delegate does not see 20 ms.
    /// </summary>
    private static readonly TimeSpan Linger = TimeSpan.FromMilliseconds(20);

    private readonly Channel<PendingCast> _queue = Channel.CreateBounded<PendingCast>(
        new BoundedChannelOptions(50_000) { SingleWriter = false, SingleReader = false, FullMode = BoundedChannelFullMode.Wait });

    /// <summary>A cast waiting for its batch. A secret ballot travels sealed: its choice never reaches the database.</summary>
    private sealed record PendingCast(Guid CongressId, Guid DelegateId, Guid SessionId, CastRequest Request, bool Checked, byte[]? Sealed, TaskCompletionSource<CastResult> Answer);

    private sealed record Outcome(int Idx, string? State, bool Expired, bool CanChange, bool Entitled, bool SessionActive, bool Present, Guid? CastKey, DateTime? CastAt);

    public async Task<CastResult> CastAsync(Guid congressId, Guid delegateId, Guid sessionId, CastRequest request, CancellationToken cancellationToken)
    {
        long start = System.Diagnostics.Stopwatch.GetTimestamp();
        var result = await CheckAndQueueAsync(congressId, delegateId, sessionId, request, cancellationToken);
        Operations.CongressMetrics.CastDuration.Record(System.Diagnostics.Stopwatch.GetElapsedTime(start).TotalMilliseconds);
        Operations.CongressMetrics.Ballots.Add(1, new KeyValuePair<string, object?>("outcome", result.Status.ToString()));
        return result;
    }

    private async Task<CastResult> CheckAndQueueAsync(Guid congressId, Guid delegateId, Guid sessionId, CastRequest request, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(request);
        if (request.Key == Guid.Empty)
        {
            // A key is what makes a retry safe; a missing one cannot be told apart from a second vote.
            return new CastResult(CastStatus.InvalidChoice);
        }

        if (!Enum.IsDefined(request.Choice))
        {
            return new CastResult(CastStatus.InvalidChoice);
        }

        // A ballot is checked here against the open poll's rules; one for a poll that is not open goes to the
        // database unchecked, which stores nothing and tells why (closed, unknown, already voted).
        var poll = await rules.OfAsync(request.PollId);
        byte[]? sealedBallot = null;
        if (poll is not null)
        {
            if (BallotRules.Refusal(poll, request) is { } refusal)
            {
                return new CastResult(refusal);
            }

            if (poll.Secret)
            {
                if (secrets.KeyOf(poll.Id) is { } key)
                {
                    sealedBallot = SecretBallots.Seal(key, poll.Id, request);
                }
                else
                {
                    // Closed meanwhile (its key destroyed), or the keys folder is missing here: the database, given the
                    // ballot unchecked, stores nothing and says which.
                    logger.LogWarning("Secret poll {PollId} has no key on this node", poll.Id);
                    poll = null;
                }
            }
        }

        var pending = new PendingCast(congressId, delegateId, sessionId, request, poll is not null, sealedBallot, new TaskCompletionSource<CastResult>(TaskCreationOptions.RunContinuationsAsynchronously));
        try
        {
            await _queue.Writer.WriteAsync(pending, cancellationToken);
        }
        catch (ChannelClosedException)
        {
            // Shutting down: nothing was stored; the tablet resends the same key to the next node or after restart.
            return new CastResult(CastStatus.NotRecorded);
        }

        // Once queued, the answer comes from the database; the caller leaving does not un-store a ballot.
        return await pending.Answer.Task;
    }

    public override async Task StopAsync(CancellationToken cancellationToken)
    {
        // Graceful shutdown: take no new ballots, finish the queued ones, then stop.
        _queue.Writer.TryComplete();
        await base.StopAsync(cancellationToken);
    }

    protected override Task ExecuteAsync(CancellationToken stoppingToken) =>
        Task.WhenAll(Enumerable.Range(0, Writers).Select(_ => Task.Run(WriteLoopAsync, CancellationToken.None)));

    private async Task WriteLoopAsync()
    {
        var batch = new List<PendingCast>(MaxBatch);
        // Each writer keeps one connection for itself. A pooled connection per batch lands on whichever of the pool's
        // connections is free, and the batch statement, a join of eight tables, is planned afresh on each of them:
        // profiled, that planning was most of PostgreSQL's CPU in a 2,000-ballot burst. On its own connection the
        // statement stays prepared, and its plan is reused once PostgreSQL settles on a generic one.
        NpgsqlConnection? connection = null;
        try
        {
            while (await _queue.Reader.WaitToReadAsync())
            {
                connection = await WriteNextBatchAsync(batch, connection);
            }
        }
        finally
        {
            if (connection is not null)
            {
                await connection.DisposeAsync();
            }
        }
    }

    /// <summary>Takes up to a batch from the queue, stores it and answers each caller; returns the connection to keep.</summary>
    private async Task<NpgsqlConnection?> WriteNextBatchAsync(List<PendingCast> batch, NpgsqlConnection? connection)
    {
        batch.Clear();
        while (batch.Count < MaxBatch && _queue.Reader.TryRead(out var pending))
        {
            batch.Add(pending);
        }

        if (batch.Count == 0)
        {
            return connection;
        }

        if (batch.Count < MaxBatch)
        {
            await GatherAsync(batch);
        }

        Operations.CongressMetrics.BatchSize.Record(batch.Count);
        try
        {
            connection ??= await db.OpenConnectionAsync();
            var results = await WriteBatchAsync(connection, batch);
            for (int i = 0; i < batch.Count; i++)
            {
                batch[i].Answer.TrySetResult(results[i]);
            }

            return connection;
        }
        catch (Exception ex)
        {
            logger.LogError(ex, "A batch of {Count} ballots was not stored; the tablets will resend them", batch.Count);
            foreach (var pending in batch)
            {
                pending.Answer.TrySetResult(new CastResult(CastStatus.NotRecorded));
            }

            // The connection may be what failed (the database restarted): the next batch opens another.
            if (connection is not null)
            {
                await connection.DisposeAsync();
            }

            return null;
        }
    }

    /// <summary>Ballots that arrive a few milliseconds apart join one batch instead of each paying for a transaction.</summary>
    private async Task GatherAsync(List<PendingCast> batch)
    {
        long until = Environment.TickCount64 + (long)Linger.TotalMilliseconds;
        while (batch.Count < MaxBatch && Environment.TickCount64 < until)
        {
            using var wait = new CancellationTokenSource(TimeSpan.FromMilliseconds(Math.Max(1, until - Environment.TickCount64)));
            try
            {
                if (!await _queue.Reader.WaitToReadAsync(wait.Token))
                {
                    return; // shutting down: what is queued already is in the batch or the next
                }
            }
            catch (OperationCanceledException)
            {
                return;
            }

            while (batch.Count < MaxBatch && _queue.Reader.TryRead(out var pending))
            {
                batch.Add(pending);
            }
        }
    }

    private async Task<CastResult[]> WriteBatchAsync(NpgsqlConnection connection, List<PendingCast> batch)
    {
        int n = batch.Count;
        var idx = new int[n];
        var congressIds = new Guid[n];
        var pollIds = new Guid[n];
        var delegateIds = new Guid[n];
        var actingIds = new Guid[n];
        var sessionIds = new Guid[n];
        var keys = new Guid[n];
        var choices = new short[n];
        var ballotIds = new Guid[n];
        var kepts = new string?[n];
        var receipts = new string?[n];
        var checks = new bool[n];
        var sealeds = new byte[]?[n];
        for (int i = 0; i < n; i++)
        {
            var p = batch[i];
            idx[i] = i;
            congressIds[i] = p.CongressId;
            pollIds[i] = p.Request.PollId;
            // The voter is the delegate the ballot counts for; the acting delegate is the one on this tablet.
            delegateIds[i] = p.Request.OnBehalfOf ?? p.DelegateId;
            actingIds[i] = p.DelegateId;
            sessionIds[i] = p.SessionId;
            keys[i] = p.Request.Key;
            ballotIds[i] = Guid.NewGuid(); // random (v4): a ballot id says nothing about when or by whom
            checks[i] = p.Checked;
            sealeds[i] = p.Sealed;
            if (p.Sealed is null)
            {
                choices[i] = (short)p.Request.Choice;
                // An election ballot travels as "3,7,12" (positions kept, sorted) so one unnest carries every kind of ballot.
                kepts[i] = p.Request.Kept is { } kept ? string.Join(',', kept.Order()) : null;
                receipts[i] = p.Request.Kept is null ? null : p.Request.Receipt;
            }
        }

        // The poll row is locked FOR SHARE, so a concurrent close waits for this batch to commit and then
        // counts it, and a batch that arrives after the close finds the poll closed. Only the first cast of a
        // delegate in the batch is tried; the rest are answered from what got stored.
        const string votersSql = """
            WITH input AS (
                SELECT DISTINCT ON (poll_id, delegate_id) *
                FROM unnest(@idx, @congressIds, @pollIds, @delegateIds, @actingIds, @sessionIds, @keys, @ballotIds, @checks, @isSealed)
                    AS t(idx, congress_id, poll_id, delegate_id, acting_id, session_id, cast_key, ballot_id, checked, is_sealed)
                ORDER BY poll_id, delegate_id, idx
            ),
            open_poll AS (
                SELECT p.id, p.secret
                FROM poll p
                -- A countdown that ran out ends voting at once, even before the close has been written (an election
                -- waiting for its paper ballots to be settled stays open, but takes no more electronic ballots).
                WHERE p.id IN (SELECT poll_id FROM input) AND p.state = 'open' AND (p.closes_at IS NULL OR p.closes_at > now())
                FOR SHARE
            )
            INSERT INTO poll_voter (poll_id, delegate_id, cast_key, ballot_id, cast_by)
            SELECT i.poll_id, i.delegate_id, i.cast_key, CASE WHEN p.secret THEN NULL ELSE i.ballot_id END,
                   NULLIF(i.acting_id, i.delegate_id)
            FROM input i
            JOIN open_poll p ON p.id = i.poll_id
            JOIN poll_roll r ON r.poll_id = i.poll_id AND r.delegate_id = i.delegate_id
            JOIN poll pc ON pc.id = i.poll_id AND pc.congress_id = i.congress_id
            -- The tablet's session belongs to the delegate acting: themself, or the holder of a proxy.
            JOIN delegate_session s ON s.id = i.session_id AND s.delegate_id = i.acting_id AND s.ended_at IS NULL
            -- Where tablets follow the door, a delegate who checked out does not vote until back in the hall.
            JOIN delegate d ON d.id = i.acting_id
            JOIN congress c ON c.id = i.congress_id AND (d.checked_in_at IS NOT NULL OR NOT c.login_requires_check_in)
            -- The ballot's form was checked against the open poll's rules (BallotRules); a secret poll takes
            -- only sealed ballots and a named one only plain ones.
            WHERE i.checked AND p.secret = i.is_sealed
              AND (i.acting_id = i.delegate_id OR (
                    c.allow_proxy
                    AND EXISTS (SELECT 1 FROM proxy x WHERE x.grantor_id = i.delegate_id AND x.holder_id = i.acting_id)
                    AND NOT r.present_at_open
                    AND (SELECT g.checked_in_at FROM delegate g WHERE g.id = i.delegate_id) IS NULL))
            ON CONFLICT (poll_id, delegate_id) DO NOTHING
            RETURNING poll_id, delegate_id, cast_key, cast_at
            """;

        // The ballots of the voters just written, in the same transaction, each with its voter's weight from the
        // roll. A second statement rather than more of the first: there, joining the inserted voters back to the
        // batch was a join of two intermediate results PostgreSQL could not size, planned as a loop over one inside
        // the other, whose cost grew with the square of the batch. Ballots are inserted in random order so their
        // physical order does not follow the order of the voters.
        const string ballotsSql = """
            WITH plain AS (
                INSERT INTO ballot (poll_id, id, choice, weight, kept, receipt)
                SELECT i.poll_id, i.ballot_id, i.choice, r.weight, string_to_array(i.kept_text, ',')::smallint[], i.receipt
                FROM unnest(@plainPolls, @plainDelegates, @plainBallots, @plainChoices, @plainKepts, @plainReceipts)
                    AS i(poll_id, delegate_id, ballot_id, choice, kept_text, receipt)
                JOIN poll_roll r ON r.poll_id = i.poll_id AND r.delegate_id = i.delegate_id
                ORDER BY i.ballot_id
                RETURNING id, weight
            ),
            sealed AS (
                INSERT INTO sealed_ballot (poll_id, id, weight, sealed)
                SELECT i.poll_id, i.ballot_id, r.weight, i.sealed
                FROM unnest(@sealedPolls, @sealedDelegates, @sealedBallots, @sealedPayloads) AS i(poll_id, delegate_id, ballot_id, sealed)
                JOIN poll_roll r ON r.poll_id = i.poll_id AND r.delegate_id = i.delegate_id
                ORDER BY i.ballot_id
                RETURNING id, weight
            )
            SELECT id, weight FROM plain UNION ALL SELECT id, weight FROM sealed
            """;

        const string outcomeSql = """
            SELECT i.idx, p.state, coalesce(p.closes_at <= now(), false) AS expired, coalesce(p.allow_change AND NOT p.secret, false) AS can_change,
                   (r.delegate_id IS NOT NULL AND (i.acting_id = i.delegate_id OR (
                        coalesce(c.allow_proxy, false)
                        AND EXISTS (SELECT 1 FROM proxy x WHERE x.grantor_id = i.delegate_id AND x.holder_id = i.acting_id)
                        AND NOT r.present_at_open
                        AND (SELECT g.checked_in_at FROM delegate g WHERE g.id = i.delegate_id) IS NULL))) AS entitled,
                   (s.id IS NOT NULL) AS session_active,
                   (d.checked_in_at IS NOT NULL OR NOT coalesce(c.login_requires_check_in, true)) AS present, v.cast_key, v.cast_at
            FROM unnest(@idx, @congressIds, @pollIds, @delegateIds, @actingIds, @sessionIds) AS i(idx, congress_id, poll_id, delegate_id, acting_id, session_id)
            LEFT JOIN delegate_session s ON s.id = i.session_id AND s.delegate_id = i.acting_id AND s.ended_at IS NULL
            LEFT JOIN delegate d ON d.id = i.acting_id
            LEFT JOIN congress c ON c.id = i.congress_id
            LEFT JOIN poll p ON p.id = i.poll_id AND p.congress_id = i.congress_id
            LEFT JOIN poll_roll r ON r.poll_id = i.poll_id AND r.delegate_id = i.delegate_id
            LEFT JOIN poll_voter v ON v.poll_id = i.poll_id AND v.delegate_id = i.delegate_id
            """;

        var isSealed = sealeds.Select(b => b is not null).ToArray();
        await using var transaction = await connection.BeginTransactionAsync();
        var voters = await connection.QueryAsync<(Guid PollId, Guid DelegateId, Guid CastKey, DateTime CastAt)>(votersSql,
            new { idx, congressIds, pollIds, delegateIds, actingIds, sessionIds, keys, ballotIds, checks, isSealed }, transaction);

        // Each voter written is the batch's first cast of that delegate on that poll with that key.
        var firstCast = new Dictionary<(Guid, Guid, Guid), int>();
        for (int i = n - 1; i >= 0; i--)
        {
            firstCast[(pollIds[i], delegateIds[i], keys[i])] = i;
        }

        var written = voters.Select(v => (Idx: firstCast[(v.PollId, v.DelegateId, v.CastKey)], v.CastAt)).ToList();
        var plain = written.Where(w => sealeds[w.Idx] is null).Select(w => w.Idx).ToArray();
        var sealedOnes = written.Where(w => sealeds[w.Idx] is not null).Select(w => w.Idx).ToArray();
        var weights = written.Count == 0 ? [] : (await connection.QueryAsync<(Guid Id, int Weight)>(ballotsSql, new
        {
            plainPolls = plain.Select(i => pollIds[i]).ToArray(),
            plainDelegates = plain.Select(i => delegateIds[i]).ToArray(),
            plainBallots = plain.Select(i => ballotIds[i]).ToArray(),
            // A motion's ballot carries its choice; an election's the positions kept, "3,7,12".
            plainChoices = plain.Select(i => kepts[i] is null ? choices[i] : (short?)null).ToArray(),
            plainKepts = plain.Select(i => kepts[i]).ToArray(),
            plainReceipts = plain.Select(i => receipts[i]).ToArray(),
            sealedPolls = sealedOnes.Select(i => pollIds[i]).ToArray(),
            sealedDelegates = sealedOnes.Select(i => delegateIds[i]).ToArray(),
            sealedBallots = sealedOnes.Select(i => ballotIds[i]).ToArray(),
            sealedPayloads = sealedOnes.Select(i => sealeds[i]!).ToArray(),
        }, transaction)).ToDictionary(b => b.Id, b => b.Weight);
        var stored = written.ToDictionary(w => w.Idx, w => (w.Idx, w.CastAt, Weight: weights[ballotIds[w.Idx]]));
        var touchedPolls = stored.Keys.Select(i => pollIds[i]).Distinct().ToList();

        // Usually every ballot of a batch is stored and the answers are known. Only the others are looked at again,
        // to tell a retry from a second vote, a closed poll from a checked-out delegate.
        var rest = Enumerable.Range(0, n).Where(i => !stored.ContainsKey(i)).ToArray();
        var outcomes = rest.Length == 0
            ? []
            : (await connection.QueryAsync<Outcome>(outcomeSql, new
            {
                idx = rest,
                congressIds = rest.Select(i => congressIds[i]).ToArray(),
                pollIds = rest.Select(i => pollIds[i]).ToArray(),
                delegateIds = rest.Select(i => delegateIds[i]).ToArray(),
                actingIds = rest.Select(i => actingIds[i]).ToArray(),
                sessionIds = rest.Select(i => sessionIds[i]).ToArray(),
            }, transaction)).ToDictionary(o => o.Idx);

        // A named vote that allows it: a new key from a delegate who voted replaces their choice, until close.
        var changes = outcomes.Values
            .Where(o => o.CanChange && o.State == "open" && !o.Expired && o.Entitled && o.SessionActive && o.Present && o.CastKey is { } k && k != keys[o.Idx])
            .Where(o => checks[o.Idx] && sealeds[o.Idx] is null)
            .Select(o => o.Idx).ToArray();
        var changedAt = new Dictionary<int, DateTime>();
        if (changes.Length > 0)
        {
            var changed = await connection.QueryAsync<(int Idx, DateTime CastAt)>("""
                WITH input AS (
                    SELECT * FROM unnest(@changeIdx, @changePolls, @changeDelegates, @changeKeys, @changeChoices)
                        AS t(idx, poll_id, delegate_id, cast_key, choice)
                ),
                voter AS (
                    UPDATE poll_voter v SET cast_key = i.cast_key, cast_at = now()
                    FROM input i
                    WHERE v.poll_id = i.poll_id AND v.delegate_id = i.delegate_id
                    RETURNING i.idx, v.poll_id, v.ballot_id, i.choice, v.cast_at
                ),
                ballot_changed AS (
                    UPDATE ballot b SET choice = voter.choice FROM voter WHERE b.poll_id = voter.poll_id AND b.id = voter.ballot_id
                    RETURNING b.id
                )
                SELECT idx, cast_at FROM voter
                """, new
            {
                changeIdx = changes,
                changePolls = changes.Select(i => pollIds[i]).ToArray(),
                changeDelegates = changes.Select(i => delegateIds[i]).ToArray(),
                changeKeys = changes.Select(i => keys[i]).ToArray(),
                changeChoices = changes.Select(i => choices[i]).ToArray(),
            }, transaction);
            foreach (var (changedIdx, castAt) in changed)
            {
                changedAt[changedIdx] = castAt;
                touchedPolls.Add(pollIds[changedIdx]);
            }
        }

        using (await tallies.HoldAsync(touchedPolls))
        {
            await transaction.CommitAsync();
            foreach (var (i, (_, _, weight)) in stored)
            {
                // A motion's named ballot adds to its option; a sealed ballot or an election's list adds to turnout only.
                tallies.Add(pollIds[i], weight, sealeds[i] is null && kepts[i] is null ? (VoteChoice)choices[i] : null);
            }

            // The choice a changed vote replaced is not known here: that poll's next tally is counted in the database.
            // Said after the commit, so a recount that takes it into account reads the change.
            foreach (int i in changedAt.Keys)
            {
                tallies.Stale(pollIds[i]);
            }
        }

        foreach (var pollId in touchedPolls.Distinct())
        {
            notifier.BallotsStored(pollId);
        }

        var results = new CastResult[n];
        for (int i = 0; i < n; i++)
        {
            results[i] = stored.TryGetValue(i, out var row) ? new CastResult(CastStatus.Recorded, new DateTimeOffset(row.CastAt, TimeSpan.Zero))
                : changedAt.TryGetValue(i, out var at) ? new CastResult(CastStatus.Recorded, new DateTimeOffset(at, TimeSpan.Zero))
                : Classify(batch[i].Request, outcomes[i]);
        }

        return results;
    }

    private static CastResult Classify(CastRequest request, Outcome o)
    {
        if (o.State is null)
        {
            return new CastResult(CastStatus.UnknownPoll);
        }

        if (o.CastKey is { } key)
        {
            // Same key: a retry of a stored ballot gets the same answer. Another key: the delegate voted already.
            var at = o.CastAt is { } t ? new DateTimeOffset(t, TimeSpan.Zero) : (DateTimeOffset?)null;
            return key == request.Key ? new CastResult(CastStatus.Recorded, at) : new CastResult(CastStatus.AlreadyVoted, at);
        }

        if (!o.SessionActive)
        {
            // The tablet was signed out by staff (a lost tablet, or the badge moved to another device).
            return new CastResult(CastStatus.SessionEnded);
        }

        if (o.State != "open" || o.Expired)
        {
            return new CastResult(CastStatus.PollNotOpen);
        }

        if (!o.Entitled)
        {
            return new CastResult(CastStatus.NotEntitled);
        }

        if (!o.Present)
        {
            return new CastResult(CastStatus.NotPresent);
        }

        // Open, entitled and present, yet not stored: the ballot went unchecked (the poll opened meanwhile, or a
        // secret poll's key is missing on this node). Nothing was stored; the same key may be sent again.
        return new CastResult(CastStatus.NotRecorded);
    }
}

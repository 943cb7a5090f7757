using CongressVote.Server.Polls;
using CongressVote.Shared;
using Dapper;
using Npgsql;

namespace CongressVote.Server.Live;

/// <summary>
/// The whole state a client needs after (re)connecting. After a restart every tablet asks at once: without a limit,
/// 2,000 of them held all of the pool's connections for six queries each, ballots and the health check waited, and
/// after the pool's timeout hundreds of snapshots failed. Reads beyond <see cref="ReadersAtOnce"/> wait in memory.
/// </summary>
public sealed class CongressSnapshots(NpgsqlDataSource db, LiveTallies tallies) : IDisposable
{
    /// <summary>Enough to keep two cores busy; the rest of the pool stays free for ballots, staff and the health check.</summary>
    public const int ReadersAtOnce = 8;

    private readonly SemaphoreSlim _readers = new(ReadersAtOnce);

    public void Dispose() => _readers.Dispose();

    private sealed record CongressRow(string Name, Guid? CurrentItemId, DateOnly StartsOn, string ProjectorScene, string? ProjectorMessage, string ProjectorLanguage, long ProjectorVersion, long? EmblemVersion, bool? MayVote);

    private sealed record MyBallotRow(DateTime CastAt, short? Choice);

    public async Task<CongressSnapshotDto> ReadAsync(Guid congressId, Guid? delegateId, CancellationToken cancellationToken = default)
    {
        // A tablet that went away while waiting does not cost a read.
        await _readers.WaitAsync(cancellationToken);
        try
        {
            return await ReadNowAsync(congressId, delegateId);
        }
        finally
        {
            _readers.Release();
        }
    }

    private async Task<CongressSnapshotDto> ReadNowAsync(Guid congressId, Guid? delegateId)
    {
        await using var connection = await db.OpenConnectionAsync();
        var congress = await connection.QuerySingleAsync<CongressRow>("""
            SELECT c.name, c.current_item_id, c.starts_on, c.projector_scene, c.projector_message, c.projector_language, c.projector_version,
                   c.emblem_version, (SELECT d.may_vote FROM delegate d WHERE d.id = @delegateId) AS may_vote
            FROM congress c WHERE c.id = @congressId
            """, new { congressId, delegateId });
        var agenda = (await connection.QueryAsync<AgendaItemDto>(
            "SELECT id, position, title, kind, presenter, planned_time, parent_id FROM agenda_item WHERE congress_id = @congressId ORDER BY position",
            new { congressId })).ToList();
        var polls = await PollQueries.ListAsync(connection, congressId);

        // The poll the hall is looking at: the open one, else the latest closed one of the current item.
        var current = polls.FirstOrDefault(p => p.PollState == PollState.Open)
            ?? polls.Where(p => p.AgendaItemId == congress.CurrentItemId && p.ClosedAt is not null)
                .MaxBy(p => p.ClosedAt);

        TallyDto? tally = null;
        MyBallotDto? myBallot = null;
        if (current is not null)
        {
            // From the live tallies: an open poll's as the hall screen has it, a closed one's counted once for
            // every tablet asking (docs/benchmarks.md, the reconnect storm).
            tally = (await tallies.CurrentAsync(current.Id, CancellationToken.None))?.Tally;
            if (delegateId is { } id)
            {
                var mine = await connection.QuerySingleOrDefaultAsync<MyBallotRow>("""
                    SELECT v.cast_at, b.choice
                    FROM poll_voter v LEFT JOIN ballot b ON b.poll_id = v.poll_id AND b.id = v.ballot_id
                    WHERE v.poll_id = @pollId AND v.delegate_id = @id
                    """, new { pollId = current.Id, id });
                if (mine is not null)
                {
                    myBallot = new MyBallotDto(current.Id, (VoteChoice?)mine.Choice, PollQueries.Utc(mine.CastAt)!.Value);
                }
            }
        }

        // A tablet holding proxies sees the absent delegates it may vote for, and what it cast for them.
        List<ProxyVoteDto>? proxies = null;
        if (delegateId is { } holder)
        {
            proxies = (await connection.QueryAsync<(Guid GrantorId, string FullName, bool Voted, short? Choice)>("""
                SELECT g.id AS grantor_id, g.full_name, v.delegate_id IS NOT NULL AS voted, b.choice
                FROM proxy x
                JOIN congress c ON c.id = x.congress_id AND c.allow_proxy
                JOIN delegate g ON g.id = x.grantor_id
                LEFT JOIN poll_voter v ON v.poll_id = @pollId AND v.delegate_id = g.id
                LEFT JOIN ballot b ON b.poll_id = v.poll_id AND b.id = v.ballot_id
                WHERE x.holder_id = @holder
                """, new { holder, pollId = current?.Id ?? Guid.Empty }))
                .Select(p => new ProxyVoteDto(p.GrantorId, p.FullName, p.Voted, (VoteChoice?)p.Choice)).ToList();
        }

        // Screens show attendance; a tablet has no use for it, and every tablet asks for a snapshot on reconnect,
        // so its two counting queries run for screens only.
        var attendance = delegateId is null ? await CheckIn.AttendanceQueries.ReadAsync(connection, congressId) : null;
        return new CongressSnapshotDto(congressId, congress.Name, attendance?.Summoned ?? tally?.Entitled ?? 0, congress.CurrentItemId, agenda,
            polls.Select(p => p.ToDto()).ToList(), current?.ToDto(), tally, myBallot, attendance,
            await Agenda.SpeakerList.CurrentAsync(connection, congressId), proxies,
            Projector.ProjectorStates.Of(congress.ProjectorScene, congress.ProjectorMessage, congress.ProjectorLanguage, congress.ProjectorVersion, congress.EmblemVersion), congress.StartsOn,
            MayVote: congress.MayVote ?? true);
    }
}

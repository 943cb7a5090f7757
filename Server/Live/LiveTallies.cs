using System.Collections.Concurrent;
using System.Diagnostics;
using CongressVote.Server.Polls;
using CongressVote.Shared;
using Npgsql;

namespace CongressVote.Server.Live;

/// <summary>
/// The live tally of each open poll, kept in memory from the ballots this node stores, so that a burst costs no
/// counting query per push. PostgreSQL stays the truth: a poll is recounted there when it is first shown, after
/// anything other than a new ballot changed it (a changed vote, paper counts, opening or closing), at least every
/// <see cref="RecountEvery"/> while ballots arrive (which brings in other nodes' ballots), and once more when they
/// stop, so the figure the hall ends up looking at was read from the database.
/// A recount and the commit of a batch exclude each other per poll: the batches a recount sees are exactly those
/// whose increments it replaces, so no ballot is counted twice or missed. Batches do not exclude each other: the
/// ballot box's two writers keep committing side by side, which is what lets PostgreSQL flush their commits together.
/// </summary>
public sealed class LiveTallies(NpgsqlDataSource db, ILogger<LiveTallies> logger)
{
    public static readonly TimeSpan RecountEvery = TimeSpan.FromSeconds(2);

    [System.Diagnostics.CodeAnalysis.SuppressMessage("Reliability", "CA1001", Justification = "A SemaphoreSlim whose wait handle is never asked for holds nothing to dispose.")]
    private sealed class Entry
    {
        // Held by a recount; a batch takes it only for a moment, to count itself in.
        public readonly SemaphoreSlim Gate = new(1, 1);
        // Batches between their commit and their increments: a recount waits until there are none.
        public int Committing;
        // Null until the poll has been counted in the database once.
        public PollQueries.PollRow? Poll;
        public int Entitled, Turnout, Yes, No, Abstain;
        public long RecountedAt;
        // Changes other than new ballots (a changed vote, paper counts, opening, closing), and how many of them the
        // last recount had seen. Counted rather than flagged, so a change during a recount is not cleared by it.
        public long Changes = 1, ChangesCounted;
        // Whether the last figure sent was added up here rather than read from the database.
        public bool FromMemory;
        public long LastBallotAt;
        // The last tally read from the database: a closed poll's, served again until something changes it.
        public TallyDto? Counted;
    }

    private readonly ConcurrentDictionary<Guid, Entry> _polls = new();

    private Entry Of(Guid pollId) => _polls.GetOrAdd(pollId, _ => new Entry());

    /// <summary>
    /// Held by a batch of ballots from before its commit until its increments are added, so a recount cannot fall
    /// between the two. A batch holds a poll's gate only to count itself in, and takes polls in a fixed order.
    /// </summary>
    public async Task<IDisposable> HoldAsync(IEnumerable<Guid> pollIds)
    {
        var entries = pollIds.Distinct().Order().Select(Of).ToList();
        foreach (var entry in entries)
        {
            await entry.Gate.WaitAsync();
            Interlocked.Increment(ref entry.Committing);
            entry.Gate.Release();
        }

        return new Release(entries);
    }

    private sealed class Release(List<Entry> entries) : IDisposable
    {
        public void Dispose()
        {
            foreach (var entry in entries)
            {
                Interlocked.Decrement(ref entry.Committing);
            }
        }
    }

    /// <summary>A ballot this node stored (under <see cref="HoldAsync"/>); the option only for a named motion.</summary>
    public void Add(Guid pollId, int weight, VoteChoice? choice)
    {
        var entry = Of(pollId);
        lock (entry)
        {
            entry.Turnout += weight;
            switch (choice)
            {
                case VoteChoice.Yes: entry.Yes += weight; break;
                case VoteChoice.No: entry.No += weight; break;
                case VoteChoice.Abstain: entry.Abstain += weight; break;
            }

            entry.LastBallotAt = Stopwatch.GetTimestamp();
        }
    }

    /// <summary>Something other than a new ballot changed the poll: its next tally is read from the database.</summary>
    public void Stale(Guid pollId) => Interlocked.Increment(ref Of(pollId).Changes);

    /// <summary>Makes the poll's next tally a recount, as its interval would; unlike <see cref="Stale"/> it keeps the check of memory against the database.</summary>
    public void RecountSoon(Guid pollId)
    {
        var entry = Of(pollId);
        lock (entry)
        {
            entry.RecountedAt = 0;
        }
    }

    /// <summary>Polls whose last figure was added up here and that have had no ballot for a while: due a recount.</summary>
    public IEnumerable<Guid> QuietSince(TimeSpan quiet) => _polls
        .Where(p => p.Value.FromMemory && Stopwatch.GetElapsedTime(Volatile.Read(ref p.Value.LastBallotAt)) > quiet)
        .Select(p => p.Key);

    /// <summary>The tally to push, and the congress it belongs to; null for a poll that no longer exists.</summary>
    public async Task<(Guid CongressId, TallyDto Tally)?> CurrentAsync(Guid pollId, CancellationToken cancellationToken)
    {
        var entry = Of(pollId);
        lock (entry)
        {
            if (entry.Poll is { State: "open" } poll && Volatile.Read(ref entry.Changes) == entry.ChangesCounted && Stopwatch.GetElapsedTime(entry.RecountedAt) < RecountEvery)
            {
                entry.FromMemory = true;
                // An open poll: an election's counts are per candidate and a secret one shows turnout only.
                bool hideCounts = poll.IsElection || poll.Secret;
                return (poll.CongressId, new TallyDto(pollId, entry.Turnout, entry.Turnout, entry.Entitled,
                    hideCounts ? null : [entry.Yes, entry.No, entry.Abstain]));
            }

            if (ClosedAndCounted(entry) is { } closed)
            {
                return closed;
            }
        }

        return await RecountAsync(pollId, entry, cancellationToken);
    }

    /// <summary>
    /// A closed poll's tally as last read from the database, when nothing changed it since on this node and it was
    /// read within <see cref="RecountEvery"/> (the bound, as for an open poll, on what another node changed). After a
    /// restart every tablet asks for a snapshot with the current poll's tally: read once, not two thousand times.
    /// </summary>
    private static (Guid CongressId, TallyDto Tally)? ClosedAndCounted(Entry entry) =>
        entry is { Poll: { State: not "open" } poll, Counted: { } counted }
            && Volatile.Read(ref entry.Changes) == entry.ChangesCounted && Stopwatch.GetElapsedTime(entry.RecountedAt) < RecountEvery
            ? (poll.CongressId, counted)
            : null;

    private async Task<(Guid CongressId, TallyDto Tally)?> RecountAsync(Guid pollId, Entry entry, CancellationToken cancellationToken)
    {
        await entry.Gate.WaitAsync(cancellationToken);
        try
        {
            // No new batch counts itself in now; those already in commit within milliseconds.
            while (Volatile.Read(ref entry.Committing) > 0)
            {
                await Task.Delay(1, cancellationToken);
            }

            lock (entry)
            {
                // Counted by the reader this one waited behind.
                if (ClosedAndCounted(entry) is { } closed)
                {
                    return closed;
                }
            }

            long changes = Volatile.Read(ref entry.Changes);
            await using var connection = await db.OpenConnectionAsync(cancellationToken);
            var poll = await PollQueries.FindAsync(connection, pollId);
            if (poll is null)
            {
                _polls.TryRemove(pollId, out _);
                return null;
            }

            var tally = await PollQueries.TallyAsync(connection, poll);
            lock (entry)
            {
                // Nothing but this node's ballots changed the poll since the last recount, so the figure added up here
                // should be the database's, less other nodes' ballots. More than the database means a ballot counted twice.
                if (entry.FromMemory && changes == entry.ChangesCounted && entry.Turnout > tally.Turnout)
                {
                    logger.LogError("The live tally of poll {PollId} showed {Memory} votes where the database has {Database}", pollId, entry.Turnout, tally.Turnout);
                }

                // The counts per option are hidden for a secret poll and an election; only turnout is added up for those.
                entry.Poll = poll;
                (entry.Entitled, entry.Turnout) = (tally.Entitled, tally.Turnout);
                (entry.Yes, entry.No, entry.Abstain) = tally.Counts is [var yes, var no, var abstain] ? (yes, no, abstain) : (0, 0, 0);
                entry.ChangesCounted = changes;
                entry.FromMemory = false;
                entry.RecountedAt = Stopwatch.GetTimestamp();
                entry.Counted = tally;
            }

            return (poll.CongressId, tally);
        }
        finally
        {
            entry.Gate.Release();
        }
    }
}

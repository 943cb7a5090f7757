using System.Collections.Concurrent;
using CongressVote.Shared;
using Dapper;
using Npgsql;

namespace CongressVote.Server.Polls;

/// <summary>
/// What a well-formed ballot of an open poll is: the one place that decides it, for named and secret polls
/// alike (a secret ballot reaches the database sealed, so the database cannot check it). Once a poll is open
/// its kind, seats, candidates and options are fixed, so each node reads them once per poll.
/// </summary>
public sealed class BallotRules(NpgsqlDataSource db)
{
    public sealed record OpenPoll(Guid Id, bool Secret, bool Election, int Seats, bool AllowAbstain, bool EmptyBallotValid, HashSet<short> Positions);

    private sealed record Row(string State, bool Secret, string Kind, int? Seats, bool AllowAbstain, bool EmptyBallotValid, string? Positions);

    private readonly ConcurrentDictionary<Guid, OpenPoll> _open = new();
    private readonly ConcurrentDictionary<Guid, Task<OpenPoll?>> _loading = new();

    /// <summary>The rules of an open poll; null when the poll is unknown or not open (the database then refuses).</summary>
    public async Task<OpenPoll?> OfAsync(Guid pollId)
    {
        if (_open.TryGetValue(pollId, out var known))
        {
            return known;
        }

        // A burst's first ballots arrive together: they wait for one read, not one read each.
        var loading = _loading.GetOrAdd(pollId, LoadAsync);
        try
        {
            return await loading;
        }
        finally
        {
            _loading.TryRemove(new KeyValuePair<Guid, Task<OpenPoll?>>(pollId, loading));
        }
    }

    private async Task<OpenPoll?> LoadAsync(Guid pollId)
    {
        await using var connection = await db.OpenConnectionAsync();
        var row = await connection.QuerySingleOrDefaultAsync<Row>("""
            SELECT p.state, p.secret, p.kind, p.seats, p.allow_abstain, p.empty_ballot_valid,
                   (SELECT string_agg(c.position::text, ',') FROM candidate c WHERE c.poll_id = p.id) AS positions
            FROM poll p WHERE p.id = @pollId
            """, new { pollId });
        if (row is not { State: "open" })
        {
            return null;
        }

        var rules = new OpenPoll(pollId, row.Secret, row.Kind == "election", row.Seats ?? 1, row.AllowAbstain, row.EmptyBallotValid,
            [.. (row.Positions ?? "").Split(',', StringSplitOptions.RemoveEmptyEntries).Select(p => short.Parse(p, System.Globalization.CultureInfo.InvariantCulture))]);
        _open[pollId] = rules;
        return rules;
    }

    /// <summary>Drops what this node remembers of a poll that closed or was cancelled.</summary>
    public void Forget(Guid pollId) => _open.TryRemove(pollId, out _);

    /// <summary>Why a ballot is not one this poll admits, or null when it is.</summary>
    public static CastStatus? Refusal(OpenPoll poll, CastRequest request)
    {
        ArgumentNullException.ThrowIfNull(poll);
        ArgumentNullException.ThrowIfNull(request);
        if (!poll.Election)
        {
            if (request.Kept is not null || request.Receipt is not null)
            {
                return CastStatus.InvalidBallot;
            }

            return request.Choice == VoteChoice.Abstain && !poll.AllowAbstain ? CastStatus.InvalidChoice : null;
        }

        // An election ballot: names from the list, each once, at most as many as seats, empty only where valid.
        if (request.Kept is not { } kept || !Receipts.IsValid(request.Receipt))
        {
            return CastStatus.InvalidBallot;
        }

        bool wellFormed = kept.Count <= poll.Seats
            && (kept.Count > 0 || poll.EmptyBallotValid)
            && kept.All(k => k is > 0 and <= short.MaxValue && poll.Positions.Contains((short)k))
            && kept.Distinct().Count() == kept.Count;
        return wellFormed ? null : CastStatus.InvalidBallot;
    }
}

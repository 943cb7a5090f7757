using System.Collections.Concurrent;
using CongressVote.Shared;
using Microsoft.AspNetCore.SignalR;
using Npgsql;

namespace CongressVote.Server.Live;

/// <summary>
/// The one place that pushes to clients, so an HTTP action and a hub action notify the same way. Tallies are
/// coalesced: a ballot only marks its poll dirty, and a few times a second each dirty poll's tally (added up in
/// memory, recounted in the database when due: <see cref="LiveTallies"/>) is sent once to the screens, however many
/// ballots arrived meanwhile.
/// </summary>
public sealed class CongressNotifier(
    NpgsqlDataSource db,
    LiveTallies tallies,
    IHubContext<CongressHub, ICongressClient> hub,
    ConnectionRegistry connections,
    BackplaneState backplane,
    ILogger<CongressNotifier> logger) : BackgroundService
{
    private volatile bool _resynchronise;
    private int _resynchroniseAgain;
    private DateTime _lastResynchronised;

    private static readonly TimeSpan s_tallyInterval = TimeSpan.FromMilliseconds(150);
    // The value is when the poll first went stale since its last push, for the tally-lag metric.
    private readonly ConcurrentDictionary<Guid, long> _dirtyPolls = new();
    private readonly ConcurrentDictionary<Guid, byte> _dirtyAttendance = new();

    public static string CongressGroup(Guid congressId) => $"congress:{congressId}";

    /// <summary>Consoles and projectors: the screens that show live tallies. Tablets get poll changes only.</summary>
    public static string ScreensGroup(Guid congressId) => $"screens:{congressId}";

    /// <summary>Ballots this node stored, already added to the poll's live tally.</summary>
    public void BallotsStored(Guid pollId) => _dirtyPolls.TryAdd(pollId, System.Diagnostics.Stopwatch.GetTimestamp());

    /// <summary>Anything else that changes a poll's figures: its next tally is counted in the database.</summary>
    public void TallyMayHaveChanged(Guid pollId)
    {
        tallies.Stale(pollId);
        BallotsStored(pollId);
    }

    public Task AgendaChangedAsync(Guid congressId) => SendAsync(() => hub.Clients.Group(CongressGroup(congressId)).AgendaChanged());

    /// <summary>Only the screens that draw the projector (the hall screen and the consoles' preview) hear of it.</summary>
    public Task ProjectorChangedAsync(Guid congressId, ProjectorStateDto projector) =>
        SendAsync(() => hub.Clients.Group(ScreensGroup(congressId)).ProjectorChanged(projector));

    public Task DossierChangedAsync(Guid congressId, DossierDto dossier) =>
        SendAsync(() => hub.Clients.Group(CongressGroup(congressId)).DossierChanged(dossier));

    public Task SpeakersChangedAsync(Guid congressId, IReadOnlyList<SpeechDto> speakers) =>
        SendAsync(() => hub.Clients.Group(CongressGroup(congressId)).SpeakersChanged(speakers));

    public void AttendanceMayHaveChanged(Guid congressId) => _dirtyAttendance.TryAdd(congressId, 0);

    /// <summary>Tells a tablet its session ended, and closes its live connections on this node.</summary>
    public async Task SessionEndedAsync(Guid sessionId)
    {
        await SendAsync(() => hub.Clients.Group(SessionGroup(sessionId)).SessionEnded());
        connections.AbortSession(sessionId);
    }

    public static string SessionGroup(Guid sessionId) => $"session:{sessionId}";

    /// <summary>Closes a staff account's live connections on this node; other nodes refuse the cookie at its next use.</summary>
    public Task StaffSessionsEndedAsync(Guid staffId)
    {
        connections.AbortStaff(staffId);
        return Task.CompletedTask;
    }

    public async Task PollChangedAsync(Guid congressId, PollDto poll)
    {
        await SendAsync(() => hub.Clients.Group(CongressGroup(congressId)).PollChanged(poll));
        TallyMayHaveChanged(poll.Id);
    }

    /// <summary>
    /// A push is sent after the change committed; if it cannot go out (the backplane is down) the change still
    /// stands, so the failure is logged and every client is told to resynchronise once the backplane is back.
    /// </summary>
    private async Task SendAsync(Func<Task> send)
    {
        try
        {
            await send();
        }
        catch (Exception ex) when (ex is not OperationCanceledException)
        {
            logger.LogWarning(ex, "A live push failed (backplane {State}); clients will resynchronise", backplane.Describe());
            _resynchronise = true;
        }
    }

    protected override async Task ExecuteAsync(CancellationToken stoppingToken)
    {
        // Redis reports its two links (commands, subscriptions) coming back separately: resynchronise now and twice
        // more a second apart, so a push sent before the subscriptions were back is not the last word.
        backplane.Restored += () =>
        {
            _resynchronise = true;
            Volatile.Write(ref _resynchroniseAgain, 2);
        };
        using var timer = new PeriodicTimer(s_tallyInterval);
        try
        {
            while (await timer.WaitForNextTickAsync(stoppingToken))
            {
                if (!_resynchronise && Volatile.Read(ref _resynchroniseAgain) > 0 && DateTime.UtcNow - _lastResynchronised > TimeSpan.FromSeconds(1))
                {
                    Interlocked.Decrement(ref _resynchroniseAgain);
                    _resynchronise = true;
                }

                if (_resynchronise && backplane.Describe() != "disconnected")
                {
                    _resynchronise = false;
                    _lastResynchronised = DateTime.UtcNow;
                    await ResynchroniseAsync(stoppingToken);
                }

                // Once ballots stop, the figure added up in memory is replaced by the database's (and checked against it).
                foreach (var pollId in tallies.QuietSince(s_tallyInterval))
                {
                    tallies.RecountSoon(pollId);
                    BallotsStored(pollId);
                }

                foreach (var pollId in _dirtyPolls.Keys)
                {
                    _dirtyPolls.TryRemove(pollId, out long since);
                    await SendTallyAsync(pollId, stoppingToken);
                    Operations.CongressMetrics.TallyLag.Record(System.Diagnostics.Stopwatch.GetElapsedTime(since).TotalMilliseconds);
                }

                foreach (var congressId in _dirtyAttendance.Keys)
                {
                    _dirtyAttendance.TryRemove(congressId, out _);
                    await SendAttendanceAsync(congressId, stoppingToken);
                }
            }
        }
        catch (OperationCanceledException) when (stoppingToken.IsCancellationRequested)
        {
            // Shutting down.
        }
    }

    /// <summary>After a backplane outage: every client fetches a snapshot, and open polls' tallies go out again.</summary>
    private async Task ResynchroniseAsync(CancellationToken cancellationToken)
    {
        try
        {
            await using var connection = await db.OpenConnectionAsync(cancellationToken);
            await using var command = new NpgsqlCommand("SELECT c.id, p.id FROM congress c LEFT JOIN poll p ON p.congress_id = c.id AND p.state = 'open'", connection);
            await using var reader = await command.ExecuteReaderAsync(cancellationToken);
            var congresses = new List<Guid>();
            while (await reader.ReadAsync(cancellationToken))
            {
                congresses.Add(reader.GetGuid(0));
                if (!reader.IsDBNull(1))
                {
                    TallyMayHaveChanged(reader.GetGuid(1));
                }
            }

            foreach (var congressId in congresses)
            {
                await hub.Clients.Group(CongressGroup(congressId)).AgendaChanged();
                AttendanceMayHaveChanged(congressId);
            }

            logger.LogInformation("Backplane back: {Count} congresses told to resynchronise", congresses.Count);
        }
        catch (Exception ex) when (ex is not OperationCanceledException)
        {
            logger.LogWarning(ex, "Could not resynchronise clients after the backplane returned; retrying");
            _resynchronise = true;
        }
    }

    private async Task SendAttendanceAsync(Guid congressId, CancellationToken cancellationToken)
    {
        try
        {
            await using var connection = await db.OpenConnectionAsync(cancellationToken);
            var attendance = await CheckIn.AttendanceQueries.ReadAsync(connection, congressId);
            await hub.Clients.Group(ScreensGroup(congressId)).AttendanceChanged(attendance);
        }
        catch (Exception ex) when (ex is not OperationCanceledException)
        {
            logger.LogWarning(ex, "Could not send the attendance of congress {CongressId}; retrying", congressId);
            AttendanceMayHaveChanged(congressId);
        }
    }

    private async Task SendTallyAsync(Guid pollId, CancellationToken cancellationToken)
    {
        try
        {
            if (await tallies.CurrentAsync(pollId, cancellationToken) is { } current)
            {
                await hub.Clients.Group(ScreensGroup(current.CongressId)).TallyChanged(current.Tally);
            }
        }
        catch (Exception ex) when (ex is not OperationCanceledException)
        {
            // Tallies are hints: the poll is marked dirty again and clients resynchronise from snapshots.
            logger.LogWarning(ex, "Could not send the tally of poll {PollId}; retrying", pollId);
            TallyMayHaveChanged(pollId);
        }
    }
}

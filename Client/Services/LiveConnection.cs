using CongressVote.Shared;
using Microsoft.AspNetCore.Components;
using Microsoft.AspNetCore.SignalR.Client;
using Microsoft.AspNetCore.SignalR;

namespace CongressVote.Client.Services;

public enum LinkState
{
    Connecting,
    Connected,
    Reconnecting,
    /// <summary>Staff ended this tablet's session; the delegate signs in again at the help desk.</summary>
    SignedOut,
}

/// <summary>
/// Owns the app's one hub connection: connects, reconnects with jittered back-off, fetches a fresh snapshot after
/// every (re)connect, keeps the newest tally, and resends a ballot that was not yet acknowledged with its original
/// key. Pages read its state and subscribe to <see cref="Changed"/>.
/// </summary>
public sealed class LiveConnection(NavigationManager navigation) : IAsyncDisposable
{
    private static readonly TimeSpan s_castDeadline = TimeSpan.FromSeconds(10);
    private HubConnection? _hub;
    private CastRequest? _unacknowledged;

    public event Action? Changed;

    public LinkState State { get; private set; } = LinkState.Connecting;

    public CongressSnapshotDto? Snapshot { get; private set; }

    public TallyDto? Tally { get; private set; }

    public PollDto? CurrentPoll => Snapshot?.CurrentPoll;

    public async Task StartAsync()
    {
        if (_hub is not null)
        {
            return;
        }

        _hub = new HubConnectionBuilder()
            .WithUrl(navigation.ToAbsoluteUri(Routes.Hub))
            .WithAutomaticReconnect(new JitteredRetryPolicy())
            .AddJsonProtocol(o => o.PayloadSerializerOptions.TypeInfoResolverChain.Insert(0, CongressJsonContext.Default))
            .Build();
        _hub.On<PollDto>(nameof(ICongressClient.PollChanged), OnPollChanged);
        _hub.On<TallyDto>(nameof(ICongressClient.TallyChanged), OnTallyChanged);
        _hub.On<AttendanceDto>(nameof(ICongressClient.AttendanceChanged), OnAttendanceChanged);
        _hub.On(nameof(ICongressClient.SessionEnded), OnSessionEnded);
        _hub.On(nameof(ICongressClient.AgendaChanged), () => TryRefreshSnapshotAsync());
        _hub.On<List<SpeechDto>>(nameof(ICongressClient.SpeakersChanged), speakers =>
        {
            if (Snapshot is { } snapshot)
            {
                Snapshot = snapshot with { Speakers = speakers };
                Changed?.Invoke();
            }
        });
        _hub.Reconnecting += _ =>
        {
            State = LinkState.Reconnecting;
            Changed?.Invoke();
            return Task.CompletedTask;
        };
        _hub.Reconnected += _ => ResynchroniseAsync();
        _hub.Closed += async _ =>
        {
            if (State == LinkState.SignedOut)
            {
                return;
            }

            // Automatic reconnect gave up (for example the server was down a long while): keep trying.
            State = LinkState.Reconnecting;
            Changed?.Invoke();
            await ConnectAsync();
        };
        await ConnectAsync();
    }

    /// <summary>
    /// Casts and waits for the server's answer, retrying with the same key (so nothing is stored twice) until
    /// an answer arrives or the deadline passes. NotRecorded means: tell the delegate to ask the secretariat.
    /// </summary>
    public Task<CastResult> CastAsync(Guid pollId, VoteChoice choice, Guid? onBehalfOf = null) =>
        SendAsync(new CastRequest(pollId, choice, Guid.NewGuid(), onBehalfOf));

    /// <summary>An election ballot: the positions kept and the receipt code the tablet drew for it.</summary>
    public Task<CastResult> CastElectionAsync(Guid pollId, IReadOnlyList<int> kept, string receipt) =>
        SendAsync(new CastRequest(pollId, VoteChoice.Yes, Guid.NewGuid(), null, kept, receipt));

    private async Task<CastResult> SendAsync(CastRequest request)
    {
        _unacknowledged = request;
        var deadline = DateTime.UtcNow + s_castDeadline;
        while (true)
        {
            CastResult? result = null;
            if (_hub is { State: HubConnectionState.Connected })
            {
                try
                {
                    // A half-open Wi-Fi link must not hold one attempt past the deadline.
                    using var attempt = new CancellationTokenSource(TimeSpan.FromSeconds(4));
                    result = await _hub.InvokeAsync<CastResult>(nameof(ICongressHub.Cast), request, attempt.Token);
                }
                catch (Exception ex) when (ex is HubException or InvalidOperationException or IOException or OperationCanceledException)
                {
                    result = null;
                }
            }

            if (result is not null && result.Status != CastStatus.NotRecorded)
            {
                if (_unacknowledged == request)
                {
                    _unacknowledged = null;
                }

                if (result.Status is CastStatus.Recorded or CastStatus.AlreadyVoted)
                {
                    await TryRefreshSnapshotAsync();
                }

                return result;
            }

            if (DateTime.UtcNow > deadline)
            {
                // Still kept: a reconnect resends it with the same key.
                return new CastResult(CastStatus.NotRecorded);
            }

            await Task.Delay(Random.Shared.Next(300, 900));
        }
    }

    public async ValueTask DisposeAsync()
    {
        if (_hub is not null)
        {
            await _hub.DisposeAsync();
        }
    }

    private async Task ConnectAsync()
    {
        var retry = new JitteredRetryPolicy();
        for (int attempt = 0; _hub is { State: HubConnectionState.Disconnected }; attempt++)
        {
            try
            {
                await _hub.StartAsync();
            }
            catch (Exception ex) when (ex is HttpRequestException or IOException or InvalidOperationException or TaskCanceledException)
            {
                State = LinkState.Reconnecting;
                Changed?.Invoke();
                await Task.Delay(retry.NextRetryDelay(new RetryContext { PreviousRetryCount = attempt }) ?? TimeSpan.FromSeconds(5));
            }
        }

        await ResynchroniseAsync();
    }

    /// <summary>After every (re)connect: a fresh snapshot (retried until it arrives), then the unacknowledged ballot.</summary>
    private async Task ResynchroniseAsync()
    {
        for (int attempt = 0; !await TryRefreshSnapshotAsync(); attempt++)
        {
            if (_hub is not { State: HubConnectionState.Connected })
            {
                return; // the reconnect loop calls again
            }

            await Task.Delay(Math.Min(500 * (attempt + 1), 5000) + Random.Shared.Next(0, 500));
        }

        State = LinkState.Connected;
        Changed?.Invoke();
        if (_unacknowledged is { } pending && _hub is not null)
        {
            try
            {
                var result = await _hub.InvokeAsync<CastResult>(nameof(ICongressHub.Cast), pending);
                if (result.Status != CastStatus.NotRecorded)
                {
                    _unacknowledged = null;
                    await TryRefreshSnapshotAsync();
                }
            }
            catch (Exception ex) when (ex is HubException or InvalidOperationException or IOException or TaskCanceledException)
            {
                // Kept for the next reconnect.
            }
        }
    }

    /// <summary>Fetches a snapshot; false when the link or the server failed (the caller retries or waits for a reconnect).</summary>
    private async Task<bool> TryRefreshSnapshotAsync()
    {
        if (_hub is null)
        {
            return false;
        }

        CongressSnapshotDto snapshot;
        try
        {
            using var timeout = new CancellationTokenSource(TimeSpan.FromSeconds(10));
            snapshot = await _hub.InvokeAsync<CongressSnapshotDto>(nameof(ICongressHub.Snapshot), timeout.Token);
        }
        catch (Exception ex) when (ex is HubException or InvalidOperationException or IOException or OperationCanceledException)
        {
            return false;
        }

        Snapshot = snapshot;
        if (snapshot.Tally is { } tally && (Tally is null || Tally.PollId != tally.PollId || tally.Version >= Tally.Version))
        {
            Tally = tally;
        }
        else if (snapshot.Tally is null)
        {
            Tally = null;
        }

        Changed?.Invoke();
        return true;
    }

    private void OnPollChanged(PollDto poll)
    {
        if (Snapshot is null)
        {
            return;
        }

        var polls = Snapshot.Polls.Select(p => p.Id == poll.Id ? poll : p).ToList();
        bool becomesCurrent = poll.State == PollState.Open || Snapshot.CurrentPoll?.Id == poll.Id || Snapshot.CurrentPoll is null;
        Snapshot = Snapshot with
        {
            Polls = polls,
            CurrentPoll = becomesCurrent ? poll : Snapshot.CurrentPoll,
            CurrentItemId = becomesCurrent ? poll.AgendaItemId : Snapshot.CurrentItemId,
            MyBallot = Snapshot.MyBallot?.PollId == poll.Id ? Snapshot.MyBallot : (becomesCurrent ? null : Snapshot.MyBallot),
        };
        if (becomesCurrent && Tally?.PollId != poll.Id)
        {
            Tally = null;
        }

        Changed?.Invoke();
    }

    private void OnAttendanceChanged(AttendanceDto attendance)
    {
        if (Snapshot is { } snapshot && (snapshot.Attendance is null || attendance.Version >= snapshot.Attendance.Version))
        {
            Snapshot = snapshot with { Attendance = attendance, Summoned = attendance.Summoned };
            Changed?.Invoke();
        }
    }

    private void OnSessionEnded()
    {
        // Staff ended this tablet's session: stop, and say so; reconnecting would be refused anyway.
        State = LinkState.SignedOut;
        _unacknowledged = null;
        Changed?.Invoke();
        _ = _hub?.StopAsync();
    }

    private void OnTallyChanged(TallyDto tally)
    {
        // Tallies are hints: keep the newest for the current poll, ignore stale ones.
        if (Snapshot?.CurrentPoll?.Id != tally.PollId)
        {
            return;
        }

        if (Tally is null || Tally.PollId != tally.PollId || tally.Version >= Tally.Version)
        {
            Tally = tally;
            Changed?.Invoke();
        }
    }

    /// <summary>0, 1, 2, 4, 8 s, then every 10 s, each with up to a second of jitter so 363 tablets do not reconnect in lockstep.</summary>
    private sealed class JitteredRetryPolicy : IRetryPolicy
    {
        public TimeSpan? NextRetryDelay(RetryContext retryContext)
        {
            double seconds = retryContext.PreviousRetryCount switch
            {
                0 => 0,
                < 4 => Math.Pow(2, retryContext.PreviousRetryCount - 1),
                _ => 10,
            };
            return TimeSpan.FromSeconds(seconds) + TimeSpan.FromMilliseconds(Random.Shared.Next(0, 1000));
        }
    }
}

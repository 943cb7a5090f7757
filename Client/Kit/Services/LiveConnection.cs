using System.Text.Json;
using System.Text.Json.Serialization.Metadata;
using CongressVote.Shared;
using Microsoft.AspNetCore.Components;
using Microsoft.JSInterop;

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
/// key. Pages read its state and subscribe to <see cref="Changed"/>. The socket itself is the SignalR JavaScript
/// client (wwwroot/js/live.js), a tenth of the .NET client's download; messages cross as JSON text.
/// </summary>
public sealed class LiveConnection(NavigationManager navigation, IJSRuntime js) : IAsyncDisposable
{
    private static readonly TimeSpan s_castDeadline = TimeSpan.FromSeconds(10);
    private static CongressJsonContext Json => CongressJsonContext.Default;
    private DotNetObjectReference<LiveConnection>? _self;
    private CastRequest? _unacknowledged;
    private bool _connecting;

    public event Action? Changed;

    public LinkState State { get; private set; } = LinkState.Connecting;

    public CongressSnapshotDto? Snapshot { get; private set; }

    public TallyDto? Tally { get; private set; }

    public PollDto? CurrentPoll => Snapshot?.CurrentPoll;

    /// <summary>The election dossier under way (nominations, withdrawals, the list), or null.</summary>
    public DossierDto? Dossier { get; private set; }

    /// <summary>A tablet's act on the dossier (nominate, answer, ask to withdraw); null when the link failed.</summary>
    public Task<DossierAnswer?> DossierActAsync<T>(string method, T request, JsonTypeInfo<T> type) =>
        InvokeAsync(method, request, type, Json.DossierAnswer, TimeSpan.FromSeconds(10));

    public Task<List<NomineeDto>?> SearchNomineesAsync(string query) =>
        InvokeAsync(nameof(ICongressHub.SearchNominees), new NomineeSearchRequest(query), Json.NomineeSearchRequest, Json.ListNomineeDto, TimeSpan.FromSeconds(10));

    public async Task StartAsync()
    {
        if (_self is not null)
        {
            return;
        }

        _self = DotNetObjectReference.Create(this);
        await ConnectAsync();
    }

    /// <summary>
    /// Casts and waits for the server's answer, retrying with the same key (so nothing is stored twice) until
    /// an answer arrives or the deadline passes. NotRecorded means: tell the delegate to ask the secretariat.
    /// </summary>
    public Task<CastResult> CastAsync(Guid pollId, VoteChoice choice, Guid? onBehalfOf = null) =>
        SendAsync(new CastRequest(pollId, choice, Guid.NewGuid(), onBehalfOf));

    /// <summary>An election ballot: the positions kept and the receipt code the tablet drew for it.</summary>
    public Task<CastResult> CastElectionAsync(Guid pollId, IReadOnlyList<int> kept, string receipt, Guid key) =>
        SendAsync(new CastRequest(pollId, VoteChoice.Yes, key, null, kept, receipt));

    private async Task<CastResult> SendAsync(CastRequest request)
    {
        _unacknowledged = request;
        var deadline = DateTime.UtcNow + s_castDeadline;
        while (true)
        {
            // A half-open Wi-Fi link must not hold one attempt past the deadline: each attempt has 4 seconds.
            var result = await InvokeAsync(nameof(ICongressHub.Cast), request, Json.CastRequest, Json.CastResult, TimeSpan.FromSeconds(4));
            if (result is not null && result.Status != CastStatus.NotRecorded)
            {
                if (_unacknowledged == request)
                {
                    _unacknowledged = null;
                }

                if (result.Status == CastStatus.Recorded && result.RecordedAt is { } at && ShowRecorded(request, at))
                {
                    Changed?.Invoke();
                }
                else if (result.Status is CastStatus.Recorded or CastStatus.AlreadyVoted)
                {
                    await TryRefreshSnapshotAsync(); // what was stored before is not in the answer: read it
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

    /// <summary>
    /// Marks the ballot recorded from the server's answer, which follows its commit: the tablet shows what it sent
    /// (no choice for a secret ballot, as a snapshot would), without reading the whole snapshot again per cast.
    /// </summary>
    private bool ShowRecorded(CastRequest request, DateTimeOffset at)
    {
        if (Snapshot is not { CurrentPoll: { } poll } snapshot || poll.Id != request.PollId)
        {
            return false;
        }

        VoteChoice? shown = poll.Secret || request.Kept is not null ? null : request.Choice;
        Snapshot = request.OnBehalfOf is { } grantor
            ? snapshot with { Proxies = snapshot.Proxies?.Select(p => p.GrantorId == grantor ? p with { Voted = true, Choice = shown } : p).ToList() }
            : snapshot with { MyBallot = new MyBallotDto(poll.Id, shown, at) };
        return true;
    }

    public async ValueTask DisposeAsync()
    {
        if (_self is not null)
        {
            try
            {
                await js.InvokeVoidAsync("congressLive.stop");
            }
            catch (JSDisconnectedException)
            {
                // The page is going away.
            }

            _self.Dispose();
        }
    }

    /// <summary>Starts the connection, retrying with back-off until the server answers.</summary>
    private async Task ConnectAsync()
    {
        if (_connecting)
        {
            return;
        }

        _connecting = true;
        try
        {
            for (int attempt = 0; State != LinkState.SignedOut; attempt++)
            {
                try
                {
                    await js.InvokeVoidAsync("congressLive.start", _self, navigation.ToAbsoluteUri(Routes.Hub).ToString());
                    break;
                }
                catch (JSException)
                {
                    State = LinkState.Reconnecting;
                    Changed?.Invoke();
                    double seconds = attempt switch { 0 => 0, < 4 => Math.Pow(2, attempt - 1), _ => 10 };
                    await Task.Delay(TimeSpan.FromSeconds(seconds) + TimeSpan.FromMilliseconds(Random.Shared.Next(0, 1000)));
                }
            }
        }
        finally
        {
            _connecting = false;
        }

        await ResynchroniseAsync();
    }

    [JSInvokable]
    public void OnReconnecting()
    {
        State = LinkState.Reconnecting;
        Changed?.Invoke();
    }

    [JSInvokable]
    public Task OnReconnected() => ResynchroniseAsync();

    [JSInvokable]
    public Task OnClosed() => State == LinkState.SignedOut ? Task.CompletedTask : ConnectAsync();

    [JSInvokable]
    public async Task OnMessage(string name, string? payload)
    {
        switch (name)
        {
            case nameof(ICongressClient.PollChanged) when Read(payload, Json.PollDto) is { } poll:
                OnPollChanged(poll);
                break;
            case nameof(ICongressClient.TallyChanged) when Read(payload, Json.TallyDto) is { } tally:
                OnTallyChanged(tally);
                break;
            case nameof(ICongressClient.AttendanceChanged) when Read(payload, Json.AttendanceDto) is { } attendance:
                OnAttendanceChanged(attendance);
                break;
            case nameof(ICongressClient.SpeakersChanged) when Read(payload, Json.ListSpeechDto) is { } speakers && Snapshot is { } snapshot:
                Snapshot = snapshot with { Speakers = speakers };
                Changed?.Invoke();
                break;
            case nameof(ICongressClient.ProjectorChanged) when Read(payload, Json.ProjectorStateDto) is { } projector && Snapshot is { } current:
                _pushes++;
                Snapshot = current with { Projector = projector };
                Changed?.Invoke();
                break;
            case nameof(ICongressClient.DossierChanged) when Read(payload, Json.DossierDto) is { } dossier:
                Dossier = dossier;
                Changed?.Invoke();
                break;
            case nameof(ICongressClient.AgendaChanged):
                await TryRefreshSnapshotAsync();
                break;
            case nameof(ICongressClient.SessionEnded):
                await OnSessionEndedAsync();
                break;
        }
    }

    private static T? Read<T>(string? payload, JsonTypeInfo<T> type) => payload is null ? default : JsonSerializer.Deserialize(payload, type);

    /// <summary>One hub call; null when the link or the server failed (the caller retries or waits for a reconnect).</summary>
    private async Task<TResult?> InvokeAsync<TArgument, TResult>(string method, TArgument? argument, JsonTypeInfo<TArgument> argumentType, JsonTypeInfo<TResult> resultType, TimeSpan timeout)
    {
        try
        {
            string? json = argument is null ? null : JsonSerializer.Serialize(argument, argumentType);
            string answer = await js.InvokeAsync<string>("congressLive.invoke", method, json, (int)timeout.TotalMilliseconds);
            return JsonSerializer.Deserialize(answer, resultType);
        }
        catch (Exception ex) when (ex is JSException or JsonException or TaskCanceledException)
        {
            return default;
        }
    }

    /// <summary>After every (re)connect: a fresh snapshot (retried until it arrives), then the unacknowledged ballot.</summary>
    private async Task ResynchroniseAsync()
    {
        for (int attempt = 0; !await TryRefreshSnapshotAsync(); attempt++)
        {
            if (await js.InvokeAsync<string>("congressLive.state") != "Connected")
            {
                return; // the reconnect calls again
            }

            await Task.Delay(Math.Min(500 * (attempt + 1), 5000) + Random.Shared.Next(0, 500));
        }

        Dossier = await InvokeAsync<object, DossierDto>(nameof(ICongressHub.Dossier), null, null!, Json.DossierDto, TimeSpan.FromSeconds(10));
        State = LinkState.Connected;
        Changed?.Invoke();
        if (_unacknowledged is { } pending)
        {
            var result = await InvokeAsync(nameof(ICongressHub.Cast), pending, Json.CastRequest, Json.CastResult, TimeSpan.FromSeconds(10));
            if (result is not null && result.Status != CastStatus.NotRecorded)
            {
                _unacknowledged = null;
                await TryRefreshSnapshotAsync();
            }
        }
    }

    /// <summary>
    /// Fetches a snapshot; false when the link or the server failed. A poll or projector change pushed while the read
    /// was under way may be newer than the snapshot (pushes and answers arrive in order on the one connection), so
    /// the read is repeated until none arrived meanwhile.
    /// </summary>
    private async Task<bool> TryRefreshSnapshotAsync()
    {
        CongressSnapshotDto? snapshot;
        int attempts = 0;
        do
        {
            int pushesBefore = _pushes;
            snapshot = await InvokeAsync<object, CongressSnapshotDto>(nameof(ICongressHub.Snapshot), null, null!, Json.CongressSnapshotDto, TimeSpan.FromSeconds(10));
            if (snapshot is null)
            {
                return false;
            }

            if (pushesBefore == _pushes)
            {
                break;
            }
        }
        while (++attempts < 3);

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

    private int _pushes;

    private void OnPollChanged(PollDto poll)
    {
        _pushes++;
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

    private async Task OnSessionEndedAsync()
    {
        // Staff ended this tablet's session: stop, and say so; reconnecting would be refused anyway.
        State = LinkState.SignedOut;
        _unacknowledged = null;
        Changed?.Invoke();
        await js.InvokeVoidAsync("congressLive.stop");
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
}

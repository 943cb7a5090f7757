// A little over 400 lines: a tablet's whole life on a bare socket (connect, handshake, receive, cast, retry,
// reconnect, ping) reads best in one place; the wire format itself is HubWire.cs.
using System.Diagnostics;
using System.Net.WebSockets;
using System.Text;
using CongressVote.Shared;

namespace CongressVote.LoadGen;

/// <summary>
/// Tablets that speak the SignalR JSON hub protocol themselves over a bare <see cref="ClientWebSocket"/>, so that
/// thousands of them cost the generator little CPU beside the server they measure: a cast is a frame encoded before
/// the burst and sent as it is; each socket has one receive loop that reads records into a buffer of its own and
/// parses only completions; one loop a second sends the keep-alive pings and gives up on ballots past their deadline.
/// A dropped socket comes back on the tablet's schedule (<see cref="LoadRun.TabletRetry"/>), reads a snapshot if
/// asked to, and sends its unanswered ballot again with the same key.
/// </summary>
public sealed class LeanTablets : IAsyncDisposable
{
    /// <summary>The server drops a client silent for 30 s; a ping after 10 s of silence keeps it well inside.</summary>
    private const long PingAfterMs = 10_000;

    private readonly Uri _hub;
    private readonly Tablet[] _tablets;
    private readonly CancellationTokenSource _stop = new();
    private readonly Task _housekeeping;
    private volatile bool _disposing;

    /// <summary>A ballot was recorded: poll, key, sent and acknowledged (<see cref="Stopwatch"/> timestamps).</summary>
    public Action<Guid, Guid, long, long>? Acknowledged { get; set; }

    /// <summary>A tablet's socket came back after a drop: the tablet and when (UTC).</summary>
    public Action<int, DateTime>? Reconnected { get; set; }

    /// <summary>A tablet that came back read its snapshot (UTC); only when <see cref="ResyncOnReconnect"/>.</summary>
    public Action<int, DateTime>? Resynchronised { get; set; }

    /// <summary>Read a snapshot after every reconnection, as the tablet app does.</summary>
    public bool ResyncOnReconnect { get; set; }

    public int Count => _tablets.Length;

    public int Connected => _tablets.Count(t => t.Socket is not null);

    private LeanTablets(Uri baseUrl, IReadOnlyList<string?> cookies)
    {
        _hub = new UriBuilder(new Uri(baseUrl, Routes.Hub)) { Scheme = baseUrl.Scheme == "https" ? "wss" : "ws" }.Uri;
        _tablets = cookies.Select((c, i) => new Tablet(i, c)).ToArray();
        _housekeeping = Task.Run(HousekeepingAsync);

        // The answer's parser compiled now, not by the first answer of a measured burst.
        HubWire.Read("{\"type\":3,\"invocationId\":\"c\",\"result\":{\"status\":\"Recorded\",\"recordedAt\":null}}"u8);
    }

    /// <summary>
    /// Signs every badge in and opens its socket, <paramref name="parallelism"/> at a time. A tablet that could not
    /// sign in or connect stays out (<see cref="IsConnected"/> false) and is never used.
    /// </summary>
    public static async Task<LeanTablets> ConnectAsync(Uri baseUrl, HttpClient http, IReadOnlyList<string> tokens, int parallelism,
        Action<int, long>? connectedIn = null, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(tokens);
        var cookies = new string?[tokens.Count];
        var tablets = new LeanTablets(baseUrl, cookies);
        using var gate = new SemaphoreSlim(parallelism);
        await Task.WhenAll(tokens.Select(async (token, i) =>
        {
            await gate.WaitAsync(cancellationToken);
            try
            {
                long start = Stopwatch.GetTimestamp();
                string cookie = await LoadRun.SignInAsync(http, Routes.DelegateLogin,
                    new DelegateLoginRequest(token, LoadRun.DeviceId(token), "load generator"), cancellationToken);
                var tablet = tablets._tablets[i];
                tablet.Cookie = cookie;
                await tablets.OpenAsync(tablet, cancellationToken);
                tablet.Joined = true;
                _ = tablets.RunAsync(tablet);
                connectedIn?.Invoke(i, Stopwatch.GetTimestamp() - start);
            }
            catch (Exception ex) when (ex is HttpRequestException or IOException or WebSocketException or InvalidOperationException or TaskCanceledException)
            {
                // Counted by the caller as a tablet that did not connect.
            }
            finally
            {
                gate.Release();
            }
        }));
        return tablets;
    }

    public bool IsConnected(int tablet) => _tablets[tablet].Joined;

    /// <summary>
    /// Encodes a tablet's ballot now, so that <see cref="Send"/> only sends. The answer: null once recorded, else
    /// the refusal or "deadline".
    /// </summary>
    public Task<string?> Prepare(int tablet, Guid pollId, VoteChoice choice, Guid key, TimeSpan deadline)
    {
        var ballot = new Ballot(pollId, key, HubWire.CastFrame(pollId, choice, key), deadline);
        _tablets[tablet].Pending = ballot;
        return ballot.Answer.Task;
    }

    /// <summary>Sends the prepared ballot; a tablet whose socket is down sends it when it is back.</summary>
    public void Send(int tablet)
    {
        var t = _tablets[tablet];
        if (t.Pending is { } ballot)
        {
            ballot.Sent = Stopwatch.GetTimestamp();
            _ = SendAsync(t, ballot.Frame);
        }
    }

    private async Task OpenAsync(Tablet t, CancellationToken stopping)
    {
        var socket = new ClientWebSocket();
        // The SignalR client's handshake timeout: a server that accepts but does not answer is tried again.
        using var timeout = CancellationTokenSource.CreateLinkedTokenSource(stopping);
        timeout.CancelAfter(TimeSpan.FromSeconds(15));
        var cancellationToken = timeout.Token;
        try
        {
            socket.Options.SetRequestHeader("Cookie", t.Cookie);
            socket.Options.KeepAliveInterval = TimeSpan.Zero; // the hub protocol's pings keep the link alive
            await socket.ConnectAsync(_hub, cancellationToken);
            await socket.SendAsync(HubWire.Handshake, WebSocketMessageType.Text, true, cancellationToken);

            // The answer is "{}" and a separator, or an error; messages after it may share the same read.
            t.Filled = 0;
            int end;
            while ((end = Array.IndexOf(t.Buffer, HubWire.RecordSeparator, 0, t.Filled)) < 0)
            {
                var read = await socket.ReceiveAsync(t.Buffer.AsMemory(t.Filled), cancellationToken);
                if (read.MessageType == WebSocketMessageType.Close || read.Count == 0)
                {
                    throw new WebSocketException("the server closed the socket during the handshake");
                }

                t.Filled += read.Count;
                t.GrowIfFull();
            }

            if (!t.Buffer.AsSpan(0, end).SequenceEqual("{}"u8))
            {
                throw new InvalidOperationException("handshake refused: " + Encoding.UTF8.GetString(t.Buffer, 0, end));
            }

            t.Consume(end + 1);
            t.LastSentMs = Environment.TickCount64;
            t.Socket = socket;
        }
        catch
        {
            socket.Dispose();
            throw;
        }
    }

    /// <summary>One tablet's life: read until the socket drops, then come back on the tablet's schedule.</summary>
    private async Task RunAsync(Tablet t)
    {
        while (!_stop.IsCancellationRequested && !_disposing)
        {
            if (t.Socket is { } socket)
            {
                await ReceiveAsync(t, socket);
                t.Socket = null;
                socket.Dispose();
            }

            if (_disposing || !await ReconnectAsync(t))
            {
                return;
            }

            Reconnected?.Invoke(t.Index, DateTime.UtcNow);
            if (ResyncOnReconnect)
            {
                t.SnapshotAttempts = 0;
                await SendAsync(t, HubWire.SnapshotCall);
            }

            if (t.Pending is { } ballot)
            {
                // The same key again: if the first one was stored before the drop, the answer is the first answer.
                await SendAsync(t, ballot.Frame);
            }
        }
    }

    private async Task<bool> ReconnectAsync(Tablet t)
    {
        var retry = new LoadRun.TabletRetry();
        var lost = Stopwatch.StartNew();
        for (int attempt = 0; !_stop.IsCancellationRequested; attempt++)
        {
            if (retry.NextRetryDelay(new Microsoft.AspNetCore.SignalR.Client.RetryContext { PreviousRetryCount = attempt, ElapsedTime = lost.Elapsed }) is not { } delay)
            {
                return false;
            }

            try
            {
                await Task.Delay(delay, _stop.Token);
                await OpenAsync(t, _stop.Token);
                return true;
            }
            catch (Exception ex) when (ex is HttpRequestException or IOException or WebSocketException or InvalidOperationException or OperationCanceledException)
            {
                // The server is not back yet (or refused the handshake while starting): the next attempt.
            }
        }

        return false;
    }

    private async Task ReceiveAsync(Tablet t, ClientWebSocket socket)
    {
        try
        {
            // Records left over from the handshake's read first.
            Dispatch(t);
            while (true)
            {
                t.GrowIfFull();
                var read = await socket.ReceiveAsync(t.Buffer.AsMemory(t.Filled), _stop.Token);
                if (read.MessageType == WebSocketMessageType.Close)
                {
                    return;
                }

                t.Filled += read.Count;
                Dispatch(t);
            }
        }
        catch (Exception ex) when (ex is WebSocketException or IOException or OperationCanceledException or ObjectDisposedException)
        {
            // Dropped: the caller reconnects.
        }
    }

    /// <summary>Handles every complete record in the buffer and keeps the incomplete rest at its start.</summary>
    private void Dispatch(Tablet t)
    {
        int start = 0;
        int end;
        while ((end = Array.IndexOf(t.Buffer, HubWire.RecordSeparator, start, t.Filled - start)) >= 0)
        {
            Handle(t, t.Buffer.AsSpan(start, end - start));
            start = end + 1;
        }

        t.Consume(start);
    }

    private void Handle(Tablet t, ReadOnlySpan<byte> record)
    {
        var answer = HubWire.Read(record);
        if (answer.Type != HubWire.Completion)
        {
            return; // pushes (1) and pings (6) need no answer; a close (7) is followed by the socket closing
        }

        if (answer.To == HubWire.Call.Snapshot && answer.Refusal is null)
        {
            Resynchronised?.Invoke(t.Index, DateTime.UtcNow);
        }
        else if (answer.To == HubWire.Call.Snapshot)
        {
            // The server could not read it (its database pool busy with every other tablet's): again, as the app does.
            _ = RetrySnapshotAsync(t);
        }
        else if (answer.To == HubWire.Call.Cast)
        {
            Complete(t, answer.Recorded, answer.Refusal);
        }
    }

    private void Complete(Tablet t, bool recorded, string? refusal)
    {
        if (t.Pending is not { } ballot)
        {
            return; // a second answer to a ballot sent again across a reconnection
        }

        if (recorded)
        {
            if (Interlocked.CompareExchange(ref t.Pending, null, ballot) == ballot)
            {
                Acknowledged?.Invoke(ballot.PollId, ballot.Key, ballot.Sent, Stopwatch.GetTimestamp());
                ballot.Answer.TrySetResult(null);
            }
        }
        else if (refusal == nameof(CastStatus.NotRecorded) || refusal?.StartsWith("hub error", StringComparison.Ordinal) == true)
        {
            // Not stored this time (the database was away): the same key again a little later, as a tablet does.
            ballot.Last = refusal;
            _ = RetryLaterAsync(t, ballot);
        }
        else if (Interlocked.CompareExchange(ref t.Pending, null, ballot) == ballot)
        {
            ballot.Answer.TrySetResult(refusal);
        }
    }

    /// <summary>The tablet app's pause before asking again (Client/Kit/Services/LiveConnection.cs, ResynchroniseAsync).</summary>
    private async Task RetrySnapshotAsync(Tablet t)
    {
        int attempt = t.SnapshotAttempts++;
        await Task.Delay(Math.Min(500 * (attempt + 1), 5000) + Random.Shared.Next(0, 500));
        await SendAsync(t, HubWire.SnapshotCall);
    }

    private async Task RetryLaterAsync(Tablet t, Ballot ballot)
    {
        await Task.Delay(Random.Shared.Next(100, 400));
        if (t.Pending == ballot)
        {
            await SendAsync(t, ballot.Frame);
        }
    }

    private async Task SendAsync(Tablet t, byte[] frame)
    {
        if (t.Socket is not { } socket)
        {
            return; // sent again once the socket is back
        }

        await t.SendLock.WaitAsync();
        try
        {
            await socket.SendAsync(frame, WebSocketMessageType.Text, true, _stop.Token);
            t.LastSentMs = Environment.TickCount64;
        }
        catch (Exception ex) when (ex is WebSocketException or IOException or OperationCanceledException or ObjectDisposedException)
        {
            // The receive loop sees the drop; the ballot goes again after the reconnection.
        }
        finally
        {
            t.SendLock.Release();
        }
    }

    /// <summary>Once a second: a ping on every socket silent for a while, and the end of ballots past their deadline.</summary>
    private async Task HousekeepingAsync()
    {
        using var timer = new PeriodicTimer(TimeSpan.FromSeconds(1));
        try
        {
            while (await timer.WaitForNextTickAsync(_stop.Token))
            {
                long now = Environment.TickCount64;
                foreach (var t in _tablets)
                {
                    if (t.Pending is { } ballot && now > ballot.DeadlineMs && Interlocked.CompareExchange(ref t.Pending, null, ballot) == ballot)
                    {
                        ballot.Answer.TrySetResult(ballot.Last ?? "deadline");
                    }

                    if (t.Socket is not null && now - t.LastSentMs > PingAfterMs && t.SendLock.Wait(0))
                    {
                        t.SendLock.Release();
                        _ = SendAsync(t, HubWire.Ping);
                    }
                }
            }
        }
        catch (OperationCanceledException)
        {
            // Disposed.
        }
    }

    public async ValueTask DisposeAsync()
    {
        // Closed as a tablet closes, not reconnected; the receive loops end on the server's close.
        _disposing = true;
        await Task.WhenAll(_tablets.Select(t => t.Socket).OfType<ClientWebSocket>().Select(async socket =>
        {
            try
            {
                using var closing = new CancellationTokenSource(TimeSpan.FromSeconds(2));
                await socket.CloseOutputAsync(WebSocketCloseStatus.NormalClosure, null, closing.Token);
            }
            catch (Exception ex) when (ex is WebSocketException or IOException or OperationCanceledException or ObjectDisposedException)
            {
                // Already gone.
            }
        }));
        await _stop.CancelAsync();
        await _housekeeping;
        foreach (var t in _tablets)
        {
            t.Dispose();
        }

        _stop.Dispose();
    }

    private sealed class Tablet(int index, string? cookie) : IDisposable
    {
        public readonly int Index = index;
        public string? Cookie = cookie;
        public bool Joined;
        public ClientWebSocket? Socket;
        public byte[] Buffer = new byte[1024];
        public int Filled;
        public int SnapshotAttempts;
        public long LastSentMs;
        public Ballot? Pending;
        public readonly SemaphoreSlim SendLock = new(1, 1);

        public void Dispose()
        {
            Socket?.Dispose();
            SendLock.Dispose();
        }

        public void Consume(int count)
        {
            if (count > 0)
            {
                Array.Copy(Buffer, count, Buffer, 0, Filled - count);
                Filled -= count;
            }
        }

        /// <summary>A snapshot can be larger than the buffer: it doubles until the record fits.</summary>
        public void GrowIfFull()
        {
            if (Filled == Buffer.Length)
            {
                Array.Resize(ref Buffer, Buffer.Length * 2);
            }
        }
    }

    private sealed class Ballot(Guid pollId, Guid key, byte[] frame, TimeSpan deadline)
    {
        public Guid PollId { get; } = pollId;
        public Guid Key { get; } = key;
        public byte[] Frame { get; } = frame;
        public long Sent { get; set; } = Stopwatch.GetTimestamp();
        public long DeadlineMs { get; } = Environment.TickCount64 + (long)deadline.TotalMilliseconds;
        public string? Last { get; set; }
        public TaskCompletionSource<string?> Answer { get; } = new();
    }
}

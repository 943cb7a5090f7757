// Over 400 lines: one run reads in order here (options, connecting, casting in a burst or steadily, the CPU split,
// the check of every acknowledged key, the summary); the tablets themselves are LeanTablets.cs and IdleTablets.cs.
using System.Collections.Concurrent;
using System.Diagnostics;
using System.Globalization;
using System.Net;
using System.Net.Http.Json;
using CongressVote.Shared;
using HdrHistogram;
using Microsoft.AspNetCore.Http.Connections;
using Microsoft.AspNetCore.SignalR.Client;
using Microsoft.Extensions.DependencyInjection;
using Npgsql;

namespace CongressVote.LoadGen;

public enum CastTiming
{
    /// <summary>Every delegate casts once, at a random moment inside the burst window.</summary>
    Burst,
    /// <summary>Ballots at a fixed rate for a duration; polls are opened and closed in turn as delegates run out.</summary>
    Steady,
}

public sealed record LoadOptions
{
    public required Uri BaseUrl { get; init; }

    /// <summary>Badge tokens of the delegates to simulate (one connection each).</summary>
    public required IReadOnlyList<string> Tokens { get; init; }

    /// <summary>A secretariat account: the run opens and closes its own polls.</summary>
    public required string StaffUser { get; init; }

    public required string StaffPassword { get; init; }

    public string? ProjectorCode { get; init; }

    public int Projectors { get; init; } = 1;

    public string Scenario { get; init; } = "burst";

    public CastTiming Timing { get; init; } = CastTiming.Burst;

    public TimeSpan BurstWindow { get; init; } = TimeSpan.FromSeconds(1);

    /// <summary>Secret polls: ballots are sealed while open and unsealed at close (docs/secret-ballots.md).</summary>
    public bool Secret { get; init; }

    /// <summary>Ballots a second in steady mode.</summary>
    public int Rate { get; init; } = 2000;

    public TimeSpan Duration { get; init; } = TimeSpan.FromSeconds(30);

    public int ConnectParallelism { get; init; } = 32;

    /// <summary>
    /// Most tablets speak the hub protocol over bare sockets (<see cref="LeanTablets"/>), cheap for the generator;
    /// the first <see cref="Control"/> keep the full SignalR client, the control that the protocol is spoken right.
    /// </summary>
    public bool Lean { get; init; }

    public int Control { get; init; } = 200;

    /// <summary>
    /// One tablet of each kind casts on a poll of its own before the clocks start (<see cref="LoadRun"/>'s WarmUpAsync).
    /// Off for the fault tests, which count every ballot in the database.
    /// </summary>
    public bool WarmUp { get; init; }

    /// <summary>How long one ballot is retried with its key before it counts as not acknowledged.</summary>
    public TimeSpan CastDeadline { get; init; } = TimeSpan.FromSeconds(60);

    /// <summary>The server's database: when given, every acknowledged key is looked up there.</summary>
    public string? Database { get; init; }

    /// <summary>The server's process id on this machine, for its memory.</summary>
    public int? ServerPid { get; init; }

    public TextWriter? Progress { get; init; }

    /// <summary>Also allow a private address (a client in its own network namespace on this machine), not only loopback.</summary>
    public bool AllowPrivateNetwork { get; init; }
}

/// <summary>What a run measured. Latencies in milliseconds; memory in MB and KB.</summary>
public sealed record LoadSummary(
    string Scenario,
    int Delegates,
    int Connected,
    int Polls,
    int Attempted,
    int Acknowledged,
    int Refused,
    int Lost,
    int Duplicated,
    string VerifiedBy,
    double AckP50Ms,
    double AckP99Ms,
    double AckP999Ms,
    double AckMaxMs,
    double TallyP50Ms,
    double TallyP99Ms,
    double VotesPerSecond,
    double ConnectP50Ms,
    double ConnectP99Ms,
    double? ServerPeakMb,
    double? ServerKbPerConnection,
    double ElapsedSeconds,
    double? ServerCpuMsPerVote = null,
    double? DatabaseCpuMsPerVote = null,
    double? GeneratorCpuMsPerVote = null,
    double? CloseMs = null,
    int LeanConnected = 0);

/// <summary>
/// Simulates delegates over real WebSockets with the SignalR .NET client: each signs in with its badge token,
/// waits for the open poll and casts with a key it keeps across retries; projector clients record the tallies.
/// Loopback only, bounded in count and time.
/// </summary>
public sealed class LoadRun(LoadOptions options)
{
    private readonly ConcurrentQueue<(long At, Guid PollId, int Turnout)> _tallies = new();
    private readonly ConcurrentQueue<(Guid PollId, Guid Key, long Sent, long Acked)> _acks = new();
    private readonly ConcurrentDictionary<string, int> _refusals = new();
    private readonly ConcurrentQueue<DateTime> _reconnections = new();
    private readonly LongHistogram _connect = new(TimeStamp.Seconds(120), 3);
    private int _attempted;
    private (double? Server, double? Database, double? Generator) _cpu;
    private (double? Server, double? Database, double Generator) _cpuStart;
    private int? _postmaster;
    private Dictionary<string, double> _databaseCpuByKind = [];
    private Dictionary<string, double> _databaseCpuByKindAtStart = [];
    private double _generatorSystemMsAtStart;
    private double? _closeMs;

    private static readonly string[] s_csrf = ["1"];

    public async Task<LoadSummary> RunAsync(CancellationToken cancellationToken = default)
    {
        if (!options.BaseUrl.IsLoopback && !(options.AllowPrivateNetwork && IsPrivate(options.BaseUrl)))
        {
            throw new InvalidOperationException("The load generator runs against loopback addresses only.");
        }

        _postmaster = await PostmasterAsync(cancellationToken);

        using var http = new HttpClient(new SocketsHttpHandler { UseCookies = false, MaxConnectionsPerServer = 256, PooledConnectionLifetime = TimeSpan.FromMinutes(10) })
        {
            BaseAddress = options.BaseUrl,
            Timeout = TimeSpan.FromSeconds(60),
        };
        http.DefaultRequestHeaders.Add(Routes.CsrfHeader, s_csrf);
        string staffCookie = await SignInAsync(http, Routes.StaffLogin, new StaffLoginRequest(options.StaffUser, options.StaffPassword), cancellationToken);
        await using var staffHub = await ConnectAsync(staffCookie, cancellationToken);
        var snapshot = await staffHub.InvokeAsync<CongressSnapshotDto>(nameof(ICongressHub.Snapshot), cancellationToken);
        if (snapshot.CurrentPoll is { State: PollState.Open } open)
        {
            await StaffPostAsync(http, staffCookie, Routes.ClosePoll(open.Id), cancellationToken);
        }

        long? rssBefore = ReadProcKb("VmRSS");
        var projectors = new List<HubConnection>();
        for (int i = 0; options.ProjectorCode is not null && i < options.Projectors; i++)
        {
            string cookie = await SignInAsync(http, Routes.ProjectorLogin, new TokenLoginRequest(options.ProjectorCode), cancellationToken);
            var projector = await ConnectAsync(cookie, cancellationToken);
            projector.On<TallyDto>(nameof(ICongressClient.TallyChanged), t => _tallies.Enqueue((Stopwatch.GetTimestamp(), t.PollId, t.Turnout)));
            projectors.Add(projector);
        }

        Say($"connecting {options.Tokens.Count} delegates...");
        int full = options.Lean ? Math.Min(options.Control, options.Tokens.Count) : options.Tokens.Count;
        var delegates = new HubConnection?[full];
        using (var gate = new SemaphoreSlim(options.ConnectParallelism))
        {
            await Task.WhenAll(options.Tokens.Take(full).Select(async (token, i) =>
            {
                await gate.WaitAsync(cancellationToken);
                try
                {
                    long start = Stopwatch.GetTimestamp();
                    string cookie = await SignInAsync(http, Routes.DelegateLogin,
                        new DelegateLoginRequest(token, DeviceId(token), "load generator"), cancellationToken);
                    delegates[i] = await ConnectAsync(cookie, cancellationToken);
                    lock (_connect)
                    {
                        _connect.RecordValue(Micros(Stopwatch.GetTimestamp() - start));
                    }
                }
                catch (Exception ex) when (ex is HttpRequestException or IOException or InvalidOperationException or TaskCanceledException)
                {
                    _refusals.AddOrUpdate("connect failed", 1, (_, n) => n + 1);
                }
                finally
                {
                    gate.Release();
                }
            }));
        }

        var connected = delegates.Where(d => d is not null).Select(d => d!).ToList();
        await using var lean = await LeanTablets.ConnectAsync(options.BaseUrl, http, options.Tokens.Skip(full).ToList(), options.ConnectParallelism, (_, ticks) =>
        {
            lock (_connect)
            {
                _connect.RecordValue(Micros(ticks));
            }
        }, cancellationToken);
        lean.Acknowledged = (pollId, key, sent, acked) => _acks.Enqueue((pollId, key, sent, acked));
        lean.Reconnected = (_, at) => _reconnections.Enqueue(at);
        var leanConnected = Enumerable.Range(0, lean.Count).Where(lean.IsConnected).ToList();
        if (leanConnected.Count < lean.Count)
        {
            _refusals.AddOrUpdate("connect failed", lean.Count - leanConnected.Count, (_, n) => n + lean.Count - leanConnected.Count);
        }
        long? rssConnected = ReadProcKb("VmRSS");
        Say($"{connected.Count + leanConnected.Count} connected ({leanConnected.Count} lean)");

        // Every tablet as one way to cast, whichever client it runs.
        var casters = connected.Select(hub => (Func<Guid, Task>)(pollId => CastAsync(hub, pollId, cancellationToken)))
            .Concat(leanConnected.Select(i => (Func<Guid, Task>)(pollId => LeanCastAsync(lean, i, pollId, send: true))))
            .ToList();

        if (options.WarmUp)
        {
            await WarmUpAsync(http, staffCookie, snapshot, connected, lean, leanConnected, cancellationToken);
        }

        var polls = new List<Guid>();
        var clock = Stopwatch.StartNew();
        try
        {
            if (options.Timing == CastTiming.Burst)
            {
                Guid pollId = await NewPollAsync(http, staffCookie, snapshot, 1, cancellationToken);
                polls.Add(pollId);
                await BurstAsync(http, staffCookie, pollId, connected, lean, leanConnected, clock, measured: true, cancellationToken);
            }
            else
            {
                await SteadyAsync(http, staffCookie, snapshot, casters, polls, clock, cancellationToken);
            }
        }
        finally
        {
            clock.Stop();
        }

        // Where the CPU went while ballots were cast: the server, PostgreSQL and this generator share the machine.
        var cpuAfter = CpuNow();
        var cpuBefore = _cpuStart;
        int votes = Math.Max(1, _acks.Count);
        Say($"PostgreSQL CPU while ballots were cast: {DatabaseCpuSplit(_databaseCpuByKindAtStart, _databaseCpuByKind)}");
        double generatorSystemMs = Process.GetCurrentProcess().PrivilegedProcessorTime.TotalMilliseconds - _generatorSystemMsAtStart;
        Say($"generator CPU while ballots were cast: {cpuAfter.Generator - cpuBefore.Generator:0} ms, of which in the kernel {generatorSystemMs:0} ms");
        _cpu = (
            cpuAfter.Server - cpuBefore.Server is { } server ? server / votes : null,
            cpuAfter.Database - cpuBefore.Database is { } database ? database / votes : null,
            (cpuAfter.Generator - cpuBefore.Generator) / votes);

        // The final tallies follow the last acknowledgements by a coalescing interval.
        await WaitForTalliesAsync(TimeSpan.FromSeconds(5));
        if (options.Timing == CastTiming.Burst)
        {
            // The close counts the poll in PostgreSQL (and unseals a secret one): timed as the secretariat waits for it.
            var closing = Stopwatch.StartNew();
            await StaffPostAsync(http, staffCookie, Routes.ClosePoll(polls[0]), cancellationToken);
            _closeMs = closing.Elapsed.TotalMilliseconds;
        }

        var (lost, duplicated, verifiedBy) = await VerifyAsync(staffCookie, polls, cancellationToken);
        double? peakMb = ReadProcKb("VmHWM") / 1024.0;
        double? kbPerConnection = rssBefore is { } before && rssConnected is { } after && connected.Count + leanConnected.Count > 0
            ? (after - before) / (double)(connected.Count + leanConnected.Count) : null;

        await Task.WhenAll(connected.Concat(projectors).Select(c => c.DisposeAsync().AsTask()));
        return Summarise(connected.Count + leanConnected.Count, polls.Count, lost, duplicated, verifiedBy, clock.Elapsed, peakMb, kbPerConnection) with
        {
            LeanConnected = leanConnected.Count,
        };
    }

    /// <summary>
    /// Ballots at a steady rate: every connected delegate votes once on the open poll, then that poll is closed and
    /// the next opened, until the duration has passed. The rate is kept by a pacing clock across polls.
    /// </summary>
    private async Task SteadyAsync(HttpClient http, string staffCookie, CongressSnapshotDto snapshot, List<Func<Guid, Task>> delegates,
        List<Guid> polls, Stopwatch clock, CancellationToken cancellationToken)
    {
        int needed = (int)Math.Ceiling(options.Rate * options.Duration.TotalSeconds / Math.Max(1, delegates.Count)) + 1;
        var pollIds = new List<Guid>();
        for (int i = 0; i < needed; i++)
        {
            pollIds.Add(await NewPollAsync(http, staffCookie, snapshot, i + 1, cancellationToken));
        }

        StartCpuClock();
        clock.Restart();
        long sent = 0;
        foreach (var pollId in pollIds)
        {
            if (clock.Elapsed >= options.Duration)
            {
                break;
            }

            await StaffPostAsync(http, staffCookie, Routes.OpenPoll(pollId), cancellationToken);
            polls.Add(pollId);
            var inFlight = new List<Task>(delegates.Count);
            foreach (var cast in delegates.OrderBy(_ => Random.Shared.Next()))
            {
                // Pace: by now, rate × elapsed ballots should have gone out.
                while (sent >= (long)(clock.Elapsed.TotalSeconds * options.Rate))
                {
                    await Task.Delay(1, cancellationToken);
                }

                if (clock.Elapsed >= options.Duration)
                {
                    break;
                }

                inFlight.Add(cast(pollId));
                sent++;
            }

            await Task.WhenAll(inFlight);
            await StaffPostAsync(http, staffCookie, Routes.ClosePoll(pollId), cancellationToken);
        }
    }

    private async Task CastAsync(HubConnection hub, Guid pollId, CancellationToken cancellationToken)
    {
        Interlocked.Increment(ref _attempted);
        var request = new CastRequest(pollId, Random.Shared.Next(5) == 0 ? VoteChoice.No : VoteChoice.Yes, Guid.NewGuid());
        long sent = Stopwatch.GetTimestamp();
        var deadline = DateTime.UtcNow + options.CastDeadline;
        string? last = null;
        while (DateTime.UtcNow < deadline && !cancellationToken.IsCancellationRequested)
        {
            try
            {
                if (hub.State != HubConnectionState.Connected)
                {
                    await Task.Delay(100, cancellationToken);
                    continue;
                }

                // The same key on every attempt, as a tablet does: a retry never stores a second ballot.
                var result = await hub.InvokeAsync<CastResult>(nameof(ICongressHub.Cast), request, cancellationToken);
                if (result.Status == CastStatus.Recorded)
                {
                    _acks.Enqueue((pollId, request.Key, sent, Stopwatch.GetTimestamp()));
                    return;
                }

                last = result.Status.ToString();
                if (result.Status != CastStatus.NotRecorded)
                {
                    break;
                }
            }
            catch (Exception ex) when (ex is IOException or InvalidOperationException or TaskCanceledException or Microsoft.AspNetCore.SignalR.HubException
                or System.Net.WebSockets.WebSocketException or HttpRequestException)
            {
                // The link or the node went away mid-call; the same key goes again once reconnected.
                last = ex.GetType().Name;
            }

            await Task.Delay(Random.Shared.Next(100, 400), cancellationToken);
        }

        _refusals.AddOrUpdate(last ?? "deadline", 1, (_, n) => n + 1);
    }

    /// <summary>Each lean tablet's moment in the burst window (ms), in order.</summary>
    private List<(double At, int Tablet)> BurstSchedule(List<int> tablets) =>
        tablets.Select(i => (At: Random.Shared.NextDouble() * options.BurstWindow.TotalMilliseconds, Tablet: i)).OrderBy(s => s.At).ToList();

    /// <summary>
    /// The lean tablets' burst: each sends its frame at its moment, from one loop that wakes about every
    /// millisecond, rather than a timer per tablet.
    /// </summary>
    private static async Task SendInBurstAsync(LeanTablets lean, List<(double At, int Tablet)> schedule, Stopwatch clock, CancellationToken cancellationToken)
    {
        foreach (var (at, tablet) in schedule)
        {
            while (clock.Elapsed.TotalMilliseconds < at)
            {
                await Task.Delay(1, cancellationToken);
            }

            lean.Send(tablet);
        }
    }

    private async Task LeanCastAsync(LeanTablets lean, int tablet, Guid pollId, bool send)
    {
        Interlocked.Increment(ref _attempted);
        var answer = lean.Prepare(tablet, pollId, Random.Shared.Next(5) == 0 ? VoteChoice.No : VoteChoice.Yes, Guid.NewGuid(), options.CastDeadline);
        if (send)
        {
            lean.Send(tablet);
        }

        if (await answer is { } refusal)
        {
            _refusals.AddOrUpdate(refusal, 1, (_, n) => n + 1);
        }
    }

    /// <summary>
    /// Every tablet casts once on the poll as it opens, at its moment within the burst window. The lean tablets'
    /// frames are encoded before the poll opens; in the burst they are only sent.
    /// </summary>
    private async Task BurstAsync(HttpClient http, string staffCookie, Guid pollId, List<HubConnection> connected,
        LeanTablets lean, List<int> leanConnected, Stopwatch clock, bool measured, CancellationToken cancellationToken)
    {
        var leanAnswers = leanConnected.Select(i => LeanCastAsync(lean, i, pollId, send: false)).ToList();
        var schedule = BurstSchedule(leanConnected);
        if (measured)
        {
            StartCpuClock();
        }

        await StaffPostAsync(http, staffCookie, Routes.OpenPoll(pollId), cancellationToken);
        clock.Restart();
        var fullAnswers = connected.Select(async hub =>
        {
            await Task.Delay(Random.Shared.Next((int)options.BurstWindow.TotalMilliseconds), cancellationToken);
            await CastAsync(hub, pollId, cancellationToken);
        }).ToList();
        await SendInBurstAsync(lean, schedule, clock, cancellationToken);
        await Task.WhenAll(fullAnswers.Concat(leanAnswers));
    }

    /// <summary>
    /// Before any clock starts, one tablet of each kind casts on a poll of its own, the way the measured run will. Each run is a fresh process, and
    /// without this the generator compiled its cast and answer paths (the .NET client's invocation and JSON, the lean
    /// tablets' completion parsing) inside the measured second, booking its start-up to the ballots. The warm-up's
    /// ballots are answered like any other, then left out of the counts.
    /// </summary>
    private async Task WarmUpAsync(HttpClient http, string staffCookie, CongressSnapshotDto snapshot, List<HubConnection> connected,
        LeanTablets lean, List<int> leanConnected, CancellationToken cancellationToken)
    {
        Guid pollId = await NewPollAsync(http, staffCookie, snapshot, 0, cancellationToken);
        var one = connected.Take(1).ToList();
        var oneLean = leanConnected.Take(1).ToList();
        if (options.Timing == CastTiming.Burst)
        {
            await BurstAsync(http, staffCookie, pollId, one, lean, oneLean, Stopwatch.StartNew(), measured: false, cancellationToken);
        }
        else
        {
            await StaffPostAsync(http, staffCookie, Routes.OpenPoll(pollId), cancellationToken);
            await Task.WhenAll(one.Select(hub => CastAsync(hub, pollId, cancellationToken))
                .Concat(oneLean.Select(i => LeanCastAsync(lean, i, pollId, send: true))));
        }

        await StaffPostAsync(http, staffCookie, Routes.ClosePoll(pollId), cancellationToken);
        int warmUpAcks = _acks.Count, warmUpCasts = one.Count + oneLean.Count;
        _acks.Clear();
        _tallies.Clear();
        Interlocked.Add(ref _attempted, -warmUpCasts);
        Say($"warmed up: {warmUpAcks} of {warmUpCasts} ballots acknowledged");
        // What the warm-up's close set going on the server (the final tally to the screens, the audit anchor) is
        // over before the clocks start.
        await Task.Delay(TimeSpan.FromSeconds(3), cancellationToken);
    }

    private async Task<Guid> NewPollAsync(HttpClient http, string staffCookie, CongressSnapshotDto snapshot, int number, CancellationToken cancellationToken)
    {
        var item = snapshot.Agenda.FirstOrDefault(a => a.Kind == "vote") ?? snapshot.Agenda[0];
        var motion = new MotionEditDto(item.Id, $"Load {options.Scenario} {number} {DateTime.UtcNow:HHmmss}", "Biểu quyết thử tải.", Secret: options.Secret, AllowAbstain: true, Rule: null);
        using var request = new HttpRequestMessage(HttpMethod.Post, "/api/polls") { Content = JsonContent.Create(motion, CongressJsonContext.Default.MotionEditDto) };
        request.Headers.Add("Cookie", staffCookie);
        using var response = await http.SendAsync(request, cancellationToken);
        response.EnsureSuccessStatusCode();
        return (await response.Content.ReadFromJsonAsync(CongressJsonContext.Default.PollDto, cancellationToken))!.Id;
    }

    private static async Task<PollDto?> StaffPostAsync(HttpClient http, string cookie, string url, CancellationToken cancellationToken)
    {
        // A node may have been killed and restarted under a pooled connection: try again on a fresh one.
        for (int attempt = 1; ; attempt++)
        {
            try
            {
                return await StaffPostOnceAsync(http, cookie, url, cancellationToken);
            }
            catch (HttpRequestException) when (attempt < 20)
            {
                await Task.Delay(500, cancellationToken);
            }
            catch (InvalidOperationException ex) when (attempt > 1 && ex.Message.Contains(url.EndsWith("/close", StringComparison.Ordinal) ? "\"poll_closed\"" : "\"poll_open\"", StringComparison.Ordinal))
            {
                // The earlier attempt's change committed before the node died and its answer was lost: done.
                return null;
            }
        }
    }

    private static async Task<PollDto?> StaffPostOnceAsync(HttpClient http, string cookie, string url, CancellationToken cancellationToken)
    {
        using var request = new HttpRequestMessage(HttpMethod.Post, url) { Content = new StringContent("{}", System.Text.Encoding.UTF8, "application/json") };
        request.Headers.Add("Cookie", cookie);
        using var response = await http.SendAsync(request, cancellationToken);
        if (!response.IsSuccessStatusCode)
        {
            throw new InvalidOperationException($"{url}: {(int)response.StatusCode} {await response.Content.ReadAsStringAsync(cancellationToken)}");
        }

        return await response.Content.ReadFromJsonAsync(CongressJsonContext.Default.PollDto, cancellationToken);
    }

    internal static async Task<string> SignInAsync<T>(HttpClient http, string url, T body, CancellationToken cancellationToken)
    {
        using var response = await http.PostAsJsonAsync(url, body, CongressJsonContext.Default.Options, cancellationToken);
        if (response.StatusCode != HttpStatusCode.OK || !response.Headers.TryGetValues("Set-Cookie", out var cookies))
        {
            throw new HttpRequestException($"{url}: {(int)response.StatusCode} {await response.Content.ReadAsStringAsync(cancellationToken)}");
        }

        return string.Join("; ", cookies.Select(c => c.Split(';')[0]));
    }

    private async Task<HubConnection> ConnectAsync(string cookie, CancellationToken cancellationToken)
    {
        var connection = new HubConnectionBuilder()
            .WithUrl(new Uri(options.BaseUrl, Routes.Hub), o =>
            {
                o.Headers["Cookie"] = cookie;
                o.SkipNegotiation = true;
                o.Transports = HttpTransportType.WebSockets;
            })
            .WithAutomaticReconnect(new TabletRetry())
            .AddJsonProtocol(o => o.PayloadSerializerOptions.TypeInfoResolverChain.Insert(0, CongressJsonContext.Default))
            .Build();
        connection.ServerTimeout = TimeSpan.FromSeconds(60);
        connection.Reconnected += _ =>
        {
            _reconnections.Enqueue(DateTime.UtcNow);
            return Task.CompletedTask;
        };
        await connection.StartAsync(cancellationToken);
        return connection;
    }

    /// <summary>
    /// A tablet's schedule (Client/wwwroot/js/live.js): within 250 ms, then within a second, then every 0.5 to 2 s,
    /// never giving up while the run lasts (a node restart takes seconds).
    /// </summary>
    public sealed class TabletRetry : IRetryPolicy
    {
        public TimeSpan? NextRetryDelay(RetryContext retryContext) => retryContext.ElapsedTime > TimeSpan.FromMinutes(3)
            ? null
            : TimeSpan.FromMilliseconds(retryContext.PreviousRetryCount switch
            {
                0 => Random.Shared.NextDouble() * 250,
                1 => 250 + (Random.Shared.NextDouble() * 750),
                _ => 500 + (Random.Shared.NextDouble() * 1500),
            });
    }

    private async Task WaitForTalliesAsync(TimeSpan limit)
    {
        var acksByPoll = _acks.GroupBy(a => a.PollId).ToDictionary(g => g.Key, g => g.Count());
        var deadline = DateTime.UtcNow + limit;
        while (options.ProjectorCode is not null && DateTime.UtcNow < deadline)
        {
            var seen = _tallies.GroupBy(t => t.PollId).ToDictionary(g => g.Key, g => g.Max(t => t.Turnout));
            if (acksByPoll.All(p => seen.TryGetValue(p.Key, out int turnout) && turnout >= p.Value))
            {
                return;
            }

            await Task.Delay(50);
        }
    }

    /// <summary>
    /// Lost: acknowledged keys the database does not hold. Duplicated: ballots beyond one per voter, or beyond
    /// the acknowledged ones. With the database, each key is looked up; without it, the closed polls' totals.
    /// </summary>
    private async Task<(int Lost, int Duplicated, string By)> VerifyAsync(string staffCookie, List<Guid> polls, CancellationToken cancellationToken)
    {
        var keys = _acks.Select(a => a.Key).ToArray();
        if (options.Database is { } database)
        {
            // A connection of its own, not from a pool: after a database crash a pooled one may be dead.
            await using var connection = new NpgsqlConnection(new NpgsqlConnectionStringBuilder(database) { Pooling = false }.ConnectionString);
            await connection.OpenAsync(cancellationToken);
            await using var command = new NpgsqlCommand("""
                SELECT (SELECT count(*) FROM poll_voter WHERE cast_key = ANY($1))::int,
                       (SELECT count(*) FROM ballot WHERE poll_id = ANY($2))::int,
                       (SELECT count(*) FROM poll_voter WHERE poll_id = ANY($2))::int
                """, connection);
            command.Parameters.AddWithValue(keys);
            command.Parameters.AddWithValue(polls.ToArray());
            await using var reader = await command.ExecuteReaderAsync(cancellationToken);
            await reader.ReadAsync(cancellationToken);
            int found = reader.GetInt32(0), ballots = reader.GetInt32(1), voters = reader.GetInt32(2);
            return (keys.Length - found, Math.Max(0, ballots - voters) + Math.Max(0, voters - keys.Length), "database");
        }

        int stored = 0;
        await using var hub = await ConnectAsync(staffCookie, cancellationToken);
        var snapshot = await hub.InvokeAsync<CongressSnapshotDto>(nameof(ICongressHub.Snapshot), cancellationToken);
        foreach (var poll in snapshot.Polls.Where(p => polls.Contains(p.Id)))
        {
            stored += poll.Result is { } r ? r.Yes + r.No + r.Abstain : 0;
        }

        return (Math.Max(0, keys.Length - stored), Math.Max(0, stored - keys.Length), "results");
    }

    private LoadSummary Summarise(int connected, int polls, int lost, int duplicated, string verifiedBy, TimeSpan elapsed, double? peakMb, double? kbPerConnection)
    {
        var acks = _acks.ToList();
        var ack = new LongHistogram(TimeStamp.Seconds(120), 3);
        foreach (var a in acks)
        {
            ack.RecordValue(Micros(a.Acked - a.Sent));
        }

        // Tally latency: the k-th acknowledged ballot of a poll is on the projector once a tally shows a turnout of
        // at least k. A tally that arrived before the acknowledgement counts as zero.
        var tally = new LongHistogram(TimeStamp.Seconds(120), 3);
        foreach (var group in acks.GroupBy(a => a.PollId))
        {
            var tallies = _tallies.Where(t => t.PollId == group.Key).OrderBy(t => t.At).ToList();
            int k = 0;
            foreach (var a in group.OrderBy(a => a.Acked))
            {
                k++;
                var seen = tallies.FirstOrDefault(t => t.Turnout >= k);
                if (seen.At != 0)
                {
                    tally.RecordValue(Micros(Math.Max(0, seen.At - a.Acked)));
                }
            }
        }

        double first = acks.Count == 0 ? 0 : acks.Min(a => a.Sent);
        double last = acks.Count == 0 ? 0 : acks.Max(a => a.Acked);
        double seconds = acks.Count == 0 ? 0 : (last - first) / Stopwatch.Frequency;
        static double Ms(LongHistogram h, double percentile) => h.TotalCount == 0 ? 0 : h.GetValueAtPercentile(percentile) / 1000.0;
        return new LoadSummary(
            options.Scenario, options.Tokens.Count, connected, polls, _attempted, acks.Count, _refusals.Values.Sum(), lost, duplicated, verifiedBy,
            Ms(ack, 50), Ms(ack, 99), Ms(ack, 99.9), ack.TotalCount == 0 ? 0 : ack.GetMaxValue() / 1000.0,
            Ms(tally, 50), Ms(tally, 99),
            seconds > 0 ? acks.Count / seconds : 0,
            Ms(_connect, 50), Ms(_connect, 99),
            peakMb, kbPerConnection, elapsed.TotalSeconds, _cpu.Server, _cpu.Database, _cpu.Generator, _closeMs);
    }

    public IReadOnlyDictionary<string, int> Refusals => _refusals;

    /// <summary>When (UTC) each client's connection came back after losing the server.</summary>
    public IReadOnlyCollection<DateTime> Reconnections => _reconnections;

    /// <summary>Every acknowledged key, for a check against the database from outside this process.</summary>
    public IReadOnlyList<Guid> AcknowledgedKeys => _acks.Select(a => a.Key).ToList();

    private static bool IsPrivate(Uri url) =>
        IPAddress.TryParse(url.Host, out var address) && address.GetAddressBytes() is [10, ..] or [192, 168, ..] or [172, >= 16 and <= 31, ..];

    /// <summary>One simulated tablet per badge, the same in every run: a new device would wait for the help desk.</summary>
    internal static string DeviceId(string token) =>
        "loadgen-" + Convert.ToHexString(System.Security.Cryptography.SHA256.HashData(System.Text.Encoding.UTF8.GetBytes(token)))[..24];

    private static long Micros(long ticks) => Math.Max(1, ticks * 1_000_000 / Stopwatch.Frequency);

    private long? ReadProcKb(string field)
    {
        if (options.ServerPid is not { } pid)
        {
            return null;
        }

        try
        {
            string? line = File.ReadLines($"/proc/{pid}/status").FirstOrDefault(l => l.StartsWith(field + ":", StringComparison.Ordinal));
            return line is null ? null : long.Parse(line.Split(' ', StringSplitOptions.RemoveEmptyEntries)[1], CultureInfo.InvariantCulture);
        }
        catch (IOException)
        {
            return null;
        }
    }

    /// <summary>
    /// The CPU clocks start once the polls exist, just before the first opens: creating a poll is the first JSON over
    /// HTTP in this process, and compiling the serializer for it is a start-up cost, not a ballot's.
    /// </summary>
    private void StartCpuClock()
    {
        _cpuStart = CpuNow();
        _databaseCpuByKindAtStart = _databaseCpuByKind;
        _generatorSystemMsAtStart = Process.GetCurrentProcess().PrivilegedProcessorTime.TotalMilliseconds;
        Say("clocks started"); // a profiler run alongside can start here (deploy/bench.sh's PROFILE)
    }

    private (double? Server, double? Database, double Generator) CpuNow() =>
        (ProcessCpuMs(options.ServerPid), DatabaseCpuMs(), Process.GetCurrentProcess().TotalProcessorTime.TotalMilliseconds);

    /// <summary>User plus system CPU of a process, from /proc (clock ticks of 10 ms).</summary>
    private static double? ProcessCpuMs(int? pid) => pid is { } id && StatFields(id) is { } fields ? Ticks(fields, 11, 2) : null;

    /// <summary>The sum of consecutive clock-tick fields of a stat line, in milliseconds.</summary>
    private static double Ticks(string[] fields, int from, int count) =>
        Enumerable.Range(from, count).Sum(i => long.Parse(fields[i], CultureInfo.InvariantCulture)) * 10.0;

    /// <summary>
    /// The benchmark cluster's postmaster: the parent of a backend this generator opens. Its CPU is counted with its
    /// children's, so another cluster on the machine (a test run, a build's) is not booked to the benchmark.
    /// </summary>
    private async Task<int?> PostmasterAsync(CancellationToken cancellationToken)
    {
        if (options.Database is not { } database || options.ServerPid is null)
        {
            return null;
        }

        await using var connection = new NpgsqlConnection(new NpgsqlConnectionStringBuilder(database) { Pooling = false }.ConnectionString);
        await connection.OpenAsync(cancellationToken);
        await using var command = new NpgsqlCommand("SELECT pg_backend_pid()", connection);
        int backend = (int)(await command.ExecuteScalarAsync(cancellationToken))!;
        return StatFields(backend) is { } fields ? int.Parse(fields[1], CultureInfo.InvariantCulture) : null;
    }

    /// <summary>The fields of /proc/PID/stat after the command name: [0] state, [1] parent, [11..14] CPU ticks.</summary>
    private static string[]? StatFields(int pid)
    {
        try
        {
            string stat = File.ReadAllText($"/proc/{pid}/stat");
            return stat[(stat.LastIndexOf(')') + 2)..].Split(' ');
        }
        catch (IOException)
        {
            return null;
        }
    }

    /// <summary>
    /// The benchmark cluster's CPU: the postmaster's own, its ended children's (backends that closed count in the
    /// parent's cutime and cstime once reaped) and its live children's. Counting live processes alone made a
    /// backend that closed during the run take its CPU away, and a negative figure was possible.
    /// </summary>
    private double? DatabaseCpuMs()
    {
        if (_postmaster is not { } postmaster || StatFields(postmaster) is not { } own)
        {
            return null;
        }

        double total = Ticks(own, 11, 4);
        var byKind = new Dictionary<string, double> { ["postmaster and ended children"] = total };
        string parent = postmaster.ToString(CultureInfo.InvariantCulture);
        foreach (string dir in Directory.EnumerateDirectories("/proc"))
        {
            if (int.TryParse(Path.GetFileName(dir), CultureInfo.InvariantCulture, out int pid)
                && StatFields(pid) is { } fields && fields[1] == parent)
            {
                double ms = Ticks(fields, 11, 2);
                total += ms;
                string kind = DatabaseProcessKind(pid);
                byKind[kind] = byKind.GetValueOrDefault(kind) + ms;
            }
        }

        _databaseCpuByKind = byKind;
        return total;
    }

    /// <summary>
    /// What a PostgreSQL child is, from the title it sets itself ("postgres: walwriter", "postgres: autovacuum worker",
    /// "postgres: user database host(port) idle"): client backends are one kind whatever their state.
    /// </summary>
    private static string DatabaseProcessKind(int pid)
    {
        try
        {
            string title = File.ReadAllText($"/proc/{pid}/cmdline").Replace('\0', ' ').Trim();
            string what = title.StartsWith("postgres: ", StringComparison.Ordinal) ? title["postgres: ".Length..] : title;
            return what.Contains('(', StringComparison.Ordinal) ? "client backends" : what;
        }
        catch (IOException)
        {
            return "ended";
        }
    }

    /// <summary>Where PostgreSQL's CPU went between two readings, by kind of process (ended ones in their parent's).</summary>
    private static string DatabaseCpuSplit(Dictionary<string, double> before, Dictionary<string, double> after) =>
        string.Join(", ", after.Keys.Union(before.Keys)
            .Select(kind => (kind, ms: after.GetValueOrDefault(kind) - before.GetValueOrDefault(kind)))
            .Where(k => Math.Abs(k.ms) >= 10)
            .OrderByDescending(k => k.ms)
            .Select(k => $"{k.kind} {k.ms:0} ms"));

    private void Say(string text) => options.Progress?.WriteLine($"[{options.Scenario}] {text}");

    /// <summary>The summary as the table docs/benchmarks.md keeps.</summary>
    public static string Table(IEnumerable<LoadSummary> runs)
    {
        ArgumentNullException.ThrowIfNull(runs);
        var text = new System.Text.StringBuilder();
        text.AppendLine("| scenario | delegates | acked | lost | dup | ack p50 | ack p99 | ack p99.9 | tally p99 | votes/s | peak MB | KB/conn | CPU ms/vote server, db, generator | close |");
        text.AppendLine("|---|---|---|---|---|---|---|---|---|---|---|---|---|---|");
        foreach (var r in runs)
        {
            text.AppendLine(CultureInfo.InvariantCulture,
                $"| {r.Scenario} | {r.Connected} | {r.Acknowledged} | {r.Lost} | {r.Duplicated} | {r.AckP50Ms:0.0} ms | {r.AckP99Ms:0.0} ms | {r.AckP999Ms:0.0} ms | {r.TallyP99Ms:0.0} ms | {r.VotesPerSecond:0} | {r.ServerPeakMb:0} | {r.ServerKbPerConnection:0.0} | {r.ServerCpuMsPerVote:0.00}, {r.DatabaseCpuMsPerVote:0.00}, {r.GeneratorCpuMsPerVote:0.00} | {r.CloseMs:0} ms |");
        }

        return text.ToString();
    }
}

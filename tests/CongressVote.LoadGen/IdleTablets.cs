using System.Collections.Concurrent;
using CongressVote.Shared;
using Microsoft.AspNetCore.Http.Connections;
using Microsoft.AspNetCore.SignalR.Client;
using Microsoft.Extensions.DependencyInjection;

namespace CongressVote.LoadGen;

/// <summary>
/// Tablets that sign in, connect and stay connected, retrying as tablets do (<see cref="LoadRun.TabletRetry"/>):
/// for measuring how soon a hall's tablets are back after the server restarts.
/// </summary>
public sealed class IdleTablets : IAsyncDisposable
{
    private readonly List<HubConnection> _connections = [];
    private readonly ConcurrentQueue<DateTime> _reconnections = new();
    private readonly ConcurrentQueue<(int Tablet, DateTime At)> _resynchronised = new();

    /// <summary>When (UTC) each tablet's connection came back.</summary>
    public IReadOnlyCollection<DateTime> Reconnections => _reconnections;

    /// <summary>When (UTC) a tablet that came back had read its snapshot, as the tablet app does; only with resync.</summary>
    public IReadOnlyCollection<(int Tablet, DateTime At)> Resynchronised => _resynchronised;

    public int Connected => _connections.Count(c => c.State == HubConnectionState.Connected);

    public static async Task<IdleTablets> ConnectAsync(Uri baseUrl, IReadOnlyList<string> tokens, int parallelism = 32, bool resync = false)
    {
        ArgumentNullException.ThrowIfNull(tokens);
        var tablets = new IdleTablets();
        using var http = new HttpClient { BaseAddress = baseUrl, Timeout = TimeSpan.FromSeconds(30) };
        http.DefaultRequestHeaders.Add(Routes.CsrfHeader, "1");
        using var gate = new SemaphoreSlim(parallelism);
        var connections = await Task.WhenAll(tokens.Select(async (token, i) =>
        {
            await gate.WaitAsync();
            try
            {
                string cookie = await LoadRun.SignInAsync(http, Routes.DelegateLogin, new DelegateLoginRequest(token, LoadRun.DeviceId(token), "idle tablet"), CancellationToken.None);
                var connection = new HubConnectionBuilder()
                    .WithUrl(new Uri(baseUrl, Routes.Hub), o =>
                    {
                        o.Headers["Cookie"] = cookie;
                        o.SkipNegotiation = true;
                        o.Transports = HttpTransportType.WebSockets;
                    })
                    .WithAutomaticReconnect(new LoadRun.TabletRetry())
                    .AddJsonProtocol(o => o.PayloadSerializerOptions.TypeInfoResolverChain.Insert(0, CongressJsonContext.Default))
                    .Build();
                connection.Reconnected += async _ =>
                {
                    tablets._reconnections.Enqueue(DateTime.UtcNow);
                    // Until the snapshot arrives, with the tablet app's pauses (LiveConnection.ResynchroniseAsync).
                    for (int attempt = 0; resync && connection.State == HubConnectionState.Connected; attempt++)
                    {
                        try
                        {
                            await connection.InvokeAsync<CongressSnapshotDto>(nameof(ICongressHub.Snapshot));
                            tablets._resynchronised.Enqueue((i, DateTime.UtcNow));
                            break;
                        }
                        catch (Exception ex) when (ex is IOException or InvalidOperationException or TaskCanceledException or Microsoft.AspNetCore.SignalR.HubException)
                        {
                            await Task.Delay(Math.Min(500 * (attempt + 1), 5000) + Random.Shared.Next(0, 500));
                        }
                    }
                };
                await connection.StartAsync();
                return connection;
            }
            finally
            {
                gate.Release();
            }
        }));
        tablets._connections.AddRange(connections);
        return tablets;
    }

    public async ValueTask DisposeAsync()
    {
        await Task.WhenAll(_connections.Select(c => c.DisposeAsync().AsTask()));
    }
}

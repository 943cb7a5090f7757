using System.Collections.Concurrent;
using System.Diagnostics;
using System.Net;
using System.Net.Http.Json;
using CongressVote.Server.Demo;
using CongressVote.Shared;
using CongressVote.Tests.Infrastructure;
using Microsoft.AspNetCore.Http.Connections;
using Microsoft.AspNetCore.SignalR.Client;
using Microsoft.Extensions.DependencyInjection;

namespace CongressVote.Tests.Faults;

/// <summary>
/// Two published nodes behind Debian's nginx with deploy/nginx/congressvote.conf, sharing PostgreSQL, a Redis
/// backplane and a key folder, all on loopback: ballots cast through one node reach a projector on the other, and a
/// Redis outage stops no vote.
/// </summary>
[Category("Fault")]
// Heavy (many sockets, a saturated CPU) or timing-sensitive: runs alone, never beside the browser tests.
[NonParallelizable]
public sealed class TwoNodeTests
{
    private Process? _redis;
    private Process? _nginx;
    private int _redisPort;

    private void StartRedis()
    {
        _redis = Process.Start(new ProcessStartInfo("redis-server", ["--port", _redisPort.ToString(System.Globalization.CultureInfo.InvariantCulture), "--bind", "127.0.0.1", "--save", "", "--appendonly", "no"])
        {
            RedirectStandardOutput = true,
        })!;
        _redis.OutputDataReceived += (_, _) => { };
        _redis.BeginOutputReadLine();
    }

    private async Task StopRedisAsync()
    {
        if (_redis is { HasExited: false } redis)
        {
            redis.Kill();
            await redis.WaitForExitAsync();
        }
    }

    private static async Task<(HubConnection Hub, HttpClient Client)> SignInAsync(Uri node, string url, object body, bool delegateLogin)
    {
        var cookies = new CookieContainer();
        var client = new HttpClient(new HttpClientHandler { CookieContainer = cookies }) { BaseAddress = node };
        client.DefaultRequestHeaders.Add(Routes.CsrfHeader, "1");
        using var response = delegateLogin
            ? await client.PostAsJsonAsync(url, (DelegateLoginRequest)body)
            : await client.PostAsJsonAsync(url, (TokenLoginRequest)body);
        response.EnsureSuccessStatusCode();
        var hub = new HubConnectionBuilder()
            .WithUrl(new Uri(node, Routes.Hub), o =>
            {
                o.Cookies = cookies;
                o.SkipNegotiation = true;
                o.Transports = HttpTransportType.WebSockets;
            })
            .AddJsonProtocol(o => o.PayloadSerializerOptions.TypeInfoResolverChain.Insert(0, CongressJsonContext.Default))
            .Build();
        await hub.StartAsync();
        return (hub, client);
    }

    [Test, CancelAfter(300_000)]
    public async Task Ballots_through_either_node_reach_a_projector_on_the_other_and_a_Redis_outage_stops_no_vote()
    {
        _redisPort = Machine.FreeLoopbackPort();
        StartRedis();
        string keys = Directory.CreateTempSubdirectory("cv-shared-keys-").FullName;
        var shared = new Dictionary<string, string?>
        {
            ["Redis:Connection"] = $"127.0.0.1:{_redisPort}",
            ["DataProtection:KeysFolder"] = keys,
        };
        await using var nodeA = await PublishedServer.StartAsync(settings: shared);
        await using var nodeB = await PublishedServer.StartAsync(nodeA.ConnectionString, shared);
        int proxyPort = Machine.FreeLoopbackPort();
        string prefix = Directory.CreateTempSubdirectory("cv-nginx-").FullName;
        string root = Path.GetFullPath(Path.Combine(TestContext.CurrentContext.TestDirectory, "../../../../.."));
        string config = (await File.ReadAllTextAsync(Path.Combine(root, "deploy/nginx/congressvote.conf")))
            .Replace("__PREFIX__", prefix, StringComparison.Ordinal)
            .Replace("__LISTEN__", $"127.0.0.1:{proxyPort}", StringComparison.Ordinal)
            .Replace("__NODE_A__", nodeA.Port.ToString(System.Globalization.CultureInfo.InvariantCulture), StringComparison.Ordinal)
            .Replace("__NODE_B__", nodeB.Port.ToString(System.Globalization.CultureInfo.InvariantCulture), StringComparison.Ordinal);
        await File.WriteAllTextAsync(Path.Combine(prefix, "nginx.conf"), config);
        string nginx = File.Exists("/usr/sbin/nginx") ? "/usr/sbin/nginx" : "nginx";
        _nginx = Process.Start(new ProcessStartInfo(nginx, ["-p", prefix, "-c", Path.Combine(prefix, "nginx.conf"), "-g", "daemon off;"]) { RedirectStandardError = true })!;
        var proxy = new Uri($"http://127.0.0.1:{proxyPort}/");
        try
        {
            using (var http = new HttpClient { BaseAddress = proxy })
            {
                var ready = await WaitAsync(async () => (await http.GetAsync("/health/ready")).IsSuccessStatusCode, TimeSpan.FromSeconds(20));
                Assert.That(ready, Is.True, "nginx answers for the nodes");
                Assert.That(await http.GetStringAsync("/health/ready"), Does.Contain("\"backplane\":\"connected\""));
            }

            DemoAccess access = await nodeA.CreateCongressAsync(officialDelegates: 6);
            var poll = await OpenPollAsync(nodeA, access);
            var (projector, projectorClient) = await SignInAsync(nodeB.BaseAddress, Routes.ProjectorLogin, new TokenLoginRequest(access.ProjectorCode), delegateLogin: false);
            var turnout = new ConcurrentQueue<int>();
            projector.On<TallyDto>(nameof(ICongressClient.TallyChanged), t => turnout.Enqueue(t.Turnout));
            // A client told to resynchronise fetches a snapshot, as the apps do.
            projector.On(nameof(ICongressClient.AgendaChanged), async () =>
            {
                var snapshot = await projector.InvokeAsync<CongressSnapshotDto>(nameof(ICongressHub.Snapshot));
                turnout.Enqueue(snapshot.Tally?.Turnout ?? -1);
            });

            // Through node A directly, then through nginx: the projector on node B sees each within a second.
            var viaA = await SignInAsync(nodeA.BaseAddress, Routes.DelegateLogin, CongressServer.Login(access.Delegates[0].Token), delegateLogin: true);
            var viaProxy = await SignInAsync(proxy, Routes.DelegateLogin, CongressServer.Login(access.Delegates[1].Token), delegateLogin: true);
            var clock = Stopwatch.StartNew();
            var first = await viaA.Hub.InvokeAsync<CastResult>(nameof(ICongressHub.Cast), new CastRequest(poll, VoteChoice.Yes, Guid.NewGuid()));
            bool seenOne = await WaitAsync(() => Task.FromResult(turnout.Contains(1)), TimeSpan.FromSeconds(1));
            var second = await viaProxy.Hub.InvokeAsync<CastResult>(nameof(ICongressHub.Cast), new CastRequest(poll, VoteChoice.No, Guid.NewGuid()));
            bool seenTwo = await WaitAsync(() => Task.FromResult(turnout.Contains(2)), TimeSpan.FromSeconds(1));

            // Redis goes down: voting goes on (ballots go to PostgreSQL, never through Redis).
            await StopRedisAsync();
            await Task.Delay(500);
            var viaADuringOutage = await SignInAsync(nodeA.BaseAddress, Routes.DelegateLogin, CongressServer.Login(access.Delegates[2].Token), delegateLogin: true);
            var duringOutage = await viaADuringOutage.Hub.InvokeAsync<CastResult>(nameof(ICongressHub.Cast), new CastRequest(poll, VoteChoice.Yes, Guid.NewGuid()));
            var alsoDuringOutage = await viaA.Hub.InvokeAsync<CastResult>(nameof(ICongressHub.Cast), new CastRequest(poll, VoteChoice.Yes, Guid.NewGuid()));
            string readyDuringOutage = await nodeA.GetAsync<Server.Health.ReadyDto>("/health/ready") is { } r ? r.Backplane : "";

            // Redis returns: within 5 seconds the projector on node B has the right count again.
            StartRedis();
            var returned = Stopwatch.StartNew();
            bool converged = await WaitAsync(() => Task.FromResult(turnout.Contains(3)), TimeSpan.FromSeconds(5));
            var convergedIn = returned.Elapsed;
            TestContext.Out.WriteLine($"| Redis stopped while two nodes run | 1 | 3 ballots acknowledged | lost 0 | converged in {convergedIn.TotalMilliseconds:0} ms |");

            Assert.Multiple(() =>
            {
                Assert.That((first.Status, second.Status), Is.EqualTo((CastStatus.Recorded, CastStatus.Recorded)));
                Assert.That(seenOne, Is.True, "a ballot through node A reached node B's projector within 1 s");
                Assert.That(seenTwo, Is.True, "a ballot through nginx reached node B's projector within 1 s");
                Assert.That(duringOutage.Status, Is.EqualTo(CastStatus.Recorded), "a tablet connecting during the outage votes");
                Assert.That(alsoDuringOutage.Status, Is.EqualTo(CastStatus.AlreadyVoted), "a second ballot is still refused during the outage");
                Assert.That(readyDuringOutage, Is.EqualTo("disconnected"));
                Assert.That(converged, Is.True, "the projector converged within 5 s of Redis returning");
            });

            foreach (var (hub, client) in new[] { viaA, viaProxy, viaADuringOutage, (projector, projectorClient) })
            {
                await hub.DisposeAsync();
                client.Dispose();
            }
        }
        finally
        {
            if (_nginx is { HasExited: false })
            {
                _nginx.Kill(entireProcessTree: true);
            }

            await StopRedisAsync();
        }
    }

    private static async Task<Guid> OpenPollAsync(PublishedServer node, DemoAccess access)
    {
        var cookies = new CookieContainer();
        using var client = new HttpClient(new HttpClientHandler { CookieContainer = cookies }) { BaseAddress = node.BaseAddress };
        client.DefaultRequestHeaders.Add(Routes.CsrfHeader, "1");
        var secretary = access.Staff.Single(s => s.Role == "secretary");
        (await client.PostAsJsonAsync(Routes.StaffLogin, new StaffLoginRequest(secretary.UserName, secretary.Password))).EnsureSuccessStatusCode();
        await using var connection = new Npgsql.NpgsqlConnection(node.ConnectionString);
        await connection.OpenAsync();
        await using var command = new Npgsql.NpgsqlCommand("SELECT id FROM poll WHERE congress_id = $1 AND title LIKE 'Thông qua Chương trình%'", connection);
        command.Parameters.AddWithValue(access.CongressId);
        var pollId = (Guid)(await command.ExecuteScalarAsync())!;
        (await client.PostAsync(Routes.OpenPoll(pollId), null)).EnsureSuccessStatusCode();
        return pollId;
    }

    private static async Task<bool> WaitAsync(Func<Task<bool>> condition, TimeSpan limit)
    {
        var deadline = DateTime.UtcNow + limit;
        do
        {
            try
            {
                if (await condition())
                {
                    return true;
                }
            }
            catch (HttpRequestException)
            {
                // Not up yet.
            }

            await Task.Delay(50);
        }
        while (DateTime.UtcNow < deadline);
        return false;
    }
}

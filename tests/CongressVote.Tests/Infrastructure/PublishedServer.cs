using System.Diagnostics;
using System.Net.Http.Json;
using CongressVote.Server.Demo;
using CongressVote.Server.Sessions;
using Microsoft.AspNetCore.Identity;
using Npgsql;

namespace CongressVote.Tests.Infrastructure;

/// <summary>
/// The published Release server as its own process: what a venue runs. Fault tests kill it with SIGKILL and start it
/// again on the same port; size tests measure the compressed, trimmed browser app it serves.
/// deploy/test.sh publishes once and sets CONGRESSVOTE_PUBLISHED_APP; without it the first use publishes.
/// </summary>
public sealed class PublishedServer : IAsyncDisposable
{
    private static readonly SemaphoreSlim s_publishing = new(1, 1);
    private static string? s_folder;

    private readonly string _connectionString;
    private readonly Dictionary<string, string?> _settings;
    private readonly string _keys = Directory.CreateTempSubdirectory("cv-keys-").FullName;
    private Process? _process;
    private bool _ownsDatabase;
    private string? _alsoListenOn;
    private int? _httpsPort;

    private PublishedServer(string connectionString, int port, Dictionary<string, string?> settings)
    {
        _connectionString = connectionString;
        Port = port;
        _settings = settings;
    }

    public int Port { get; }

    public Uri BaseAddress => new($"http://127.0.0.1:{Port}/");

    /// <summary>The HTTPS port, when the server was started with one (its certificate from the hall's own authority).</summary>
    public int? HttpsPort => _httpsPort;

    public int Pid => _process?.Id ?? 0;

    public string ConnectionString => _connectionString;

    public static async Task<string> AppFolderAsync()
    {
        if (Environment.GetEnvironmentVariable("CONGRESSVOTE_PUBLISHED_APP") is { Length: > 0 } given && File.Exists(Path.Combine(given, "CongressVote.Server.dll")))
        {
            return given;
        }

        await s_publishing.WaitAsync();
        try
        {
            if (s_folder is null)
            {
                string root = Path.GetFullPath(Path.Combine(TestContext.CurrentContext.TestDirectory, "../../../../.."));
                string folder = Directory.CreateTempSubdirectory("cv-published-").FullName;
                using var publish = Process.Start(new ProcessStartInfo("dotnet", ["publish", Path.Combine(root, "Server/Server.csproj"), "-c", "Release", "-o", folder, "-nologo", "-v", "quiet"])
                {
                    RedirectStandardOutput = true,
                    RedirectStandardError = true,
                })!;
                await publish.WaitForExitAsync();
                Assert.That(publish.ExitCode, Is.Zero, await publish.StandardError.ReadToEndAsync());
                s_folder = folder;
            }

            return s_folder;
        }
        finally
        {
            s_publishing.Release();
        }
    }

    /// <summary>Starts a node on a free loopback port against the given database (a new one when none is given).</summary>
    /// <param name="connectionString">The database; a new one, dropped afterwards, when none is given.</param>
    /// <param name="settings">Configuration for the node, as environment variables.</param>
    /// <param name="alsoListenOn">Another local address to listen on besides loopback (a network namespace's cable).</param>
    /// <param name="https">Also serve HTTPS on another loopback port, with the hall authority's certificate.</param>
    public static async Task<PublishedServer> StartAsync(
        string? connectionString = null, Dictionary<string, string?>? settings = null, string? alsoListenOn = null, bool https = false)
    {
        bool owns = connectionString is null;
        connectionString ??= await TestDatabase.CreateAsync();
        int port = Machine.FreeLoopbackPort();
        var server = new PublishedServer(connectionString, port, settings ?? []) { _ownsDatabase = owns, _alsoListenOn = alsoListenOn, _httpsPort = https ? Machine.FreeLoopbackPort() : null };
        await server.StartProcessAsync();
        return server;
    }

    /// <summary>Starts (or starts again, after a kill) the server process and waits until it is ready.</summary>
    public async Task StartProcessAsync()
    {
        string folder = await AppFolderAsync();
        var start = new ProcessStartInfo("dotnet", [Path.Combine(folder, "CongressVote.Server.dll")])
        {
            WorkingDirectory = folder,
            RedirectStandardOutput = true,
            RedirectStandardError = true,
        };
        start.Environment["ConnectionStrings__Congress"] = _connectionString;
        start.Environment["ASPNETCORE_URLS"] = BaseAddress.ToString().TrimEnd('/') + (_alsoListenOn is { } also ? $";http://{also}:{Port}" : "")
            + (_httpsPort is { } https ? $";https://127.0.0.1:{https}" : "");
        start.Environment["DataProtection__KeysFolder"] = _keys;
        start.Environment["RateLimits__PerAddressPerMinute"] = "1000000";
        start.Environment["RateLimits__OverallPerSecond"] = "100000";
        start.Environment["HubLimits__InvocationsPerWindow"] = "100000";
        start.Environment["Logging__LogLevel__Default"] = "Warning";
        foreach (var (key, value) in _settings)
        {
            start.Environment[key.Replace(":", "__", StringComparison.Ordinal)] = value;
        }

        _process = Process.Start(start)!;
        // Drain the output so the server never blocks on a full pipe.
        _process.OutputDataReceived += (_, _) => { };
        _process.ErrorDataReceived += (_, e) => { if (e.Data is { } line) { TestContext.Progress.WriteLine($"[server {Port}] {line}"); } };
        _process.BeginOutputReadLine();
        _process.BeginErrorReadLine();
        await WaitUntilReadyAsync(TimeSpan.FromSeconds(90));
    }

    public async Task WaitUntilReadyAsync(TimeSpan limit)
    {
        using var http = new HttpClient { BaseAddress = BaseAddress, Timeout = TimeSpan.FromSeconds(5) };
        var deadline = DateTime.UtcNow + limit;
        while (DateTime.UtcNow < deadline)
        {
            Assert.That(_process!.HasExited, Is.False, "the server process exited while starting");
            try
            {
                using var response = await http.GetAsync("/health/ready");
                if (response.IsSuccessStatusCode)
                {
                    return;
                }
            }
            catch (Exception ex) when (ex is HttpRequestException or TaskCanceledException)
            {
                // Not listening yet.
            }

            await Task.Delay(200);
        }

        Assert.Fail($"the server on port {Port} was not ready within {limit.TotalSeconds} s");
    }

    /// <summary>kill -9: no shutdown code runs, nothing is flushed; what was acknowledged must already be in PostgreSQL.</summary>
    public async Task KillAsync()
    {
        if (_process is { HasExited: false } process)
        {
            process.Kill();
            await process.WaitForExitAsync();
        }
    }

    /// <summary>SIGTERM: the graceful way an operator or systemd stops a node.</summary>
    public async Task TerminateAsync()
    {
        if (_process is { HasExited: false } process)
        {
            using var kill = Process.Start("kill", ["-TERM", process.Id.ToString(System.Globalization.CultureInfo.InvariantCulture)])!;
            await kill.WaitForExitAsync();
            await process.WaitForExitAsync();
        }
    }

    /// <summary>A demo congress seeded straight into this node's database.</summary>
    public async Task<DemoAccess> CreateCongressAsync(int officialDelegates, int guests = 0)
    {
        Dapper.DefaultTypeMap.MatchNamesWithUnderscores = true;
        await using var db = new NpgsqlDataSourceBuilder(_connectionString).Build();
        return await DemoCongress.CreateAsync(db, new PasswordHasher<StaffAccount>(), "Đại hội thử nghiệm", officialDelegates, guests,
            staffPassword: "test-password", seed: Random.Shared.Next());
    }

    public async Task<T?> GetAsync<T>(string path)
    {
        using var http = new HttpClient { BaseAddress = BaseAddress, Timeout = TimeSpan.FromSeconds(10) };
        return await http.GetFromJsonAsync<T>(path);
    }

    public async ValueTask DisposeAsync()
    {
        await KillAsync();
        _process?.Dispose();
        if (_ownsDatabase)
        {
            await TestDatabase.DropAsync(_connectionString);
        }

        try
        {
            Directory.Delete(_keys, recursive: true);
        }
        catch (IOException)
        {
            // A temporary folder; the system cleans it up.
        }
    }
}

using System.Net;
using System.Security.Cryptography.X509Certificates;
using System.Net.Http.Json;
using CongressVote.Server.Demo;
using CongressVote.Server.Sessions;
using CongressVote.Shared;
using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.Hosting.Server;
using Microsoft.AspNetCore.Hosting.Server.Features;
using Microsoft.AspNetCore.Identity;
using Microsoft.AspNetCore.Mvc.Testing;
using Microsoft.AspNetCore.SignalR.Client;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;
using Npgsql;

namespace CongressVote.Tests.Infrastructure;

/// <summary>
/// The real server on a real Kestrel port, against its own PostgreSQL database. Tests create congresses of their
/// own in it, sign in over HTTP, and connect real SignalR clients over WebSockets.
/// </summary>
public sealed class CongressServer : WebApplicationFactory<Program>
{
    private readonly string _connectionString;
    private readonly Dictionary<string, string?> _settings;

    private readonly ILoggerProvider? _logs;
    private string? _certificateThumbprint;

    private CongressServer(string connectionString, Dictionary<string, string?> settings, ILoggerProvider? logs, X509Certificate2? certificate)
    {
        _connectionString = connectionString;
        _settings = settings;
        _logs = logs;
        if (certificate is null)
        {
            UseKestrel(0);
        }
        else
        {
            UseKestrel(kestrel => kestrel.Listen(IPAddress.Loopback, 0, listen => listen.UseHttps(certificate)));
        }
    }

    public string ConnectionString => _connectionString;

    public Uri BaseAddress { get; private set; } = default!;

    public NpgsqlDataSource Db => Services.GetRequiredService<NpgsqlDataSource>();

    public static async Task<CongressServer> StartAsync(
        Dictionary<string, string?>? settings = null, string? connectionString = null, ILoggerProvider? logs = null, X509Certificate2? https = null)
    {
        connectionString ??= await TestDatabase.CreateAsync();
        var server = new CongressServer(connectionString, settings ?? [], logs, https) { _certificateThumbprint = https?.Thumbprint };
        server.StartServer();
        string address = server.Services.GetRequiredService<IServer>().Features.Get<IServerAddressesFeature>()!.Addresses.First();
        server.BaseAddress = new Uri(address.Replace("[::]", "127.0.0.1", StringComparison.Ordinal).Replace("0.0.0.0", "127.0.0.1", StringComparison.Ordinal));
        if (!server.BaseAddress.IsLoopback)
        {
            server.BaseAddress = new UriBuilder(server.BaseAddress) { Host = "127.0.0.1" }.Uri;
        }
        return server;
    }

    protected override void ConfigureWebHost(IWebHostBuilder builder)
    {
        builder.UseSetting("ConnectionStrings:Congress", _connectionString);
        builder.UseSetting("Demo:Seed", "false");
        // Every test client comes from 127.0.0.1; the rate-limit tests set their own limits.
        builder.UseSetting("RateLimits:PerAddressPerMinute", "1000000");
        builder.ConfigureLogging(logging =>
        {
            if (_logs is not null)
            {
                // Everything, at every level: what a verbose production log would hold.
                logging.AddProvider(_logs);
                logging.SetMinimumLevel(LogLevel.Trace);
                logging.AddFilter(_ => true);
            }
        });
        foreach (var (key, value) in _settings)
        {
            builder.UseSetting(key, value);
        }
    }

    /// <summary>A congress of its own for a test; every official delegate is checked in unless told otherwise.</summary>
    public Task<DemoAccess> CreateCongressAsync(int officialDelegates = 12, int guests = 2, int? checkedIn = null) =>
        DemoCongress.CreateAsync(
            Db,
            Services.GetRequiredService<IPasswordHasher<StaffAccount>>(),
            "Đại hội thử nghiệm",
            officialDelegates,
            guests,
            staffPassword: "test-password",
            seed: Random.Shared.Next(),
            checkedIn: checkedIn);

    /// <summary>A tablet's sign-in: the badge token and the device's own id (one per test client unless given).</summary>
    public static DelegateLoginRequest Login(string token, string? deviceId = null) =>
        new(token, deviceId ?? "device-" + Guid.NewGuid().ToString("N"), "test tablet");

    /// <summary>An HTTP client with its own cookie jar, not signed in.</summary>
    public (HttpClient Client, CookieContainer Cookies) NewBrowserlessClient()
    {
        var cookies = new CookieContainer();
        var handler = new HttpClientHandler { CookieContainer = cookies, UseCookies = true };
        if (BaseAddress.Scheme == Uri.UriSchemeHttps)
        {
            // The test's own self-signed certificate, and only it.
            handler.ServerCertificateCustomValidationCallback = (_, certificate, _, _) => certificate?.Thumbprint == _certificateThumbprint;
        }

        var client = new HttpClient(handler) { BaseAddress = BaseAddress, Timeout = TimeSpan.FromSeconds(30) };
        client.DefaultRequestHeaders.Add(Routes.CsrfHeader, "1");
        return (client, cookies);
    }

    public async Task<HttpClient> SignInStaffAsync(DemoAccess access, string role = Roles.Secretary)
    {
        ArgumentNullException.ThrowIfNull(access);
        var (client, _) = NewBrowserlessClient();
        var account = access.Staff.Single(s => s.Role == role);
        using var response = await client.PostAsJsonAsync(Routes.StaffLogin, new StaffLoginRequest(account.UserName, account.Password));
        response.EnsureSuccessStatusCode();
        return client;
    }

    public async Task<PollDto> OpenPollAsync(DemoAccess access, string titleStartsWith = "Thông qua Chương trình")
    {
        using var staff = await SignInStaffAsync(access);
        Guid pollId = await PollIdAsync(access, titleStartsWith);
        using var response = await staff.PostAsync(Routes.OpenPoll(pollId), null);
        response.EnsureSuccessStatusCode();
        return (await response.Content.ReadFromJsonAsync<PollDto>(TestJson.Options))!;
    }

    public async Task<PollDto> ClosePollAsync(DemoAccess access, Guid pollId)
    {
        using var staff = await SignInStaffAsync(access);
        using var response = await staff.PostAsync(Routes.ClosePoll(pollId), null);
        response.EnsureSuccessStatusCode();
        return (await response.Content.ReadFromJsonAsync<PollDto>(TestJson.Options))!;
    }

    public async Task<Guid> PollIdAsync(DemoAccess access, string titleStartsWith)
    {
        ArgumentNullException.ThrowIfNull(access);
        await using var connection = await Db.OpenConnectionAsync();
        await using var command = new NpgsqlCommand("SELECT id FROM poll WHERE congress_id = $1 AND title LIKE $2 || '%'", connection);
        command.Parameters.AddWithValue(access.CongressId);
        command.Parameters.AddWithValue(titleStartsWith);
        return (Guid)(await command.ExecuteScalarAsync())!;
    }

    /// <summary>Signs in with a badge token over HTTP, then connects to the hub with that session's cookie.</summary>
    public async Task<HubConnection> ConnectDelegateAsync(string token) => await ConnectHubAsync(await SignInDelegateAsync(token));

    /// <summary>A tablet's sign-in with a badge token over HTTP: the session's cookies, for clients of any kind.</summary>
    public async Task<CookieContainer> SignInDelegateAsync(string token)
    {
        var (client, cookies) = NewBrowserlessClient();
        using (client)
        {
            using var response = await client.PostAsJsonAsync(Routes.DelegateLogin, CongressServer.Login(token));
            response.EnsureSuccessStatusCode();
        }

        return cookies;
    }

    public async Task<HubConnection> ConnectProjectorAsync(string code)
    {
        var (client, cookies) = NewBrowserlessClient();
        using (client)
        {
            using var response = await client.PostAsJsonAsync(Routes.ProjectorLogin, new TokenLoginRequest(code));
            response.EnsureSuccessStatusCode();
        }

        return await ConnectHubAsync(cookies);
    }

    public async Task<HubConnection> ConnectHubAsync(CookieContainer? cookies)
    {
        var connection = new HubConnectionBuilder()
            .WithUrl(new Uri(BaseAddress, Routes.Hub), options =>
            {
                if (cookies is not null)
                {
                    options.Cookies = cookies;
                }
            })
            .AddJsonProtocol(o => o.PayloadSerializerOptions.TypeInfoResolverChain.Insert(0, CongressJsonContext.Default))
            .Build();
        await connection.StartAsync();
        return connection;
    }

    public async Task<long> CountAsync(string sql, Guid id)
    {
        await using var connection = await Db.OpenConnectionAsync();
        await using var command = new NpgsqlCommand(sql, connection);
        command.Parameters.AddWithValue(id);
        return Convert.ToInt64(await command.ExecuteScalarAsync(), System.Globalization.CultureInfo.InvariantCulture);
    }

    public override async ValueTask DisposeAsync()
    {
        await base.DisposeAsync();
        await TestDatabase.DropAsync(_connectionString);
    }
}

public static class TestJson
{
    public static System.Text.Json.JsonSerializerOptions Options { get; } = new(CongressJsonContext.Default.Options);
}

using System.Diagnostics;
using System.Globalization;
using System.Net;
using System.Net.Http.Json;
using System.Text.RegularExpressions;
using CongressVote.Server.Demo;
using CongressVote.Server.Sessions;
using CongressVote.Shared;
using CongressVote.Tests.Browser;
using CongressVote.Tests.Infrastructure;
using Microsoft.AspNetCore.Identity;
using Microsoft.Playwright;
using Npgsql;

namespace CongressVote.Tests.Operations;

/// <summary>
/// The bare-metal install of deploy/install.sh, on loopback and without systemd: the database and the server are
/// started with the commands and the settings the units and the installer give them (their folders moved to a
/// temporary one, their ports to free ones), nginx serves deploy/nginx/congressvote-site.conf in front, and a
/// delegate votes in Chromium through nginx's HTTPS port.
/// </summary>
[Category("Operations")]
// Starts PostgreSQL, the published server, nginx and Chromium: never beside the other heavy tests.
[NonParallelizable]
[System.Runtime.Versioning.UnsupportedOSPlatform("windows")]
public sealed partial class InstallOnLoopbackTests
{
    private const string Var = "/var/lib/congressvote";
    private const string App = "/opt/congressvote";
    private readonly List<Process> _processes = [];
    private string _folder = "";
    private string _pgBin = "";

    private static string Root => Path.GetFullPath(Path.Combine(TestContext.CurrentContext.TestDirectory, "../../../../.."));

    private static string Invariant(int value) => value.ToString(CultureInfo.InvariantCulture);

    /// <summary>The value of a directive in a unit file, with the line continuations joined.</summary>
    private static string Directive(string unit, string name)
    {
        var line = File.ReadAllLines(Path.Combine(Root, "deploy/systemd", unit)).Single(l => l.StartsWith(name + "=", StringComparison.Ordinal));
        return line[(name.Length + 1)..];
    }

    [GeneratedRegex("""\$\(cat "\$VAR/([a-z-]+)"\)""")]
    private static partial Regex SecretFile();

    [GeneratedRegex("""\$\{[A-Z_]+:-([^}]*)\}""")]
    private static partial Regex DefaultValue();

    [GeneratedRegex(@"URLS=""(http://127\.0\.0\.1:5000[^""]*)""")]
    private static partial Regex NginxUrls();

    /// <summary>
    /// The settings file exactly as install.sh writes it when nginx is installed, with the data folder, the database
    /// port and the server's port moved.
    /// </summary>
    private Dictionary<string, string> InstallSettings(int pgPort, int serverPort)
    {
        string script = File.ReadAllText(Path.Combine(Root, "deploy/install.sh"));
        int start = script.IndexOf("<<ENV\n", StringComparison.Ordinal) + "<<ENV\n".Length;
        string body = script[start..script.IndexOf("\nENV\n", start, StringComparison.Ordinal)];
        string urls = NginxUrls().Match(script).Groups[1].Value.Replace("127.0.0.1:5000", $"127.0.0.1:{Invariant(serverPort)}", StringComparison.Ordinal);
        Assert.That(urls, Is.Not.Empty, "install.sh puts the server on 127.0.0.1:5000 behind nginx");
        body = SecretFile().Replace(body, m => File.ReadAllText(Path.Combine(_folder, m.Groups[1].Value)).Trim());
        body = DefaultValue().Replace(body, m => m.Groups[1].Value)
            .Replace("$URLS", urls, StringComparison.Ordinal)
            .Replace("$PG_PORT", Invariant(pgPort), StringComparison.Ordinal)
            .Replace("$VAR", _folder, StringComparison.Ordinal);
        var settings = new Dictionary<string, string>();
        foreach (var line in body.Split('\n').Where(l => l.Length > 0 && !l.StartsWith('#')))
        {
            int equals = line.IndexOf('=', StringComparison.Ordinal);
            settings[line[..equals]] = line[(equals + 1)..];
        }

        Assert.That(settings.Values.Any(v => v.Contains('$', StringComparison.Ordinal)), Is.False, "every shell expansion in the settings was understood");
        return settings;
    }

    private static async Task<string> RunAsync(string file, params string[] arguments)
    {
        using var process = Process.Start(new ProcessStartInfo(file, arguments) { RedirectStandardOutput = true, RedirectStandardError = true })!;
        var output = process.StandardOutput.ReadToEndAsync();
        var error = process.StandardError.ReadToEndAsync();
        await process.WaitForExitAsync();
        Assert.That(process.ExitCode, Is.Zero, $"{file} {string.Join(' ', arguments)}: {await error}");
        return await output;
    }

    private Process Start(ProcessStartInfo start, string name)
    {
        start.RedirectStandardOutput = true;
        start.RedirectStandardError = true;
        var process = Process.Start(start)!;
        process.OutputDataReceived += (_, _) => { };
        process.ErrorDataReceived += (_, e) => { if (e.Data is { } line) { TestContext.Progress.WriteLine($"[{name}] {line}"); } };
        process.BeginOutputReadLine();
        process.BeginErrorReadLine();
        _processes.Add(process);
        return process;
    }

    private static async Task<bool> WaitAsync(Func<Task<bool>> condition, TimeSpan limit, Process? mustRun = null)
    {
        var deadline = DateTime.UtcNow + limit;
        do
        {
            Assert.That(mustRun?.HasExited ?? false, Is.False, "a process of the install exited while starting");
            try
            {
                if (await condition())
                {
                    return true;
                }
            }
            catch (Exception ex) when (ex is HttpRequestException or TaskCanceledException or NpgsqlException)
            {
                // Not up yet.
            }

            await Task.Delay(200);
        }
        while (DateTime.UtcNow < deadline);
        return false;
    }

    [SetUp]
    public void SetUp()
    {
        _folder = Directory.CreateTempSubdirectory("cv-install-").FullName;
        // PostgreSQL runs as another user than the tests' root and must reach its folder.
        File.SetUnixFileMode(_folder, (UnixFileMode)0b111_101_101);
        _pgBin = Directory.GetDirectories("/usr/lib/postgresql").Select(d => Path.Combine(d, "bin"))
            .Where(d => File.Exists(Path.Combine(d, "initdb"))).OrderBy(d => Version.Parse(Path.GetFileName(Path.GetDirectoryName(d)!) + ".0")).Last();
    }

    [TearDown]
    public async Task TearDown()
    {
        // The database unit stops with SIGINT (a fast shutdown); the rest end with their process trees.
        if (Directory.Exists(Path.Combine(_folder, "pg")))
        {
            using var stop = Process.Start(new ProcessStartInfo("runuser", ["-u", "postgres", "--", Path.Combine(_pgBin, "pg_ctl"), "-D", Path.Combine(_folder, "pg"), "-m", "fast", "-w", "stop"])
            {
                RedirectStandardOutput = true,
                RedirectStandardError = true,
            })!;
            await stop.WaitForExitAsync();
        }

        foreach (var process in Enumerable.Reverse(_processes))
        {
            if (!process.HasExited)
            {
                process.Kill(entireProcessTree: true);
                await process.WaitForExitAsync();
            }

            process.Dispose();
        }

        Directory.Delete(_folder, recursive: true);
    }

    [Test, CancelAfter(300_000)]
    public async Task A_delegate_votes_in_a_browser_through_nginx_over_HTTPS_on_the_database_and_server_started_as_the_units_start_them()
    {
        string app = Environment.GetEnvironmentVariable("CONGRESSVOTE_PUBLISHED_APP") is { Length: > 0 } given ? given : await PublishedServer.AppFolderAsync();
        int pgPort = Machine.FreeLoopbackPort(), serverPort = Machine.FreeLoopbackPort();
        int httpPort = Machine.FreeLoopbackPort(), httpsPort = Machine.FreeLoopbackPort();

        // The installer's first run: the secrets, then initdb as the cluster's owner (postgres here, congressvote there).
        foreach (var secret in new[] { "pg-password", "db-app-password", "admin-password" })
        {
            await File.WriteAllTextAsync(Path.Combine(_folder, secret), Convert.ToHexString(System.Security.Cryptography.RandomNumberGenerator.GetBytes(12)) + "\n");
        }

        string pgData = Path.Combine(_folder, "pg"), runDirectory = Path.Combine(_folder, "run");
        Directory.CreateDirectory(pgData);
        Directory.CreateDirectory(runDirectory);
        Directory.CreateDirectory(Path.Combine(_folder, "keys"));
        Directory.CreateDirectory(Path.Combine(_folder, "backups"));
        await RunAsync("chown", "postgres:postgres", pgData, runDirectory, Path.Combine(_folder, "pg-password"));
        File.SetUnixFileMode(pgData, UnixFileMode.UserRead | UnixFileMode.UserWrite | UnixFileMode.UserExecute);
        await RunAsync("runuser", "-u", "postgres", "--", Path.Combine(_pgBin, "initdb"), "-D", pgData, "-U", "postgres", "--auth=scram-sha-256",
            $"--pwfile={Path.Combine(_folder, "pg-password")}", "-E", "UTF8", "--locale=C.UTF-8");

        var settings = InstallSettings(pgPort, serverPort);
        Assert.That(settings["CONGRESSVOTE_PG_PORT"], Is.EqualTo(Invariant(pgPort)));

        // congressvote-db.service: its ExecStart, as its user, with the settings file as environment.
        string dbCommand = Directive("congressvote-db.service", "ExecStart")
            .Replace(Var, _folder, StringComparison.Ordinal)
            .Replace("/run/congressvote", runDirectory, StringComparison.Ordinal);
        var db = new ProcessStartInfo("runuser", ["-u", "postgres", "--", "/bin/sh", "-c", dbCommand]);
        foreach (var (key, value) in settings)
        {
            db.Environment[key] = value;
        }

        var postgres = Start(db, "congressvote-db");
        string owner = settings["ConnectionStrings__CongressOwner"];
        string ownerAdmin = owner.Replace("Database=congressvote", "Database=postgres", StringComparison.Ordinal);
        Assert.That(await WaitAsync(async () =>
        {
            await using var connection = new NpgsqlConnection(ownerAdmin);
            await connection.OpenAsync();
            return true;
        }, TimeSpan.FromSeconds(60), postgres), Is.True, "the private cluster accepts the installer's password");

        // The installer's database and application role.
        await using (var connection = new NpgsqlConnection(ownerAdmin))
        {
            await connection.OpenAsync();
            await using var create = new NpgsqlCommand("CREATE DATABASE congressvote", connection);
            await create.ExecuteNonQueryAsync();
            string appPassword = (await File.ReadAllTextAsync(Path.Combine(_folder, "db-app-password"))).Trim();
            await using var role = new NpgsqlCommand($"CREATE ROLE congressvote_app LOGIN PASSWORD '{appPassword}'", connection);
            await role.ExecuteNonQueryAsync();
        }

        // congressvote.service: its ExecStart and WorkingDirectory, with the settings file as environment. The congress
        // is the demo one seeded below, so the first-start congress is not made.
        string[] serverCommand = Directive("congressvote.service", "ExecStart").Replace(App, app, StringComparison.Ordinal).Split(' ');
        var server = new ProcessStartInfo(serverCommand[0], serverCommand[1..])
        {
            WorkingDirectory = Directive("congressvote.service", "WorkingDirectory").Replace(App, app, StringComparison.Ordinal),
        };
        foreach (var (key, value) in settings)
        {
            server.Environment[key] = value;
        }

        server.Environment["Setup__AdminPassword"] = "";
        server.Environment["Logging__LogLevel__Default"] = "Warning";
        var serverProcess = Start(server, "congressvote");
        using (var direct = new HttpClient { BaseAddress = new Uri($"http://127.0.0.1:{Invariant(serverPort)}/"), Timeout = TimeSpan.FromSeconds(5) })
        {
            Assert.That(await WaitAsync(async () => (await direct.GetAsync("/health/ready")).IsSuccessStatusCode, TimeSpan.FromSeconds(90), serverProcess),
                Is.True, "the server is ready on the loopback port install.sh gives it");
        }

        // nginx with the site as install.sh renders it, the ports moved, and a certificate like make-cert.sh's.
        string prefix = Path.Combine(_folder, "nginx");
        Directory.CreateDirectory(prefix);
        string certificate = Path.Combine(prefix, "congressvote.crt"), certificateKey = Path.Combine(prefix, "congressvote.key");
        await RunAsync("openssl", "req", "-x509", "-newkey", "rsa:2048", "-sha256", "-days", "2", "-nodes", "-keyout", certificateKey, "-out", certificate,
            "-subj", "/CN=CongressVote 127.0.0.1", "-addext", "subjectAltName=IP:127.0.0.1,DNS:localhost");
        string site = (await File.ReadAllTextAsync(Path.Combine(Root, "deploy/nginx/congressvote-site.conf")))
            .Replace("__HTTP_LISTEN__", $"127.0.0.1:{Invariant(httpPort)}", StringComparison.Ordinal)
            .Replace("__HTTPS_LISTEN__", $"127.0.0.1:{Invariant(httpsPort)}", StringComparison.Ordinal)
            .Replace("__HTTPS_PORT_SUFFIX__", $":{Invariant(httpsPort)}", StringComparison.Ordinal)
            .Replace("__UPSTREAM__", $"127.0.0.1:{Invariant(serverPort)}", StringComparison.Ordinal)
            .Replace("__CERT__", certificate, StringComparison.Ordinal)
            .Replace("__KEY__", certificateKey, StringComparison.Ordinal);
        Assert.That(site, Does.Not.Contain("__"), "every placeholder of the site is filled in");
        // Debian's nginx.conf includes sites-enabled inside http { }; this is that frame, with every path in the prefix.
        string config = $$"""
            worker_processes 1;
            pid {{prefix}}/nginx.pid;
            error_log {{prefix}}/error.log warn;
            events { worker_connections 512; }
            http {
                access_log off;
                client_body_temp_path {{prefix}}/client_body;
                proxy_temp_path {{prefix}}/proxy;
                fastcgi_temp_path {{prefix}}/fastcgi;
                uwsgi_temp_path {{prefix}}/uwsgi;
                scgi_temp_path {{prefix}}/scgi;
                {{site}}
            }
            """;
        string configPath = Path.Combine(prefix, "nginx.conf");
        await File.WriteAllTextAsync(configPath, config);
        string nginx = File.Exists("/usr/sbin/nginx") ? "/usr/sbin/nginx" : "nginx";
        await RunAsync(nginx, "-t", "-q", "-p", prefix, "-c", configPath);
        var nginxProcess = Start(new ProcessStartInfo(nginx, ["-p", prefix, "-c", configPath, "-g", "daemon off;"]), "nginx");

        var https = new Uri($"https://127.0.0.1:{Invariant(httpsPort)}/");
        var cookies = new CookieContainer();
        using var handler = new HttpClientHandler
        {
            CookieContainer = cookies,
            AllowAutoRedirect = false,
            // The test's own self-signed certificate, as a tablet that accepted it once.
            ServerCertificateCustomValidationCallback = (_, _, _, _) => true,
        };
        using var staff = new HttpClient(handler) { BaseAddress = https, Timeout = TimeSpan.FromSeconds(10) };
        Assert.That(await WaitAsync(async () => (await staff.GetAsync("/health/ready")).IsSuccessStatusCode, TimeSpan.FromSeconds(20), nginxProcess),
            Is.True, "nginx answers over HTTPS for the server");
        using (var plain = new HttpClient(new HttpClientHandler { AllowAutoRedirect = false }) { BaseAddress = new Uri($"http://127.0.0.1:{Invariant(httpPort)}/") })
        {
            using var redirected = await plain.GetAsync("/console");
            Assert.That(redirected.StatusCode, Is.EqualTo(HttpStatusCode.MovedPermanently));
            Assert.That(redirected.Headers.Location?.ToString(), Is.EqualTo($"https://127.0.0.1:{Invariant(httpsPort)}/console"));
            using var authority = await plain.GetAsync("/ca");
            Assert.That(authority.StatusCode, Is.EqualTo(HttpStatusCode.OK), "the certificate page stays on plain HTTP");
            string offered = await plain.GetStringAsync("/ca.crt");
            Assert.That(offered, Is.EqualTo(await File.ReadAllTextAsync(certificate)), "tablets are offered the certificate nginx serves");
        }

        // A congress, and the secretary opens its first vote through nginx.
        Dapper.DefaultTypeMap.MatchNamesWithUnderscores = true;
        DemoAccess access;
        await using (var dataSource = new NpgsqlDataSourceBuilder(owner).Build())
        {
            access = await DemoCongress.CreateAsync(dataSource, new PasswordHasher<StaffAccount>(), "Đại hội thử nghiệm", 3, 0,
                staffPassword: "test-password", seed: Random.Shared.Next());
        }

        staff.DefaultRequestHeaders.Add(Routes.CsrfHeader, "1");
        var secretary = access.Staff.Single(s => s.Role == "secretary");
        (await staff.PostAsJsonAsync(Routes.StaffLogin, new StaffLoginRequest(secretary.UserName, secretary.Password))).EnsureSuccessStatusCode();
        Guid pollId;
        await using (var connection = new NpgsqlConnection(owner))
        {
            await connection.OpenAsync();
            await using var command = new NpgsqlCommand("SELECT id FROM poll WHERE congress_id = $1 AND title LIKE 'Thông qua Chương trình%'", connection);
            command.Parameters.AddWithValue(access.CongressId);
            pollId = (Guid)(await command.ExecuteScalarAsync())!;
        }

        (await staff.PostAsync(Routes.OpenPoll(pollId), null)).EnsureSuccessStatusCode();

        // The delegate opens their link in Chromium at nginx's HTTPS address and votes.
        var (playwright, browser) = await BrowserSession.LaunchAsync();
        try
        {
            var context = await browser.NewContextAsync(new BrowserNewContextOptions
            {
                BaseURL = https.ToString(),
                IgnoreHTTPSErrors = true,
                Locale = "vi-VN",
                ViewportSize = new ViewportSize { Width = 800, Height = 1280 },
                // A certificate the browser does not trust registers no service worker; the tablet works without one.
                ServiceWorkers = ServiceWorkerPolicy.Block,
            });
            // The language is a per-device choice kept in local storage, set before the app first starts.
            await context.AddInitScriptAsync("if (!localStorage.getItem('congressvote.lang')) localStorage.setItem('congressvote.lang', 'vi')");
            var tablet = await context.NewPageAsync();
            tablet.Console += (_, message) => { if (message.Type == "error") { TestContext.Progress.WriteLine($"[tablet] {message.Text}"); } };
            try
            {
                await tablet.GotoAsync($"/t#{access.Delegates[0].Token}");
                await tablet.GetByRole(AriaRole.Button, new() { Name = "Tán thành", Exact = true }).ClickAsync();
                await tablet.GetByRole(AriaRole.Button, new() { Name = "Xác nhận biểu quyết" }).ClickAsync();
                await Assertions.Expect(tablet.GetByTestId("recorded")).ToContainTextAsync("Tán thành", new() { Timeout = 30_000 });
            }
            catch (Exception ex) when (ex is TimeoutException or PlaywrightException)
            {
                await BrowserSession.ScreenshotAsync(tablet, "install-tablet-through-nginx");
                throw;
            }
        }
        finally
        {
            await browser.DisposeAsync();
            playwright.Dispose();
        }

        // The ballot is in the private cluster, stored by the server the unit started.
        await using (var connection = new NpgsqlConnection(owner))
        {
            await connection.OpenAsync();
            await using var command = new NpgsqlCommand("SELECT choice FROM ballot WHERE poll_id = $1", connection);
            command.Parameters.AddWithValue(pollId);
            var choices = new List<short>();
            await using (var reader = await command.ExecuteReaderAsync())
            {
                while (await reader.ReadAsync())
                {
                    choices.Add(reader.GetInt16(0));
                }
            }

            Assert.That(choices, Is.EqualTo(new[] { (short)VoteChoice.Yes }));
        }
    }
}

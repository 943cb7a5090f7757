using System.Diagnostics;
using System.Net;
using System.Net.Http.Json;
using System.Net.Security;
using System.Net.Sockets;
using System.Security.Cryptography;
using System.Security.Cryptography.X509Certificates;
using System.Text;
using CongressVote.Shared;
using CongressVote.Tests.Infrastructure;
using Npgsql;

namespace CongressVote.Tests.Security;

/// <summary>
/// The published server on a hall LAN, as a venue runs it: HTTPS from the hall's own certificate authority, plain
/// HTTP refused for a real congress, and nginx in front with every tablet at its own address.
/// </summary>
public sealed class HallNetworkTests
{
    private const string HallName = "congress.hall.test";

    [Test, CancelAfter(240_000)]
    public async Task A_real_congress_serves_HTTPS_from_its_own_authority_redirects_plain_HTTP_and_offers_the_authority_on_a_plain_page()
    {
        await using var server = await PublishedServer.StartAsync(settings: new() { ["Tls:Names"] = HallName }, https: true);
        int httpsPort = server.HttpsPort!.Value;
        using var plain = new HttpClient(new HttpClientHandler { AllowAutoRedirect = false }) { BaseAddress = server.BaseAddress };

        using var console = await plain.GetAsync("/console");
        using var api = await plain.PostAsync(Routes.StaffLogin, new StringContent("{}", Encoding.UTF8, "application/json"));
        string page = await plain.GetStringAsync("/ca");
        using var pageAnswer = await plain.GetAsync("/ca");
        byte[] der = await plain.GetByteArrayAsync("/ca.crt");
        using var authority = X509CertificateLoader.LoadCertificate(der);
        string fingerprint = string.Join(':', Convert.ToHexString(SHA256.HashData(der)).Chunk(2).Select(c => new string(c)));

        // A client that trusts this authority alone, reaching the server by the hall's name.
        X509Certificate2? served = null;
        var handler = new SocketsHttpHandler
        {
            ConnectCallback = async (context, token) =>
            {
                var socket = new Socket(SocketType.Stream, ProtocolType.Tcp);
                await socket.ConnectAsync(IPAddress.Loopback, context.DnsEndPoint.Port, token);
                return new NetworkStream(socket, ownsSocket: true);
            },
            SslOptions = new SslClientAuthenticationOptions
            {
                CertificateChainPolicy = new X509ChainPolicy
                {
                    TrustMode = X509ChainTrustMode.CustomRootTrust,
                    CustomTrustStore = { authority },
                    RevocationMode = X509RevocationMode.NoCheck,
                },
                RemoteCertificateValidationCallback = (_, certificate, _, errors) =>
                {
                    served = certificate is null ? null : X509CertificateLoader.LoadCertificate(certificate.GetRawCertData());
                    return errors == SslPolicyErrors.None;
                },
            },
        };
        using var trusting = new HttpClient(handler) { BaseAddress = new Uri($"https://{HallName}:{httpsPort}/") };
        trusting.DefaultRequestHeaders.Add(Routes.CsrfHeader, "1");
        using var ready = await trusting.GetAsync("/health/ready");
        using var signIn = await trusting.PostAsJsonAsync(Routes.StaffLogin, new StaffLoginRequest("nobody", "wrong-password"));

        Assert.Multiple(() =>
        {
            Assert.That(console.StatusCode, Is.EqualTo(HttpStatusCode.TemporaryRedirect), "a page over plain HTTP");
            Assert.That(console.Headers.Location, Is.EqualTo(new Uri($"https://127.0.0.1:{httpsPort}/console")));
            Assert.That(api.StatusCode, Is.EqualTo(HttpStatusCode.TemporaryRedirect), "a sign-in over plain HTTP never reaches the server's code");
            Assert.That(pageAnswer.StatusCode, Is.EqualTo(HttpStatusCode.OK), "the authority's page stays on plain HTTP");
            Assert.That(pageAnswer.Headers.GetValues("Content-Security-Policy").Single(), Does.Contain("default-src 'self'"));
            Assert.That(page, Does.Contain(fingerprint), "the page shows the fingerprint of the certificate it offers");
            Assert.That(page, Does.Contain("Android").And.Contain("iPad").And.Contain("Windows"));
            Assert.That(authority.HasPrivateKey, Is.False);
            Assert.That(authority.Extensions.OfType<X509BasicConstraintsExtension>().Single().CertificateAuthority, Is.True);
            Assert.That(ready.StatusCode, Is.EqualTo(HttpStatusCode.OK), "a client trusting only the hall's authority accepts the server at the hall's name");
            Assert.That(signIn.StatusCode, Is.EqualTo(HttpStatusCode.Unauthorized));
            Assert.That(served!.Extensions.OfType<X509SubjectAlternativeNameExtension>().Single().EnumerateDnsNames(), Does.Contain(HallName));
            Assert.That(served.NotAfter, Is.LessThanOrEqualTo(DateTime.Now.AddDays(398)), "no longer than browsers and iOS accept");
        });

        // The authority is made once: a restart offers the same one, so tablets that installed it keep trusting the server.
        await server.TerminateAsync();
        await server.StartProcessAsync();
        byte[] again = await plain.GetByteArrayAsync("/ca.crt");
        Assert.That(again, Is.EqualTo(der));
    }

    [Test, CancelAfter(120_000)]
    public async Task A_real_congress_does_not_start_over_plain_HTTP_on_a_LAN_address_and_says_what_to_do()
    {
        string connection = await TestDatabase.CreateAsync();
        try
        {
            string folder = await PublishedServer.AppFolderAsync();
            var start = new ProcessStartInfo("dotnet", [Path.Combine(folder, "CongressVote.Server.dll")])
            {
                WorkingDirectory = folder,
                RedirectStandardOutput = true,
                RedirectStandardError = true,
            };
            start.Environment["ConnectionStrings__Congress"] = connection;
            start.Environment["ASPNETCORE_URLS"] = $"http://0.0.0.0:{Machine.FreeLoopbackPort()}";
            using var process = Process.Start(start)!;
            var output = process.StandardOutput.ReadToEndAsync();
            var errors = process.StandardError.ReadToEndAsync();
            using var limit = new CancellationTokenSource(TimeSpan.FromSeconds(60));
            await process.WaitForExitAsync(limit.Token);
            string said = await output + await errors;

            Assert.Multiple(() =>
            {
                Assert.That(process.ExitCode, Is.Not.Zero);
                Assert.That(said, Does.Contain("over plain HTTP only").And.Contain("https://").And.Contain("Tls__AllowPlainHttp"));
            });
            // Nothing was created: the refusal comes before the database is touched.
            await using var db = NpgsqlDataSource.Create(connection);
            await using var command = db.CreateCommand("SELECT to_regclass('public.congress') IS NULL");
            Assert.That(await command.ExecuteScalarAsync(), Is.True);
        }
        finally
        {
            await TestDatabase.DropAsync(connection);
        }
    }

    [Test, CancelAfter(180_000)]
    public async Task Behind_the_shipped_nginx_site_each_tablet_address_has_its_own_sign_in_limit()
    {
        await using var server = await PublishedServer.StartAsync(settings: new() { ["RateLimits:PerAddressPerMinute"] = "30" });
        int proxyPort = Machine.FreeLoopbackPort();
        string prefix = Directory.CreateTempSubdirectory("cv-nginx-").FullName;
        string root = Path.GetFullPath(Path.Combine(TestContext.CurrentContext.TestDirectory, "../../../../.."));
        string port = server.Port.ToString(System.Globalization.CultureInfo.InvariantCulture);
        string config = (await File.ReadAllTextAsync(Path.Combine(root, "deploy/nginx/congressvote.conf")))
            .Replace("__PREFIX__", prefix, StringComparison.Ordinal)
            .Replace("__LISTEN__", $"127.0.0.1:{proxyPort}", StringComparison.Ordinal)
            .Replace("__NODE_A__", port, StringComparison.Ordinal)
            .Replace("__NODE_B__", port, StringComparison.Ordinal);
        await File.WriteAllTextAsync(Path.Combine(prefix, "nginx.conf"), config);
        using var nginx = Process.Start(new ProcessStartInfo(File.Exists("/usr/sbin/nginx") ? "/usr/sbin/nginx" : "nginx",
            ["-p", prefix, "-c", Path.Combine(prefix, "nginx.conf"), "-g", "daemon off;"]) { RedirectStandardError = true })!;
        try
        {
            using (var through = new HttpClient { BaseAddress = new Uri($"http://127.0.0.1:{proxyPort}/") })
            {
                for (int attempt = 0; attempt < 100 && !await AnswersAsync(through); attempt++)
                {
                    await Task.Delay(100);
                }
            }

            // 35 tablets, each from an address of its own (all of 127.0.0.0/8 is this machine), one sign-in each.
            var tablets = new List<HttpStatusCode>();
            for (int i = 0; i < 35; i++)
            {
                tablets.Add(await SignInFromAsync(IPAddress.Parse($"127.0.3.{i + 10}"), proxyPort));
            }

            var one = new List<HttpStatusCode>();
            for (int i = 0; i < 31; i++)
            {
                one.Add(await SignInFromAsync(IPAddress.Parse("127.0.4.10"), proxyPort));
            }

            Assert.Multiple(() =>
            {
                Assert.That(tablets, Is.All.EqualTo(HttpStatusCode.Unauthorized), "35 addresses through nginx, one wrong badge each");
                Assert.That(one.Take(30), Is.All.EqualTo(HttpStatusCode.Unauthorized));
                Assert.That(one.Last(), Is.EqualTo(HttpStatusCode.TooManyRequests), "one address, 31 attempts in a minute");
            });
        }
        finally
        {
            nginx.Kill(entireProcessTree: true);
            await nginx.WaitForExitAsync();
        }
    }

    [Test, CancelAfter(120_000)]
    public async Task A_sign_in_body_of_megabytes_is_refused_unread_and_leaves_no_trace()
    {
        await using var server = await CongressServer.StartAsync();
        var (client, _) = server.NewBrowserlessClient();
        using (client)
        {
            // Announced, not sent: the server refuses on the declared length, as a browser would see it. Spoken on
            // a socket of its own so the refusal is read before any of the body is written (a client that starts
            // writing meets a closed connection instead of the answer).
            int status;
            using (var socket = new System.Net.Sockets.TcpClient())
            {
                await socket.ConnectAsync(server.BaseAddress.Host, server.BaseAddress.Port);
                var stream = socket.GetStream();
                string head = $"POST {Routes.StaffLogin} HTTP/1.1\r\nHost: {server.BaseAddress.Authority}\r\nContent-Type: application/json\r\n" +
                    $"{Routes.CsrfHeader}: 1\r\nContent-Length: {8 * 1024 * 1024}\r\nExpect: 100-continue\r\n\r\n";
                await stream.WriteAsync(Encoding.ASCII.GetBytes(head));
                using var reader = new StreamReader(stream, Encoding.ASCII);
                string statusLine = await reader.ReadLineAsync() ?? "";
                status = int.Parse(statusLine.Split(' ')[1], System.Globalization.CultureInfo.InvariantCulture);
            }

            using var typedPassword = await client.PostAsJsonAsync(Routes.StaffLogin, new StaffLoginRequest("S3cret-typed-here", "x"));
            await using var db = NpgsqlDataSource.Create(server.ConnectionString);
            await using var command = db.CreateCommand("SELECT coalesce(string_agg(subject, '|'), '') FROM audit_event WHERE action LIKE 'security.%'");
            string subjects = (string)(await command.ExecuteScalarAsync())!;

            Assert.Multiple(() =>
            {
                Assert.That(status, Is.EqualTo((int)HttpStatusCode.RequestEntityTooLarge));
                Assert.That(typedPassword.StatusCode, Is.EqualTo(HttpStatusCode.Unauthorized));
                Assert.That(subjects, Does.Not.Contain("aaaa"), "the oversized name never reached the trail");
                Assert.That(subjects, Does.Not.Contain("S3cret-typed-here"), "a password typed as a user name never reaches the trail");
                Assert.That(subjects, Does.Contain("S3c…"));
            });
        }
    }

    private static async Task<bool> AnswersAsync(HttpClient client)
    {
        try
        {
            using var answer = await client.GetAsync("/health/live");
            return answer.IsSuccessStatusCode;
        }
        catch (HttpRequestException)
        {
            return false;
        }
    }

    /// <summary>One wrong badge sign-in through the proxy, from the given source address.</summary>
    private static async Task<HttpStatusCode> SignInFromAsync(IPAddress source, int proxyPort)
    {
        var handler = new SocketsHttpHandler
        {
            ConnectCallback = async (context, token) =>
            {
                var socket = new Socket(SocketType.Stream, ProtocolType.Tcp);
                socket.Bind(new IPEndPoint(source, 0));
                await socket.ConnectAsync(IPAddress.Loopback, proxyPort, token);
                return new NetworkStream(socket, ownsSocket: true);
            },
        };
        using var client = new HttpClient(handler) { BaseAddress = new Uri($"http://127.0.0.1:{proxyPort}/") };
        client.DefaultRequestHeaders.Add(Routes.CsrfHeader, "1");
        using var answer = await client.PostAsJsonAsync(Routes.DelegateLogin, new DelegateLoginRequest(CongressVote.Server.Delegates.BadgeTokens.New(), "device-0001", "tablet"));
        return answer.StatusCode;
    }
}

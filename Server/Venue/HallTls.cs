using System.Net;
using System.Net.NetworkInformation;
using System.Security.Cryptography;
using System.Security.Cryptography.X509Certificates;
using Microsoft.AspNetCore.Hosting.Server;
using Microsoft.AspNetCore.Hosting.Server.Features;

namespace CongressVote.Server.Venue;

public sealed class TlsOptions
{
    /// <summary>
    /// A real congress serves tablets over HTTPS. Plain HTTP on a LAN address is refused at start unless this says
    /// otherwise (TLS ended by a proxy on another machine, say). Loopback addresses are always allowed: a proxy on
    /// this machine reaches the server there.
    /// </summary>
    public bool AllowPlainHttp { get; set; }

    /// <summary>More names the certificate must cover (comma-separated), besides this machine's names and addresses.</summary>
    public string? Names { get; set; }
}

/// <summary>
/// HTTPS on a hall LAN without internet: no public authority can certify a LAN address, so the server creates, once,
/// an authority of its own (kept beside the Data Protection keys) and, from it, a certificate for the machine's
/// current names and addresses, issued again when they change or it nears its end. Staff install the authority's
/// certificate on each tablet once, from the plain page <c>/ca</c> (see <see cref="AuthorityPage"/>); afterwards
/// every certificate the server issues itself is trusted. ECDSA P-256 keys: 363 tablets connecting at once cost
/// the server a fraction of the handshakes RSA would.
/// </summary>
public sealed class HallCertificates(IConfiguration configuration)
{
    private static readonly Oid s_serverAuth = new("1.3.6.1.5.5.7.3.1");
    private readonly Lock _lock = new();
    private X509Certificate2? _authority;
    private X509Certificate2? _server;

    /// <summary>Where the authority and the server certificate live: with the key ring, or nowhere (kept in memory).</summary>
    private string? Folder { get; } = configuration["DataProtection:KeysFolder"] is { Length: > 0 } ring ? Path.Combine(ring, "tls") : null;

    public string? ExtraNames { get; } = configuration["Tls:Names"];

    public string? PublicUrl { get; } = configuration["Venue:PublicUrl"];

    /// <summary>The authority's certificate (with its private key, which never leaves the server).</summary>
    public X509Certificate2 Authority
    {
        get
        {
            lock (_lock)
            {
                return _authority ??= LoadOrCreateAuthority();
            }
        }
    }

    /// <summary>The server's certificate for the names it has now; issued again when it no longer covers them.</summary>
    public X509Certificate2 Server
    {
        get
        {
            lock (_lock)
            {
                var authority = _authority ??= LoadOrCreateAuthority();
                if (_server is null || !Covers(_server, RequiredNames()) || _server.NotAfter < DateTime.Now.AddDays(30))
                {
                    _server = LoadOrIssueServer(authority);
                }

                return _server;
            }
        }
    }

    /// <summary>When the certificate HTTPS was started with expires; null when this server has not served HTTPS with one of its own.</summary>
    public DateTime? ServedUntil
    {
        get
        {
            lock (_lock)
            {
                return _server?.NotAfter;
            }
        }
    }

    /// <summary>The authority's SHA-256 fingerprint as people compare it: "AB:CD:…".</summary>
    public string Fingerprint => Convert.ToHexString(SHA256.HashData(Authority.RawData)).Chunk(2).Select(pair => new string(pair)).Aggregate((a, b) => a + ":" + b);

    /// <summary>Names and addresses tablets may use: the host name, its .local form, every LAN address, and the configured ones.</summary>
    public (HashSet<string> Dns, HashSet<IPAddress> Ip) RequiredNames()
    {
        var dns = new HashSet<string>(StringComparer.OrdinalIgnoreCase) { "localhost" };
        var ip = new HashSet<IPAddress> { IPAddress.Loopback, IPAddress.IPv6Loopback };
        string host = Dns.GetHostName();
        if (host.Length > 0)
        {
            dns.Add(host);
            dns.Add(host.Contains('.', StringComparison.Ordinal) ? host : host + ".local");
        }

        foreach (var address in NetworkInterface.GetAllNetworkInterfaces()
            .Where(n => n.OperationalStatus == OperationalStatus.Up)
            .SelectMany(n => n.GetIPProperties().UnicastAddresses)
            .Select(a => a.Address)
            // IPv4 only: tablets on a hall Wi-Fi use it, and IPv6 privacy addresses change by the hour.
            .Where(a => a.AddressFamily == System.Net.Sockets.AddressFamily.InterNetwork))
        {
            ip.Add(address);
        }

        var named = (ExtraNames ?? "").Split(',', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries).ToList();
        if (Uri.TryCreate(PublicUrl, UriKind.Absolute, out var publicUrl))
        {
            named.Add(publicUrl.Host.Trim('[', ']'));
        }

        foreach (string name in named)
        {
            if (IPAddress.TryParse(name, out var parsed))
            {
                ip.Add(parsed);
            }
            else
            {
                dns.Add(name);
            }
        }

        return (dns, ip);
    }

    private static bool Covers(X509Certificate2 certificate, (HashSet<string> Dns, HashSet<IPAddress> Ip) required)
    {
        var san = certificate.Extensions.OfType<X509SubjectAlternativeNameExtension>().FirstOrDefault();
        if (san is null)
        {
            return false;
        }

        var dns = san.EnumerateDnsNames().ToHashSet(StringComparer.OrdinalIgnoreCase);
        var ip = san.EnumerateIPAddresses().ToHashSet();
        return required.Dns.IsSubsetOf(dns) && required.Ip.IsSubsetOf(ip);
    }

    private X509Certificate2 LoadOrCreateAuthority()
    {
        string? path = Folder is null ? null : Path.Combine(Folder, "authority.pfx");
        if (path is not null && File.Exists(path))
        {
            return X509CertificateLoader.LoadPkcs12FromFile(path, null);
        }

        using var key = ECDsa.Create(ECCurve.NamedCurves.nistP256);
        // The machine's name and the date in the subject: a tablet's list of trusted authorities then says which
        // venue server this one was, should a venue have had several.
        var request = new CertificateRequest(
            new X500DistinguishedName($"CN=CongressVote {Dns.GetHostName()} {DateTime.UtcNow:yyyy-MM-dd}, O=CongressVote"), key, HashAlgorithmName.SHA256);
        request.CertificateExtensions.Add(new X509BasicConstraintsExtension(true, true, 0, true));
        request.CertificateExtensions.Add(new X509KeyUsageExtension(X509KeyUsageFlags.KeyCertSign | X509KeyUsageFlags.CrlSign, true));
        request.CertificateExtensions.Add(new X509SubjectKeyIdentifierExtension(request.PublicKey, false));
        var now = DateTimeOffset.UtcNow;
        using var authority = request.CreateSelfSigned(now.AddDays(-1), now.AddYears(10));
        return Keep(authority, path);
    }

    private X509Certificate2 LoadOrIssueServer(X509Certificate2 authority)
    {
        var required = RequiredNames();
        string? path = Folder is null ? null : Path.Combine(Folder, "server.pfx");
        if (path is not null && File.Exists(path))
        {
            var stored = X509CertificateLoader.LoadPkcs12FromFile(path, null);
            if (Covers(stored, required) && stored.NotAfter > DateTime.Now.AddDays(30) && stored.Issuer == authority.Subject)
            {
                return stored;
            }

            stored.Dispose();
        }

        using var key = ECDsa.Create(ECCurve.NamedCurves.nistP256);
        var request = new CertificateRequest(new X500DistinguishedName($"CN={Dns.GetHostName()}"), key, HashAlgorithmName.SHA256);
        request.CertificateExtensions.Add(new X509BasicConstraintsExtension(false, false, 0, true));
        request.CertificateExtensions.Add(new X509KeyUsageExtension(X509KeyUsageFlags.DigitalSignature, true));
        request.CertificateExtensions.Add(new X509EnhancedKeyUsageExtension([s_serverAuth], false));
        request.CertificateExtensions.Add(new X509SubjectKeyIdentifierExtension(request.PublicKey, false));
        request.CertificateExtensions.Add(X509AuthorityKeyIdentifierExtension.CreateFromCertificate(authority, true, false));
        var names = new SubjectAlternativeNameBuilder();
        foreach (string dns in required.Dns)
        {
            names.AddDnsName(dns);
        }

        foreach (var ip in required.Ip)
        {
            names.AddIpAddress(ip);
        }

        request.CertificateExtensions.Add(names.Build());
        var now = DateTimeOffset.UtcNow;
        // 397 days: the longest any current browser or iOS accepts for a server certificate.
        var notAfter = now.AddDays(397) < authority.NotAfter ? now.AddDays(397) : new DateTimeOffset(authority.NotAfter);
        byte[] serial = RandomNumberGenerator.GetBytes(16);
        serial[0] &= 0x7f;
        using var issued = request.Create(authority, now.AddDays(-1), notAfter, serial);
        using var withKey = issued.CopyWithPrivateKey(key);
        return Keep(withKey, path);
    }

    /// <summary>Writes a certificate with its key readable by the server's user alone, and loads it back from PKCS #12.</summary>
    private static X509Certificate2 Keep(X509Certificate2 certificate, string? path)
    {
        byte[] pfx = certificate.Export(X509ContentType.Pkcs12);
        if (path is not null)
        {
            Directory.CreateDirectory(Path.GetDirectoryName(path)!);
            string temporary = path + ".new";
            var options = new FileStreamOptions { Mode = FileMode.Create, Access = FileAccess.Write };
            if (!OperatingSystem.IsWindows())
            {
                options.UnixCreateMode = UnixFileMode.UserRead | UnixFileMode.UserWrite;
            }

            using (var file = new FileStream(temporary, options))
            {
                file.Write(pfx);
                file.Flush(flushToDisk: true);
            }

            File.Move(temporary, path, overwrite: true);
        }

        return X509CertificateLoader.LoadPkcs12(pfx, null);
    }
}

public static class HallTls
{
    /// <summary>
    /// HTTPS endpoints without a configured certificate get the hall authority's; a real congress listening on a LAN
    /// address over plain HTTP alone does not start.
    /// </summary>
    public static WebApplicationBuilder AddHallTls(this WebApplicationBuilder builder)
    {
        var configuration = builder.Configuration;
        var certificates = new HallCertificates(configuration);
        builder.Services.AddSingleton(certificates);
        builder.Services.AddHostedService<HttpsBanner>();
        builder.Services.Configure<TlsOptions>(configuration.GetSection("Tls"));
        RefusePlainHttpOnTheLan(configuration, Urls(builder));
        if (configuration["Kestrel:Certificates:Default:Path"] is not { Length: > 0 })
        {
            // Applied first to every HTTPS endpoint; one given in code or configuration replaces it.
            builder.WebHost.ConfigureKestrel(kestrel => kestrel.ConfigureHttpsDefaults(https =>
            {
                https.ServerCertificate = certificates.Server;
                https.ServerCertificateChain = [X509CertificateLoader.LoadCertificate(certificates.Authority.RawData)];
            }));
        }

        return builder;
    }

    /// <summary>
    /// Plain HTTP answers only with a redirect to HTTPS, when the server listens on both; the authority's page, its
    /// certificate and the health checks stay on HTTP: a tablet needs the first before it trusts HTTPS.
    /// </summary>
    public static IApplicationBuilder UseHttpsWhenServed(this WebApplication app)
    {
        if (!Urls(app.Configuration).Any(u => u.StartsWith("https://", StringComparison.OrdinalIgnoreCase)))
        {
            return app;
        }

        return app.UseWhen(
            context => !context.Request.Path.StartsWithSegments("/ca") && !context.Request.Path.StartsWithSegments("/ca.crt")
                && !context.Request.Path.StartsWithSegments("/health"),
            https => https.UseHttpsRedirection());
    }

    private static List<string> Urls(WebApplicationBuilder builder) => Urls(builder.Configuration, builder.WebHost.GetSetting(WebHostDefaults.ServerUrlsKey));

    private static List<string> Urls(IConfiguration configuration, string? urls = null) =>
        (urls ?? configuration[WebHostDefaults.ServerUrlsKey] ?? "")
            .Split(';', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries)
            .Concat(configuration.GetSection("Kestrel:Endpoints").GetChildren().Select(e => e["Url"]).OfType<string>())
            .ToList();

    private static void RefusePlainHttpOnTheLan(IConfiguration configuration, List<string> urls)
    {
        bool demo = configuration.GetValue<bool>("Demo:Seed");
        bool allowed = configuration.GetValue<bool>("Tls:AllowPlainHttp");
        if (demo || allowed || urls.Any(u => u.StartsWith("https://", StringComparison.OrdinalIgnoreCase)))
        {
            return;
        }

        string? plain = urls.FirstOrDefault(u => !IsLoopback(u));
        if (plain is not null)
        {
            throw new InvalidOperationException(
                $"A real congress is served to tablets over HTTPS, but the server would listen on {plain} over plain HTTP only. " +
                "Add an https:// address (for example ASPNETCORE_URLS=\"http://0.0.0.0:5000;https://0.0.0.0:5443\"; the server makes its own " +
                "certificate, see README \"HTTPS on the hall LAN\"), or set Tls__AllowPlainHttp=true if TLS ends at a proxy elsewhere.");
        }
    }

    private static bool IsLoopback(string url)
    {
        string host = url.Replace("://+", "://0.0.0.0", StringComparison.Ordinal).Replace("://*", "://0.0.0.0", StringComparison.Ordinal);
        return Uri.TryCreate(host, UriKind.Absolute, out var uri)
            && (uri.IsLoopback || (IPAddress.TryParse(uri.Host.Trim('[', ']'), out var ip) && IPAddress.IsLoopback(ip)));
    }

    /// <summary>Says, on the console at start, where tablets get the authority and how to check it.</summary>
    private sealed class HttpsBanner(IServer server, IHostApplicationLifetime lifetime, HallCertificates certificates, IConfiguration configuration) : IHostedService
    {
        public Task StartAsync(CancellationToken cancellationToken)
        {
            if (configuration["Kestrel:Certificates:Default:Path"] is { Length: > 0 })
            {
                return Task.CompletedTask;
            }

            lifetime.ApplicationStarted.Register(() =>
            {
                var addresses = server.Features.Get<IServerAddressesFeature>()?.Addresses ?? [];
                if (!addresses.Any(a => a.StartsWith("https://", StringComparison.OrdinalIgnoreCase)))
                {
                    return;
                }

                string? plain = addresses.FirstOrDefault(a => a.StartsWith("http://", StringComparison.OrdinalIgnoreCase));
                string lan = VenueAddress.LanAddress() ?? "127.0.0.1";
                string page = plain is null ? "/ca" : new UriBuilder(plain.Replace("://0.0.0.0", "://" + lan, StringComparison.Ordinal).Replace("://[::]", "://" + lan, StringComparison.Ordinal)) { Path = "/ca" }.Uri.ToString();
                // The console, not the log: this is for the person starting the server.
                Console.WriteLine($"""

                    HTTPS: the hall's own certificate authority / Chứng chỉ gốc của hội trường
                        install on each tablet from / cài trên mỗi máy tính bảng từ:  {page}
                        SHA-256 fingerprint / dấu vân tay:  {certificates.Fingerprint}

                    """);
            });
            return Task.CompletedTask;
        }

        public Task StopAsync(CancellationToken cancellationToken) => Task.CompletedTask;
    }
}

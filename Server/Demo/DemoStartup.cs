using System.Globalization;
using System.Text;
using System.Text.Json;
using CongressVote.Server.Sessions;
using CongressVote.Server.Venue;
using CongressVote.Shared;
using Dapper;
using Microsoft.AspNetCore.Hosting.Server;
using Microsoft.AspNetCore.Hosting.Server.Features;
using Microsoft.AspNetCore.Identity;
using Microsoft.Extensions.Options;
using Npgsql;

namespace CongressVote.Server.Demo;

public sealed class DemoOptions
{
    /// <summary>Create the demo congress on first start, when the database holds no congress.</summary>
    public bool Seed { get; set; }

    /// <summary>Where the demo's links and initial passwords are kept, so every start can print them again.</summary>
    public string AccessFile { get; set; } = "demo-access.json";

    /// <summary>The staff accounts' initial password; random when not given.</summary>
    public string? StaffPassword { get; set; }

    public string CongressName { get; set; } = "Đại hội đại biểu (trình diễn CongressVote)";

    /// <summary>Official delegates in the demo; the benchmark seeds 10,000.</summary>
    public int Delegates { get; set; } = 363;

    /// <summary>How many are already checked in; 300 of 363 by default, so the desk has some left to scan.</summary>
    public int? CheckedIn { get; set; }

}

/// <summary>Seeds the demo congress after the migrations, and prints where to open it once the server listens.</summary>
public sealed class DemoStartup(
    NpgsqlDataSource db,
    IPasswordHasher<StaffAccount> hasher,
    IOptions<DemoOptions> options,
    IOptions<VenueOptions> venue,
    IServer server,
    IHostApplicationLifetime lifetime,
    ILogger<DemoStartup> logger) : IHostedService
{
    private sealed record AccessFile(string ProjectorLink, List<StaffEntry> Staff, List<DelegateEntry> Delegates);

    private sealed record StaffEntry(string UserName, string Role, string Password);

    private sealed record DelegateEntry(string Code, string FullName, string Delegation, string Link);

    private static readonly JsonSerializerOptions s_json = new() { WriteIndented = true, Encoder = System.Text.Encodings.Web.JavaScriptEncoder.UnsafeRelaxedJsonEscaping };

    public async Task StartAsync(CancellationToken cancellationToken)
    {
        var demo = options.Value;
        if (!demo.Seed)
        {
            return;
        }

        await using (var connection = await db.OpenConnectionAsync(cancellationToken))
        {
            bool any = await connection.ExecuteScalarAsync<bool>("SELECT EXISTS (SELECT 1 FROM congress)");
            if (!any)
            {
                // 300 of the 363 are already through the door (the quorum of 242 is reached); the desk checks in the rest.
                var access = await DemoCongress.CreateAsync(db, hasher, demo.CongressName, officialDelegates: demo.Delegates,
                    staffPassword: string.IsNullOrEmpty(demo.StaffPassword) ? null : demo.StaffPassword,
                    checkedIn: demo.CheckedIn ?? demo.Delegates * 300 / 363);
                var file = new AccessFile(
                    Routes.ProjectorLink(access.ProjectorCode),
                    access.Staff.Select(s => new StaffEntry(s.UserName, s.Role, s.Password)).ToList(),
                    access.Delegates.Select(d => new DelegateEntry(d.Code, d.FullName, d.Delegation, Routes.DelegateLink(d.Token))).ToList());
                Directory.CreateDirectory(Path.GetDirectoryName(Path.GetFullPath(demo.AccessFile))!);
                await File.WriteAllTextAsync(demo.AccessFile, JsonSerializer.Serialize(file, s_json), Encoding.UTF8, cancellationToken);
                if (!OperatingSystem.IsWindows())
                {
                    File.SetUnixFileMode(demo.AccessFile, UnixFileMode.UserRead | UnixFileMode.UserWrite);
                }

                logger.LogInformation("Demo congress created with {Delegates} delegates", access.Delegates.Count);
            }
        }

        lifetime.ApplicationStarted.Register(PrintAccess);
    }

    public Task StopAsync(CancellationToken cancellationToken) => Task.CompletedTask;

    private void PrintAccess()
    {
        var demo = options.Value;
        if (!File.Exists(demo.AccessFile))
        {
            logger.LogWarning("The demo access file {File} is missing; the links cannot be shown", demo.AccessFile);
            return;
        }

        var access = JsonSerializer.Deserialize<AccessFile>(File.ReadAllText(demo.AccessFile), s_json)!;
        string baseUrl = BaseUrl(venue.Value.PublicUrl);
        var text = new StringBuilder();
        text.AppendLine();
        text.AppendLine("================ CongressVote is running ================");
        text.AppendLine(CultureInfo.InvariantCulture, $"Secretariat console / Bàn thư ký:   {baseUrl}/console");
        foreach (var staff in access.Staff)
        {
            text.AppendLine(CultureInfo.InvariantCulture, $"    user {staff.UserName,-10} password {staff.Password}   ({staff.Role})");
        }

        text.AppendLine(CultureInfo.InvariantCulture, $"Projector / Màn hình hội trường:    {baseUrl}{access.ProjectorLink}");
        text.AppendLine("Sample delegate tablets / Máy tính bảng đại biểu:");
        foreach (var d in access.Delegates.Take(3))
        {
            text.AppendLine(CultureInfo.InvariantCulture, $"    {d.Code} {d.FullName} ({d.Delegation}): {baseUrl}{d.Link}");
        }

        text.AppendLine(CultureInfo.InvariantCulture, $"All {access.Delegates.Count} delegate links: {Path.GetFullPath(demo.AccessFile)}");
        text.AppendLine("Ctrl-C stops the server and the database; the data is kept for the next start.");
        text.AppendLine("==========================================================");
        Console.WriteLine(text.ToString());
    }

    private string BaseUrl(string? publicUrl)
    {
        if (!string.IsNullOrWhiteSpace(publicUrl))
        {
            return publicUrl.TrimEnd('/');
        }

        var addresses = server.Features.Get<IServerAddressesFeature>()?.Addresses ?? [];
        // Links point at HTTPS when the server serves it: plain HTTP then only redirects.
        string address = addresses.FirstOrDefault(a => a.StartsWith("https://", StringComparison.OrdinalIgnoreCase))
            ?? addresses.FirstOrDefault() ?? "http://127.0.0.1:5000";
        var uri = new Uri(address.Replace("://+", "://0.0.0.0", StringComparison.Ordinal).Replace("://*", "://0.0.0.0", StringComparison.Ordinal));
        string host = uri.Host;
        if (host is "0.0.0.0" or "[::]")
        {
            // Listening on every interface: show the LAN address tablets can reach.
            host = VenueAddress.LanAddress() ?? "127.0.0.1";
        }

        return $"{uri.Scheme}://{host}:{uri.Port}";
    }
}

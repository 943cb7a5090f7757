using System.Diagnostics;
using System.Globalization;
using System.Security.Claims;
using System.Security.Cryptography.X509Certificates;
using CongressVote.Server.Live;
using CongressVote.Server.Sessions;
using CongressVote.Server.Venue;
using Dapper;
using Microsoft.Extensions.Options;
using Npgsql;

namespace CongressVote.Server.Operations;

/// <summary>
/// The secretariat's view of the venue machine during the day (<c>GET /api/status</c>, the console's status page):
/// tablets connected against delegates present, the database's round trip, free disk, the last backup, the clock,
/// the certificate and the backplane. Each line says whether it is fine; the figures are sent bare (invariant
/// culture) and the client puts them in a sentence of its language.
/// </summary>
public static class StatusApi
{
    /// <summary>Below this much free space a folder is flagged, as deploy/preflight.sh does by default.</summary>
    private const long MinFreeBytes = 2L * 1024 * 1024 * 1024;

    /// <summary>A certificate that expires within this is flagged: a tablet refuses an expired one outright.</summary>
    private static readonly TimeSpan s_certificateWarning = TimeSpan.FromDays(7);

    /// <summary>A database slower than this to answer a trivial query is flagged: ballots wait on it.</summary>
    private const double SlowDatabaseMs = 50;

    /// <summary>
    /// One line: what is checked, whether it is fine, and the figures of the sentence the client says it in
    /// (<c>Status_&lt;Text&gt;</c> in its resources, with <see cref="Args"/> in place of {0}, {1}…). Only the console
    /// reads it, so it is no shared contract: tablets download the shared assembly, and its JSON metadata with it.
    /// </summary>
    public sealed record StatusCheck(string Check, bool Ok, string Text, IReadOnlyList<string> Args);

    public static IEndpointRouteBuilder MapStatusApi(this IEndpointRouteBuilder app)
    {
        app.MapGet("/api/status", StatusAsync).RequireAuthorization(p => p.RequireRole(Roles.AnyStaff.Split(',')));
        return app;
    }

    private static string Invariant(double value, string format = "0.0") => value.ToString(format, CultureInfo.InvariantCulture);

    private static string Time(DateTime utc) => utc.ToString("yyyy-MM-dd HH:mm:ss", CultureInfo.InvariantCulture) + " UTC";

    private static async Task<IResult> StatusAsync(
        ClaimsPrincipal user, NpgsqlDataSource db, ConnectionRegistry connections, BackplaneState backplane, Backups backups,
        HallCertificates certificates, IConfiguration configuration, IOptions<BackupOptions> backupOptions, CancellationToken cancellationToken)
    {
        Guid congressId = user.CongressId();
        var checks = new List<StatusCheck>();
        string? dataDirectory = null;
        try
        {
            using var timeout = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);
            timeout.CancelAfter(TimeSpan.FromSeconds(3));
            await using var connection = await db.OpenConnectionAsync(timeout.Token);
            // The round trip a ballot's transaction pays at least once: a pooled connection, one trivial statement.
            var clock = Stopwatch.StartNew();
            await connection.ExecuteScalarAsync<int>(new CommandDefinition("SELECT 1", cancellationToken: timeout.Token));
            double ms = clock.Elapsed.TotalMilliseconds;
            int expected = await connection.ExecuteScalarAsync<int>(new CommandDefinition(
                "SELECT count(*)::int FROM delegate WHERE congress_id = @congressId AND may_vote AND checked_in_at IS NOT NULL",
                new { congressId }, cancellationToken: timeout.Token));
            // Readable only to a superuser (or pg_read_all_settings); otherwise the key folder stands for the data.
            dataDirectory = await connection.ExecuteScalarAsync<string?>(new CommandDefinition(
                "SELECT current_setting('data_directory', true)", cancellationToken: timeout.Token));
            int connected = connections.DelegatesConnected(congressId);
            checks.Add(new("tablets", connected >= expected, "tablets", [connected.ToString(CultureInfo.InvariantCulture), expected.ToString(CultureInfo.InvariantCulture)]));
            checks.Add(new("database", ms <= SlowDatabaseMs, "latency", [Invariant(ms, "0.00")]));
        }
        catch (Exception ex) when (ex is NpgsqlException or OperationCanceledException or TimeoutException)
        {
            checks.Add(new("database", false, "database_down", []));
        }

        string keys = configuration["DataProtection:KeysFolder"] is { Length: > 0 } ring ? ring : AppContext.BaseDirectory;
        checks.Add(Disk("disk_data", dataDirectory is { Length: > 0 } && Directory.Exists(dataDirectory) ? dataDirectory : keys));
        checks.Add(backupOptions.Value.Folder is { Length: > 0 } backupFolder ? Disk("disk_backup", backupFolder) : new("disk_backup", false, "backup_off", []));
        checks.Add(Backup(backups));

        var now = DateTimeOffset.Now;
        checks.Add(new("clock", true, "clock", [Time(now.UtcDateTime), now.ToString("HH:mm:ss zzz", CultureInfo.InvariantCulture)]));
        checks.Add(Certificate(certificates, configuration));
        string state = backplane.Describe();
        checks.Add(new("backplane", state != "disconnected", "backplane_" + state, []));
        return TypedResults.Ok(checks);
    }

    private static StatusCheck Disk(string check, string folder)
    {
        try
        {
            // The folder may not exist yet (no backup so far): its nearest existing parent holds it when it does.
            string probe = Path.GetFullPath(folder);
            while (!Directory.Exists(probe) && Path.GetDirectoryName(probe) is { } parent)
            {
                probe = parent;
            }

            long free = new DriveInfo(probe).AvailableFreeSpace;
            return new(check, free >= MinFreeBytes, "disk", [Invariant(free / 1024d / 1024 / 1024), folder]);
        }
        catch (Exception ex) when (ex is IOException or UnauthorizedAccessException or ArgumentException)
        {
            return new(check, false, "disk_unknown", [folder]);
        }
    }

    private static StatusCheck Backup(Backups backups)
    {
        if (!backups.Enabled)
        {
            return new("backup", false, "backup_off", []);
        }

        if (backups.LastFailure is { } failure)
        {
            return new("backup", false, "backup_failed", [Time(failure.At), failure.Reason]);
        }

        return backups.Last is { } last
            ? new("backup", true, "backup_done", [Time(last.At), last.Path])
            : new("backup", true, "backup_none", []);
    }

    private static StatusCheck Certificate(HallCertificates certificates, IConfiguration configuration)
    {
        DateTime? until = certificates.ServedUntil;
        if (configuration["Kestrel:Certificates:Default:Path"] is { Length: > 0 } path)
        {
            try
            {
                using var configured = path.EndsWith(".pfx", StringComparison.OrdinalIgnoreCase) || path.EndsWith(".p12", StringComparison.OrdinalIgnoreCase)
                    ? X509CertificateLoader.LoadPkcs12FromFile(path, configuration["Kestrel:Certificates:Default:Password"])
                    : X509Certificate2.CreateFromPem(File.ReadAllText(path));
                until = configured.NotAfter;
            }
            catch (Exception ex) when (ex is IOException or UnauthorizedAccessException or System.Security.Cryptography.CryptographicException)
            {
                return new("certificate", false, "certificate_unreadable", [path]);
            }
        }

        if (until is not { } notAfter)
        {
            // HTTP only here: TLS ends at a proxy in front, whose certificate deploy/preflight.sh checks.
            return new("certificate", true, "certificate_none", []);
        }

        var left = notAfter.ToUniversalTime() - DateTime.UtcNow;
        return new("certificate", left > s_certificateWarning, "certificate",
            [notAfter.ToUniversalTime().ToString("yyyy-MM-dd", CultureInfo.InvariantCulture), Math.Max(0, (int)left.TotalDays).ToString(CultureInfo.InvariantCulture)]);
    }
}

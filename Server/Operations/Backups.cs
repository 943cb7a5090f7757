using System.Diagnostics;
using System.Security.Cryptography;
using System.Threading.Channels;
using Microsoft.Extensions.Options;
using Npgsql;

namespace CongressVote.Server.Operations;

public sealed class BackupOptions
{
    /// <summary>A second place (another disk, a USB stick) where a backup is written after every close; none when empty.</summary>
    public string? Folder { get; set; }

    /// <summary>How many backups to keep there; the oldest beyond it are deleted.</summary>
    public int Keep { get; set; } = 100;

    /// <summary>The pg_dump to use; by default the newest under /usr/lib/postgresql, else the one on the PATH.</summary>
    public string? PgDump { get; set; }
}

/// <summary>
/// A backup after every close, so a disk lost in the afternoon loses no result of the morning. The same form as
/// <c>deploy/backup.sh</c> writes and <c>deploy/restore.sh</c> reads: a folder with the database as a PostgreSQL
/// custom-format dump, the database's name, the key folder (Data Protection ring, audit seal key and anchor, the hall's certificate
/// authority) and a SHA-256 manifest. Never the keys of secret polls still open: with them and a copy of the
/// database, whoever holds the backup could read those ballots (docs/secret-ballots.md). A backup is written
/// beside its final name and renamed when complete, so a folder with a manifest is always whole.
/// </summary>
public sealed class Backups(IOptions<BackupOptions> options, IConfiguration configuration, ILogger<Backups> logger) : BackgroundService
{
    public const string DumpFile = "congress.dump";
    public const string ManifestFile = "manifest.sha256";

    // Closes in quick succession need one backup after the last of them, not one each.
    private readonly Channel<string> _requests = Channel.CreateBounded<string>(new BoundedChannelOptions(1) { FullMode = BoundedChannelFullMode.DropOldest });

    public bool Enabled => !string.IsNullOrWhiteSpace(options.Value.Folder);

    /// <summary>When the last backup completed, and where; null until one has.</summary>
    public (DateTime At, string Path)? Last { get; private set; }

    /// <summary>The last attempt's failure, when it failed after the last backup that completed.</summary>
    public (DateTime At, string Reason)? LastFailure { get; private set; }

    /// <summary>Asks for a backup soon (after a close has committed); returns at once.</summary>
    public void Request(string reason)
    {
        if (Enabled)
        {
            _requests.Writer.TryWrite(reason);
        }
    }

    protected override async Task ExecuteAsync(CancellationToken stoppingToken)
    {
        if (!Enabled)
        {
            return;
        }

        Last = LatestIn(options.Value.Folder!);
        await foreach (string reason in _requests.Reader.ReadAllAsync(stoppingToken))
        {
            try
            {
                string path = await BackUpAsync(stoppingToken);
                Last = (DateTime.UtcNow, path);
                LastFailure = null;
                logger.LogInformation("Backup after {Reason}: {Path}", reason, path);
            }
            catch (Exception ex) when (ex is not OperationCanceledException)
            {
                // The vote is closed and stored whatever happens here; the backup is tried again at the next close.
                logger.LogError(ex, "The backup after {Reason} failed", reason);
                LastFailure = (DateTime.UtcNow, ex.Message);
            }
        }
    }

    private async Task<string> BackUpAsync(CancellationToken cancellationToken)
    {
        string root = Path.GetFullPath(options.Value.Folder!);
        Directory.CreateDirectory(root);
        string name = $"congressvote-{DateTime.UtcNow:yyyyMMdd-HHmmss-fff}";
        string partial = Path.Combine(root, "." + name + ".partial");
        Directory.CreateDirectory(partial);

        var connection = new NpgsqlConnectionStringBuilder(configuration.GetConnectionString("CongressOwner") is { Length: > 0 } owner
            ? owner
            : configuration.GetConnectionString("Congress"));
        var dump = new ProcessStartInfo(PgDump(), ["--format=custom", "--file", Path.Combine(partial, DumpFile)])
        {
            RedirectStandardError = true,
            UseShellExecute = false,
        };
        // The password through the environment, never on a command line that any user on the machine can list.
        dump.Environment["PGHOST"] = connection.Host;
        dump.Environment["PGPORT"] = connection.Port.ToString(System.Globalization.CultureInfo.InvariantCulture);
        dump.Environment["PGUSER"] = connection.Username;
        dump.Environment["PGPASSWORD"] = connection.Password;
        dump.Environment["PGDATABASE"] = connection.Database;
        using (var process = Process.Start(dump)!)
        {
            string errors = await process.StandardError.ReadToEndAsync(cancellationToken);
            await process.WaitForExitAsync(cancellationToken);
            if (process.ExitCode != 0)
            {
                Directory.Delete(partial, recursive: true);
                throw new InvalidOperationException($"pg_dump exited with {process.ExitCode}: {errors.Trim()}");
            }
        }

        await File.WriteAllTextAsync(Path.Combine(partial, "database.txt"), connection.Database + "\n", cancellationToken);
        if (configuration["DataProtection:KeysFolder"] is { Length: > 0 } keys && Directory.Exists(keys))
        {
            CopyKeys(keys, Path.Combine(partial, "keys"));
        }

        await WriteManifestAsync(partial, cancellationToken);
        string final = Path.Combine(root, name);
        Directory.Move(partial, final);
        Prune(root);
        return final;
    }

    /// <summary>Everything in the key folder but the keys of secret polls, which exist only while a poll is open.</summary>
    private static void CopyKeys(string from, string to)
    {
        foreach (string file in Directory.EnumerateFiles(from, "*", SearchOption.AllDirectories))
        {
            string relative = Path.GetRelativePath(from, file);
            if (relative.StartsWith("secret-ballots", StringComparison.Ordinal) || file.EndsWith(".tmp", StringComparison.Ordinal) || file.EndsWith(".new", StringComparison.Ordinal))
            {
                continue;
            }

            string target = Path.Combine(to, relative);
            Directory.CreateDirectory(Path.GetDirectoryName(target)!);
            File.Copy(file, target);
            if (!OperatingSystem.IsWindows())
            {
                File.SetUnixFileMode(target, UnixFileMode.UserRead | UnixFileMode.UserWrite);
            }
        }
    }

    /// <summary>Lines as sha256sum writes them, so <c>sha256sum -c manifest.sha256</c> checks a backup anywhere.</summary>
    private static async Task WriteManifestAsync(string folder, CancellationToken cancellationToken)
    {
        var lines = new List<string>();
        foreach (string file in Directory.EnumerateFiles(folder, "*", SearchOption.AllDirectories).Order(StringComparer.Ordinal))
        {
            await using var stream = File.OpenRead(file);
            byte[] hash = await SHA256.HashDataAsync(stream, cancellationToken);
            lines.Add($"{Convert.ToHexStringLower(hash)}  {Path.GetRelativePath(folder, file).Replace('\\', '/')}");
        }

        await File.WriteAllLinesAsync(Path.Combine(folder, ManifestFile), lines, cancellationToken);
    }

    private void Prune(string root)
    {
        foreach (var old in Directory.GetDirectories(root, "congressvote-*").Order(StringComparer.Ordinal).SkipLast(Math.Max(1, options.Value.Keep)))
        {
            Directory.Delete(old, recursive: true);
        }
    }

    private static (DateTime, string)? LatestIn(string root) =>
        Directory.Exists(root)
            && Directory.GetDirectories(root, "congressvote-*").Order(StringComparer.Ordinal).LastOrDefault() is { } latest
            && File.Exists(Path.Combine(latest, ManifestFile))
            ? (File.GetLastWriteTimeUtc(Path.Combine(latest, ManifestFile)), latest)
            : null;

    private string PgDump()
    {
        if (options.Value.PgDump is { Length: > 0 } configured)
        {
            return configured;
        }

        return Directory.Exists("/usr/lib/postgresql")
            && Directory.GetDirectories("/usr/lib/postgresql")
                .Select(d => Path.Combine(d, "bin", "pg_dump"))
                .Where(File.Exists)
                .OrderBy(p => int.TryParse(Path.GetFileName(Path.GetDirectoryName(Path.GetDirectoryName(p))), out int v) ? v : 0)
                .LastOrDefault() is { } newest
            ? newest
            : "pg_dump";
    }
}

public static class BackupSetup
{
    public static IServiceCollection AddBackups(this IServiceCollection services, IConfiguration configuration)
    {
        services.Configure<BackupOptions>(configuration.GetSection("Backup"));
        services.AddSingleton<Backups>();
        services.AddHostedService(sp => sp.GetRequiredService<Backups>());
        return services;
    }
}

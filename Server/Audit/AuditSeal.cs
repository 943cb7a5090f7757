using System.Security.Cryptography;
using System.Text.Json;
using CongressVote.Shared;
using Dapper;
using Microsoft.AspNetCore.DataProtection;
using Npgsql;

namespace CongressVote.Server.Audit;

/// <summary>
/// Makes the audit trail hold against whoever owns the database. Every row is sealed with an HMAC of its chained
/// hash under a key kept beside the Data Protection key ring (sealed by it) and never in the database, so a chain
/// recomputed with the database's own function fails verification. The head of the chain (rows, last id, last
/// seal) is anchored in a file there too, every few seconds and at every close, so a truncated tail is named.
/// </summary>
public sealed class AuditSeal(IDataProtectionProvider protection, NpgsqlDataSource db, IConfiguration configuration, ILogger<AuditSeal> logger)
    : BackgroundService
{
    // AuditLog is called from every feature inside its own transaction; the key it seals with is the process's.
    // By database: the rows of a database are sealed with the key kept beside that database's server (several
    // servers in one process, as in the tests, each keep their own).
    private static readonly System.Collections.Concurrent.ConcurrentDictionary<string, byte[]> s_keys = new(StringComparer.Ordinal);

    private sealed record Anchor(long Rows, long LastId, string LastSeal, long FirstSealedId, DateTime At);

    private string Folder { get; } = configuration["DataProtection:KeysFolder"] is { Length: > 0 } ring
        ? ring
        : Path.Combine(Environment.GetFolderPath(Environment.SpecialFolder.LocalApplicationData) is { Length: > 0 } local ? local : Path.GetTempPath(), "CongressVote");

    private string AnchorFile => Path.Combine(Folder, $"audit-anchor-{new NpgsqlConnectionStringBuilder(db.ConnectionString).Database}.json");

    internal static byte[] Seal(string database, byte[] hash) =>
        HMACSHA256.HashData(s_keys.TryGetValue(database, out var key) ? key : throw new InvalidOperationException("The audit seal key is not loaded yet."), hash);

    private string Database => new NpgsqlConnectionStringBuilder(db.ConnectionString).Database!;

    public override async Task StartAsync(CancellationToken cancellationToken)
    {
        s_keys[Database] = LoadOrCreateKey();
        await base.StartAsync(cancellationToken);
    }

    private byte[] LoadOrCreateKey()
    {
        var protector = protection.CreateProtector("CongressVote.AuditSeal.v1");
        Directory.CreateDirectory(Folder);
        string path = Path.Combine(Folder, "audit-seal.key");
        if (!File.Exists(path))
        {
            // The first node to start draws the key; written aside and moved into place, so another node (or
            // another server in the same process) either finds no key or a whole one.
            string temporary = $"{path}.{Guid.NewGuid():N}.tmp";
            using (var file = new FileStream(temporary, FileMode.CreateNew, FileAccess.Write, FileShare.None, 4096, FileOptions.WriteThrough))
            {
                file.Write(protector.Protect(RandomNumberGenerator.GetBytes(32)));
                file.Flush(flushToDisk: true);
            }

            if (!OperatingSystem.IsWindows())
            {
                File.SetUnixFileMode(temporary, UnixFileMode.UserRead | UnixFileMode.UserWrite);
            }

            try
            {
                File.Move(temporary, path, overwrite: false);
            }
            catch (IOException) when (File.Exists(path))
            {
                File.Delete(temporary);
            }
        }

        return protector.Unprotect(File.ReadAllBytes(path));
    }

    protected override async Task ExecuteAsync(CancellationToken stoppingToken)
    {
        using var timer = new PeriodicTimer(TimeSpan.FromSeconds(5));
        while (await timer.WaitForNextTickAsync(stoppingToken))
        {
            try
            {
                await AnchorAsync();
            }
            catch (Exception ex) when (ex is not OperationCanceledException)
            {
                logger.LogWarning(ex, "Could not anchor the head of the audit trail; retrying");
            }
        }
    }

    /// <summary>Writes the head of the chain outside the database; it only ever moves forward.</summary>
    public async Task AnchorAsync()
    {
        await using var connection = await db.OpenConnectionAsync();
        var head = await connection.QuerySingleOrDefaultAsync<(long Rows, long LastId, byte[]? Mac, long? FirstSealed)>("""
            SELECT (SELECT count(*) FROM audit_event) AS rows, e.id AS last_id, s.mac,
                   (SELECT min(event_id) FROM audit_seal) AS first_sealed
            FROM audit_event e LEFT JOIN audit_seal s ON s.event_id = e.id
            ORDER BY e.id DESC LIMIT 1
            """);
        if (head.Mac is null)
        {
            return;
        }

        var known = ReadAnchor();
        if (known is not null && known.LastId >= head.LastId)
        {
            return;
        }

        var anchor = new Anchor(head.Rows, head.LastId, Convert.ToHexStringLower(head.Mac), known?.FirstSealedId ?? head.FirstSealed ?? head.LastId, DateTime.UtcNow);
        string temporary = AnchorFile + ".tmp";
        await File.WriteAllTextAsync(temporary, JsonSerializer.Serialize(anchor));
        File.Move(temporary, AnchorFile, overwrite: true);
    }

    private Anchor? ReadAnchor()
    {
        try
        {
            return File.Exists(AnchorFile) ? JsonSerializer.Deserialize<Anchor>(File.ReadAllText(AnchorFile)) : null;
        }
        catch (Exception ex) when (ex is IOException or JsonException)
        {
            logger.LogWarning(ex, "The audit anchor {File} cannot be read", AnchorFile);
            return null;
        }
    }

    /// <summary>The chain, every row's seal from the first sealed row on, and the anchored head.</summary>
    public async Task<AuditVerificationDto> VerifyAsync()
    {
        await using var connection = await db.OpenConnectionAsync();
        var chain = await AuditTrail.VerifyChainAsync(connection);
        var anchor = ReadAnchor();
        if (!chain.Intact)
        {
            return chain with { Reason = "chain", AnchoredRows = anchor?.Rows };
        }

        var rows = await connection.QueryAsync<(long Id, byte[] Hash, byte[]? Mac)>(
            "SELECT e.id, e.hash, s.mac FROM audit_event e LEFT JOIN audit_seal s ON s.event_id = e.id ORDER BY e.id");
        long firstSealed = anchor?.FirstSealedId ?? long.MaxValue;
        long lastId = 0;
        string? lastMac = null;
        bool sealing = false;
        foreach (var row in rows)
        {
            sealing |= row.Mac is not null || row.Id >= firstSealed;
            if (sealing && (row.Mac is null || !CryptographicOperations.FixedTimeEquals(row.Mac, Seal(Database, row.Hash))))
            {
                return chain with { Intact = false, FirstBrokenId = row.Id, Reason = "seal", AnchoredRows = anchor?.Rows };
            }

            lastId = row.Id;
            lastMac = row.Mac is null ? null : Convert.ToHexStringLower(row.Mac);
        }

        if (anchor is not null && (anchor.LastId > lastId || (anchor.LastId == lastId && anchor.LastSeal != lastMac)))
        {
            return chain with { Intact = false, FirstBrokenId = Math.Min(anchor.LastId, lastId + 1), Reason = "truncated", AnchoredRows = anchor.Rows };
        }

        return chain with { AnchoredRows = anchor?.Rows };
    }
}

using System.Collections.Concurrent;
using System.Security.Cryptography;
using Dapper;
using Microsoft.AspNetCore.DataProtection;
using Npgsql;

namespace CongressVote.Server.Polls;

/// <summary>
/// The keys that seal secret ballots while their poll is open (docs/secret-ballots.md). A key is drawn when the
/// poll opens, sealed with the Data Protection key ring (which the nodes share and the database never holds) and
/// kept in a file of its own beside the ring, so a restarted node or the other node can read it. The database
/// only ever sees ciphertext: once the poll closes or is cancelled the key file is deleted, and what the WAL,
/// a replica or a backup kept of the voting window can no longer be read by anyone.
/// </summary>
public sealed class SecretBallots(IDataProtectionProvider protection, IConfiguration configuration, NpgsqlDataSource db, ILogger<SecretBallots> logger)
    : BackgroundService
{
    /// <summary>
    /// Every sealed ballot has the same length whatever it holds (a choice, or up to 500 names and a receipt), so
    /// the size of a row says nothing either: version, choice, a bitmap of candidate positions 1-504, the receipt.
    /// </summary>
    private const int PlainLength = 2 + 63 + Shared.Receipts.Length;
    private const int NonceLength = 12;
    private const int TagLength = 16;
    public const int SealedLength = NonceLength + PlainLength + TagLength;

    /// <summary>A key file younger than this may belong to a poll whose opening has not committed yet.</summary>
    private static readonly TimeSpan s_sweepGrace = TimeSpan.FromMinutes(2);

    private readonly IDataProtector _protector = protection.CreateProtector("CongressVote.SecretBallotKey.v1");
    private readonly ConcurrentDictionary<Guid, (byte[] Key, DateTime LoadedAt)> _keys = new();

    public string Folder { get; } = configuration["SecretBallots:KeysFolder"] is { Length: > 0 } configured
        ? configured
        : configuration["DataProtection:KeysFolder"] is { Length: > 0 } ring
            ? Path.Combine(ring, "secret-ballots")
            : Path.Combine(
                Environment.GetFolderPath(Environment.SpecialFolder.LocalApplicationData) is { Length: > 0 } local ? local : Path.GetTempPath(),
                "CongressVote", "secret-ballots");

    private string FileOf(Guid pollId) => Path.Combine(Folder, $"{pollId:N}.key");

    /// <summary>Draws the key of a secret poll that is opening; written to disk before the opening commits.</summary>
    public async Task CreateKeyAsync(Guid pollId)
    {
        byte[] key = RandomNumberGenerator.GetBytes(32);
        Directory.CreateDirectory(Folder);
        string path = FileOf(pollId);
        string temporary = path + ".tmp";
        await using (var file = new FileStream(temporary, FileMode.Create, FileAccess.Write, FileShare.None, 4096, FileOptions.WriteThrough))
        {
            await file.WriteAsync(_protector.Protect(key));
            // The ballots sealed with this key are durable once their transaction commits; so must the key be.
            file.Flush(flushToDisk: true);
        }

        if (!OperatingSystem.IsWindows())
        {
            File.SetUnixFileMode(temporary, UnixFileMode.UserRead | UnixFileMode.UserWrite);
        }

        File.Move(temporary, path, overwrite: true);
        _keys[pollId] = (key, DateTime.UtcNow);
    }

    /// <summary>The key of an open secret poll: from memory, or from its file after a restart or on another node.</summary>
    public byte[]? KeyOf(Guid pollId)
    {
        if (_keys.TryGetValue(pollId, out var known))
        {
            return known.Key;
        }

        string path = FileOf(pollId);
        if (!File.Exists(path))
        {
            return null;
        }

        try
        {
            byte[] key = _protector.Unprotect(File.ReadAllBytes(path));
            _keys[pollId] = (key, DateTime.UtcNow);
            return key;
        }
        catch (Exception ex) when (ex is CryptographicException or IOException)
        {
            logger.LogError(ex, "The key of secret poll {PollId} cannot be read: is this node using the shared key ring?", pollId);
            return null;
        }
    }

    /// <summary>Forgets a poll's key for good: called after its close or cancel committed.</summary>
    public void DestroyKey(Guid pollId)
    {
        if (_keys.TryRemove(pollId, out var known))
        {
            CryptographicOperations.ZeroMemory(known.Key);
        }

        try
        {
            File.Delete(FileOf(pollId));
        }
        catch (IOException ex)
        {
            // The sweep tries again; the key stays unreadable without the ring either way.
            logger.LogWarning(ex, "Could not delete the key file of poll {PollId}", pollId);
        }
    }

    /// <summary>Seals a motion's choice or an election's kept names and receipt, bound to its poll.</summary>
    public static byte[] Seal(byte[] key, Guid pollId, Shared.CastRequest request)
    {
        ArgumentNullException.ThrowIfNull(request);
        Span<byte> plain = stackalloc byte[PlainLength];
        plain.Clear();
        plain[0] = 1;
        plain[1] = (byte)request.Choice;
        foreach (int position in request.Kept ?? [])
        {
            plain[2 + ((position - 1) >> 3)] |= (byte)(1 << ((position - 1) & 7));
        }

        if (request.Receipt is { Length: Shared.Receipts.Length } receipt)
        {
            System.Text.Encoding.ASCII.GetBytes(receipt, plain[65..]);
        }

        byte[] sealedBallot = new byte[SealedLength];
        var nonce = sealedBallot.AsSpan(0, NonceLength);
        RandomNumberGenerator.Fill(nonce);
        using var aes = new AesGcm(key, TagLength);
        aes.Encrypt(nonce, plain, sealedBallot.AsSpan(NonceLength, PlainLength), sealedBallot.AsSpan(NonceLength + PlainLength), pollId.ToByteArray());
        CryptographicOperations.ZeroMemory(plain);
        return sealedBallot;
    }

    public sealed record Unsealed(short? Choice, short[]? Kept, string? Receipt);

    /// <summary>Opens a sealed ballot at close; a ballot sealed for another poll or altered fails authentication.</summary>
    public static Unsealed Unseal(byte[] key, Guid pollId, bool election, byte[] sealedBallot)
    {
        ArgumentNullException.ThrowIfNull(sealedBallot);
        if (sealedBallot.Length != SealedLength)
        {
            throw new CryptographicException("A sealed ballot has the wrong length.");
        }

        Span<byte> plain = stackalloc byte[PlainLength];
        using var aes = new AesGcm(key, TagLength);
        aes.Decrypt(sealedBallot.AsSpan(0, NonceLength), sealedBallot.AsSpan(NonceLength, PlainLength),
            sealedBallot.AsSpan(NonceLength + PlainLength), plain, pollId.ToByteArray());
        if (!election)
        {
            return new Unsealed(plain[1], null, null);
        }

        var kept = new List<short>();
        for (int i = 0; i < 63 * 8; i++)
        {
            if ((plain[2 + (i >> 3)] & (1 << (i & 7))) != 0)
            {
                kept.Add((short)(i + 1));
            }
        }

        string receipt = System.Text.Encoding.ASCII.GetString(plain[65..]);
        return new Unsealed(null, [.. kept], receipt);
    }

    /// <summary>
    /// Unseals every ballot of a closing secret poll into plain ballots, inside the closing transaction: new random
    /// ids, written in a random order in one statement, and the sealed rows deleted. Nothing of the voting window
    /// (which transaction wrote a row, where it sat on disk) carries over to the plain ballots.
    /// </summary>
    public async Task<int> UnsealIntoBallotsAsync(NpgsqlConnection connection, NpgsqlTransaction transaction, Guid pollId, bool election)
    {
        ArgumentNullException.ThrowIfNull(connection);
        var rows = (await connection.QueryAsync<(int Weight, byte[] Sealed)>(
            "SELECT weight, sealed FROM sealed_ballot WHERE poll_id = @pollId", new { pollId }, transaction)).ToList();
        if (rows.Count > 0)
        {
            byte[] key = KeyOf(pollId) ?? throw new SecretKeyMissingException(pollId, Folder);
            var opened = rows.Select(r => (r.Weight, Ballot: Unseal(key, pollId, election, r.Sealed))).ToArray();
            RandomNumberGenerator.Shuffle(opened.AsSpan());
            await connection.ExecuteAsync("""
                INSERT INTO ballot (poll_id, id, choice, weight, kept, receipt)
                SELECT @pollId, t.id, t.choice, t.weight, CASE WHEN @election THEN string_to_array(t.kept, ',')::smallint[] END, t.receipt
                FROM unnest(@ids, @choices, @weights, @kepts, @receipts) WITH ORDINALITY AS t(id, choice, weight, kept, receipt, n)
                ORDER BY t.n
                """, new
            {
                pollId,
                election,
                ids = opened.Select(_ => Guid.NewGuid()).ToArray(),
                choices = opened.Select(o => o.Ballot.Choice).ToArray(),
                weights = opened.Select(o => o.Weight).ToArray(),
                kepts = opened.Select(o => o.Ballot.Kept is { } k ? string.Join(',', k) : null).ToArray(),
                receipts = opened.Select(o => o.Ballot.Receipt).ToArray(),
            }, transaction);
        }

        await connection.ExecuteAsync("DELETE FROM sealed_ballot WHERE poll_id = @pollId", new { pollId }, transaction);
        return rows.Count;
    }

    /// <summary>
    /// Deletes the keys of polls that are no longer open: a crash between a close's commit and the key's deletion,
    /// or a key another node still holds in memory. Only polls this database knows are touched, so servers that
    /// share a folder (tests, several congresses) do not delete each other's keys.
    /// </summary>
    protected override async Task ExecuteAsync(CancellationToken stoppingToken)
    {
        using var timer = new PeriodicTimer(TimeSpan.FromSeconds(30));
        do
        {
            try
            {
                await SweepAsync(stoppingToken);
            }
            catch (Exception ex) when (ex is not OperationCanceledException)
            {
                logger.LogWarning(ex, "Could not sweep the keys of closed secret polls; retrying");
            }
        }
        while (await timer.WaitForNextTickAsync(stoppingToken));
    }

    private async Task SweepAsync(CancellationToken cancellationToken)
    {
        var files = Directory.Exists(Folder)
            ? Directory.GetFiles(Folder, "*.key")
                .Where(f => DateTime.UtcNow - File.GetLastWriteTimeUtc(f) > s_sweepGrace)
                .Select(f => Guid.TryParseExact(Path.GetFileNameWithoutExtension(f), "N", out var id) ? id : Guid.Empty)
                .Where(id => id != Guid.Empty)
            : [];
        var inMemory = _keys.Where(k => DateTime.UtcNow - k.Value.LoadedAt > s_sweepGrace).Select(k => k.Key);
        var candidates = files.Concat(inMemory).Distinct().ToArray();
        if (candidates.Length == 0)
        {
            return;
        }

        await using var connection = await db.OpenConnectionAsync(cancellationToken);
        var finished = await connection.QueryAsync<Guid>(
            "SELECT id FROM poll WHERE id = ANY(@candidates) AND state <> 'open'", new { candidates });
        foreach (var pollId in finished)
        {
            DestroyKey(pollId);
        }
    }
}

/// <summary>The key of an open secret poll cannot be read here: the poll cannot be counted until it is restored.</summary>
public sealed class SecretKeyMissingException(Guid pollId, string folder)
    : Exception($"The key of secret poll {pollId} is missing from {folder}: restore the keys folder (and the key ring) and close again.")
{
    public Guid PollId { get; } = pollId;
}

using System.Diagnostics;
using System.Net.Http.Json;
using System.Text.RegularExpressions;
using CongressVote.Server.Polls;
using CongressVote.Shared;
using CongressVote.Tests.Infrastructure;
using Microsoft.AspNetCore.SignalR.Client;
using Microsoft.Extensions.DependencyInjection;
using Npgsql;

namespace CongressVote.Tests.Security;

/// <summary>
/// A secret vote attacked the way the venue's IT person could: as the database superuser, with the transaction
/// ids and physical positions of rows, dead row versions, the WAL of the voting window and a dump taken mid-vote.
/// Delegates vote one at a time with known choices, so that any link would show; every attack must do no better
/// than chance.
/// </summary>
public sealed partial class SecretBallotAttackTests
{
    private const int Voters = 30;
    private CongressServer _server = default!;

    [OneTimeSetUp]
    public async Task StartServer() => _server = await CongressServer.StartAsync();

    [OneTimeTearDown]
    public async Task StopServer() => await _server.DisposeAsync();

    private sealed record Trickle(Server.Demo.DemoAccess Access, HttpClient Staff, Guid PollId, Dictionary<Guid, VoteChoice> ChoiceOf);

    /// <summary>A secret motion opened, and 30 delegates voting one after another (a hall trickle) with known choices.</summary>
    private async Task<Trickle> SecretTrickleAsync(int seed)
    {
        var access = await _server.CreateCongressAsync(officialDelegates: Voters, guests: 0);
        var staff = await _server.SignInStaffAsync(access);
        await using var projector = await _server.ConnectProjectorAsync(access.ProjectorCode);
        var item = (await projector.InvokeAsync<CongressSnapshotDto>(nameof(ICongressHub.Snapshot))).Agenda[1];
        using var created = await staff.PostAsJsonAsync("/api/polls", new MotionEditDto(item.Id, "Phiếu kín", "", true, true, null), TestJson.Options);
        var motion = (await created.Content.ReadFromJsonAsync<PollDto>(TestJson.Options))!;
        (await staff.PostAsync(Routes.OpenPoll(motion.Id), null)).EnsureSuccessStatusCode();

        var random = new Random(seed);
        var choiceOf = new Dictionary<Guid, VoteChoice>();
        for (int i = 0; i < Voters; i++)
        {
            var choice = (VoteChoice)random.Next(3);
            await using var hub = await _server.ConnectDelegateAsync(access.Delegates[i].Token);
            var result = await hub.InvokeAsync<CastResult>(nameof(ICongressHub.Cast), new CastRequest(motion.Id, choice, Guid.NewGuid()));
            Assert.That(result.Status, Is.EqualTo(CastStatus.Recorded));
            choiceOf[await DelegateIdAsync(access, access.Delegates[i].Code)] = choice;
        }

        return new Trickle(access, staff, motion.Id, choiceOf);
    }

    private async Task<Guid> DelegateIdAsync(Server.Demo.DemoAccess access, string code)
    {
        await using var connection = await Superuser();
        await using var command = new NpgsqlCommand("SELECT id FROM delegate WHERE congress_id = $1 AND code = $2", connection);
        command.Parameters.AddWithValue(access.CongressId);
        command.Parameters.AddWithValue(code);
        return (Guid)(await command.ExecuteScalarAsync())!;
    }

    /// <summary>The attacker: the database superuser, not the server's own connection.</summary>
    private async Task<NpgsqlConnection> Superuser()
    {
        var connection = new NpgsqlConnection(_server.ConnectionString);
        await connection.OpenAsync();
        return connection;
    }

    private async Task<List<(Guid DelegateId, short? Choice)>> JoinOnTransactionAsync(Guid pollId)
    {
        await using var connection = await Superuser();
        await using var command = new NpgsqlCommand("""
            SELECT v.delegate_id, b.choice FROM poll_voter v JOIN ballot b ON b.poll_id = v.poll_id AND b.xmin = v.xmin
            WHERE v.poll_id = $1
            """, connection);
        command.Parameters.AddWithValue(pollId);
        var rows = new List<(Guid, short?)>();
        await using var reader = await command.ExecuteReaderAsync();
        while (await reader.ReadAsync())
        {
            rows.Add((reader.GetGuid(0), reader.IsDBNull(1) ? null : reader.GetInt16(1)));
        }

        return rows;
    }

    /// <summary>
    /// The physical-order attack: ballots in the order they sit on disk, voters in the order they cast, zipped.
    /// With three options chosen at random, chance is a third right; a link would be (nearly) all right.
    /// </summary>
    private async Task<int> RightByPhysicalOrderAsync(Trickle trickle)
    {
        await using var connection = await Superuser();
        var byCast = new List<Guid>();
        await using (var command = new NpgsqlCommand("SELECT delegate_id FROM poll_voter WHERE poll_id = $1 ORDER BY cast_at, xmin::text::bigint", connection))
        {
            command.Parameters.AddWithValue(trickle.PollId);
            await using var reader = await command.ExecuteReaderAsync();
            while (await reader.ReadAsync())
            {
                byCast.Add(reader.GetGuid(0));
            }
        }

        var byPosition = new List<short>();
        await using (var command = new NpgsqlCommand("SELECT choice FROM ballot WHERE poll_id = $1 ORDER BY ctid", connection))
        {
            command.Parameters.AddWithValue(trickle.PollId);
            await using var reader = await command.ExecuteReaderAsync();
            while (await reader.ReadAsync())
            {
                byPosition.Add(reader.GetInt16(0));
            }
        }

        Assert.That(byPosition, Has.Count.EqualTo(Voters));
        return byCast.Zip(byPosition).Count(p => (short)trickle.ChoiceOf[p.First] == p.Second);
    }

    /// <summary>Chance is 10 of 30 right (σ ≈ 2.6); the links found before sealing named 24-30. Over 20 is a link.</summary>
    private const int NoBetterThanChance = 20;

    [Test]
    public async Task While_a_secret_vote_is_open_the_database_holds_no_choice_and_every_sealed_ballot_looks_alike()
    {
        var trickle = await SecretTrickleAsync(seed: 11);
        var joined = await JoinOnTransactionAsync(trickle.PollId);
        await using var connection = await Superuser();
        await using var command = new NpgsqlCommand("""
            SELECT v.delegate_id, s.sealed FROM poll_voter v JOIN sealed_ballot s ON s.poll_id = v.poll_id AND s.xmin = v.xmin
            WHERE v.poll_id = $1
            """, connection);
        command.Parameters.AddWithValue(trickle.PollId);
        var sealedByVoter = new List<(Guid Voter, byte[] Sealed)>();
        await using (var reader = await command.ExecuteReaderAsync())
        {
            while (await reader.ReadAsync())
            {
                sealedByVoter.Add((reader.GetGuid(0), (byte[])reader[1]));
            }
        }

        // Group the sealed ballots the transaction join ties to voters by their known choice: if any byte of the
        // sealed form followed the choice, some position would be constant within a choice and differ across.
        var revealing = Enumerable.Range(0, SecretBallots.SealedLength).Where(position =>
        {
            var byChoice = sealedByVoter.GroupBy(s => trickle.ChoiceOf[s.Voter]).Select(g => g.Select(s => s.Sealed[position]).Distinct().ToList()).ToList();
            return byChoice.All(values => values.Count == 1) && byChoice.Select(values => values[0]).Distinct().Count() > 1;
        }).ToList();

        Assert.Multiple(() =>
        {
            Assert.That(joined, Is.Empty, "no plain ballot exists while the vote is open");
            Assert.That(sealedByVoter, Has.Count.EqualTo(Voters), "the join does tie each voter to a sealed row: the row must say nothing");
            Assert.That(sealedByVoter.Select(s => s.Sealed.Length).Distinct(), Is.EqualTo(new[] { SecretBallots.SealedLength }), "every sealed ballot has the same length");
            Assert.That(sealedByVoter.Select(s => Convert.ToHexString(s.Sealed)).Distinct().Count(), Is.EqualTo(Voters), "equal choices seal differently");
            Assert.That(revealing, Is.Empty, "no byte of the sealed form follows the choice");
        });
    }

    [Test]
    public async Task After_close_neither_transaction_ids_nor_physical_order_nor_dead_rows_link_a_voter_to_a_choice()
    {
        var trickle = await SecretTrickleAsync(seed: 23);
        var keys = _server.Services.GetRequiredService<SecretBallots>();
        string keyFile = Path.Combine(keys.Folder, $"{trickle.PollId:N}.key");
        bool keyOnDiskWhileOpen = File.Exists(keyFile);
        var closed = await _server.ClosePollAsync(trickle.Access, trickle.PollId);

        var joined = await JoinOnTransactionAsync(trickle.PollId);
        int rightByOrder = await RightByPhysicalOrderAsync(trickle);
        await using var connection = await Superuser();
        await using (var extension = new NpgsqlCommand("CREATE EXTENSION IF NOT EXISTS pageinspect", connection))
        {
            await extension.ExecuteNonQueryAsync();
        }

        // Every row version ever written to the ballot table, dead or alive, with the transaction that wrote it.
        await using var pages = new NpgsqlCommand("""
            WITH voters AS (SELECT xmin::text AS xid FROM poll_voter WHERE poll_id = $1),
                 versions AS (
                    SELECT t.t_xmin::text AS xid
                    FROM generate_series(0, pg_relation_size('ballot') / current_setting('block_size')::int - 1) AS blk,
                         LATERAL heap_page_items(get_raw_page('ballot', blk::int)) AS t
                    WHERE t.t_xmin IS NOT NULL)
            SELECT (SELECT count(*) FROM versions WHERE xid IN (SELECT xid FROM voters)) AS written_by_a_voter,
                   (SELECT count(DISTINCT xmin::text) FROM ballot WHERE poll_id = $1) AS writers
            """, connection);
        pages.Parameters.AddWithValue(trickle.PollId);
        long writtenByVoter, writers;
        await using (var reader = await pages.ExecuteReaderAsync())
        {
            await reader.ReadAsync();
            writtenByVoter = reader.GetInt64(0);
            writers = reader.GetInt64(1);
        }

        Assert.Multiple(async () =>
        {
            Assert.That(closed.Result!.Yes + closed.Result.No + closed.Result.Abstain, Is.EqualTo(Voters));
            Assert.That(closed.Result.Yes, Is.EqualTo(trickle.ChoiceOf.Values.Count(c => c == VoteChoice.Yes)), "the count is exact");
            Assert.That(closed.Result.No, Is.EqualTo(trickle.ChoiceOf.Values.Count(c => c == VoteChoice.No)));
            Assert.That(joined, Is.Empty, "no ballot shares a transaction with its voter");
            Assert.That(writers, Is.EqualTo(1), "every plain ballot was written by the closing transaction");
            Assert.That(writtenByVoter, Is.Zero, "no row version of the ballot table, dead or alive, was written by a voter's transaction");
            Assert.That(rightByOrder, Is.LessThanOrEqualTo(NoBetterThanChance), "physical order predicts no better than chance");
            Assert.That(await _server.CountAsync("SELECT count(*) FROM sealed_ballot WHERE poll_id = $1", trickle.PollId), Is.Zero);
            Assert.That(keyOnDiskWhileOpen, Is.True, "the key was on disk, outside the database, while the vote was open");
            Assert.That(File.Exists(keyFile), Is.False, "the key is destroyed at close: the sealed rows left in the WAL cannot be read");
            Assert.That(keys.KeyOf(trickle.PollId), Is.Null);
        });
    }

    [Test]
    public async Task The_WAL_of_the_voting_window_holds_plain_ballots_only_from_the_closing_transaction()
    {
        string start;
        string dataDirectory;
        long database, ballotFile;
        await using (var connection = await Superuser())
        {
            start = (string)(await new NpgsqlCommand("SELECT pg_current_wal_insert_lsn()::text", connection).ExecuteScalarAsync())!;
            dataDirectory = (string)(await new NpgsqlCommand("SHOW data_directory", connection).ExecuteScalarAsync())!;
            database = Convert.ToInt64(await new NpgsqlCommand("SELECT oid FROM pg_database WHERE datname = current_database()", connection).ExecuteScalarAsync(), System.Globalization.CultureInfo.InvariantCulture);
            ballotFile = Convert.ToInt64(await new NpgsqlCommand("SELECT pg_relation_filenode('ballot')", connection).ExecuteScalarAsync(), System.Globalization.CultureInfo.InvariantCulture);
        }

        var trickle = await SecretTrickleAsync(seed: 37);
        await _server.ClosePollAsync(trickle.Access, trickle.PollId);
        string end;
        var voterTransactions = new HashSet<string>();
        await using (var connection = await Superuser())
        {
            end = (string)(await new NpgsqlCommand("SELECT pg_current_wal_flush_lsn()::text", connection).ExecuteScalarAsync())!;
            await using var command = new NpgsqlCommand("SELECT xmin::text FROM poll_voter WHERE poll_id = $1", connection);
            command.Parameters.AddWithValue(trickle.PollId);
            await using var reader = await command.ExecuteReaderAsync();
            while (await reader.ReadAsync())
            {
                voterTransactions.Add(reader.GetString(0));
            }
        }

        // pg_waldump reads the WAL files themselves, as a replica, an archive or a base backup would hold them.
        var dump = Process.Start(new ProcessStartInfo(Machine.PostgresBinary("pg_waldump"), ["-p", Path.Combine(dataDirectory, "pg_wal"), "-s", start, "-e", end])
        {
            RedirectStandardOutput = true,
            RedirectStandardError = true,
        })!;
        string wal = await dump.StandardOutput.ReadToEndAsync();
        await dump.WaitForExitAsync();
        string relation = $"/{database}/{ballotFile} ";
        var writersOfBallots = wal.Split('\n')
            .Where(line => line.Contains("rmgr: Heap ", StringComparison.Ordinal) && line.Contains("desc: INSERT", StringComparison.Ordinal) && line.Contains(relation, StringComparison.Ordinal))
            .Select(line => TransactionOf().Match(line).Groups[1].Value)
            .ToList();

        Assert.Multiple(() =>
        {
            Assert.That(writersOfBallots, Has.Count.GreaterThanOrEqualTo(Voters), "the WAL shows the plain ballots being written");
            Assert.That(writersOfBallots.Distinct().Count(), Is.EqualTo(1), "all by one transaction: the close");
            Assert.That(writersOfBallots.Intersect(voterTransactions), Is.Empty, "none by a voter's transaction");
        });
    }

    [Test]
    public async Task A_dump_taken_mid_vote_holds_no_choice()
    {
        var trickle = await SecretTrickleAsync(seed: 41);
        var builder = new NpgsqlConnectionStringBuilder(_server.ConnectionString);
        var start = new ProcessStartInfo(Machine.PostgresBinary("pg_dump"),
            ["--data-only", "--table=ballot", "--table=sealed_ballot", "--table=poll_voter", "-h", builder.Host!, "-p", builder.Port.ToString(System.Globalization.CultureInfo.InvariantCulture), "-U", builder.Username!, builder.Database!])
        {
            RedirectStandardOutput = true,
            RedirectStandardError = true,
        };
        start.Environment["PGPASSWORD"] = builder.Password;
        var dump = Process.Start(start)!;
        string text = await dump.StandardOutput.ReadToEndAsync();
        await dump.WaitForExitAsync();
        Assert.That(dump.ExitCode, Is.Zero, await dump.StandardError.ReadToEndAsync());

        static List<string> Rows(string dumpText, string table, Guid pollId)
        {
            int from = dumpText.IndexOf($"COPY public.{table} ", StringComparison.Ordinal);
            return from < 0 ? [] : dumpText[from..].Split('\n').Skip(1).TakeWhile(l => l != "\\.").Where(l => l.Contains(pollId.ToString(), StringComparison.Ordinal)).ToList();
        }

        var sealedRows = Rows(text, "sealed_ballot", trickle.PollId);
        Assert.Multiple(() =>
        {
            Assert.That(Rows(text, "ballot", trickle.PollId), Is.Empty, "no plain ballot of an open secret vote");
            Assert.That(Rows(text, "poll_voter", trickle.PollId), Has.Count.EqualTo(Voters));
            Assert.That(sealedRows, Has.Count.EqualTo(Voters));
            Assert.That(sealedRows.Select(r => r.Split('\t')[3].Length).Distinct().Count(), Is.EqualTo(1), "sealed rows of one length, whatever the choice");
        });
    }

    [Test]
    public async Task A_cancelled_secret_vote_never_shows_counts_and_leaves_no_readable_ballot()
    {
        var trickle = await SecretTrickleAsync(seed: 53);
        var keys = _server.Services.GetRequiredService<SecretBallots>();
        using var cancelled = await trickle.Staff.PostAsJsonAsync($"/api/polls/{trickle.PollId}/cancel", new CancelPollDto("Nhầm nội dung"), TestJson.Options);
        cancelled.EnsureSuccessStatusCode();
        await using var connection = await _server.Db.OpenConnectionAsync();
        var poll = (await PollQueries.FindAsync(connection, trickle.PollId))!;
        var tally = await PollQueries.TallyAsync(connection, poll);
        await using var projector = await _server.ConnectProjectorAsync(trickle.Access.ProjectorCode);
        var snapshot = await projector.InvokeAsync<CongressSnapshotDto>(nameof(ICongressHub.Snapshot));

        Assert.Multiple(async () =>
        {
            Assert.That(tally.Counts, Is.Null, "a cancelled secret vote shows turnout only");
            Assert.That(tally.Turnout, Is.EqualTo(Voters));
            Assert.That(snapshot.Tally is null || snapshot.Tally.PollId != trickle.PollId || snapshot.Tally.Counts is null, Is.True);
            Assert.That(await _server.CountAsync("SELECT count(*) FROM sealed_ballot WHERE poll_id = $1", trickle.PollId), Is.Zero, "the sealed ballots are deleted unread");
            Assert.That(await _server.CountAsync("SELECT count(*) FROM ballot WHERE poll_id = $1", trickle.PollId), Is.Zero);
            Assert.That(keys.KeyOf(trickle.PollId), Is.Null, "and the key destroyed");
        });
    }

    [GeneratedRegex(@"tx:\s+(\d+),")]
    private static partial Regex TransactionOf();
}

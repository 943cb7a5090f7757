using System.Diagnostics;
using System.Net.Http.Json;
using CongressVote.Server.Demo;
using CongressVote.Shared;
using CongressVote.Tests.Infrastructure;
using Microsoft.AspNetCore.SignalR.Client;
using Npgsql;

namespace CongressVote.Tests.Data;

/// <summary>
/// A backup is only as good as its restore: the server's automatic backup after a close and deploy/backup.sh,
/// restored with deploy/restore.sh into another database and key folder, give back every row, an audit trail that
/// verifies, and the same results from a server started on them.
/// </summary>
public sealed class BackupRestoreTests
{
    [Test, CancelAfter(240_000)]
    public async Task A_backup_after_a_close_restores_to_identical_tables_a_verified_audit_trail_and_the_same_results()
    {
        string work = Directory.CreateTempSubdirectory("cv-backup-").FullName;
        string keysA = Path.Combine(work, "keys-a");
        string keysB = Path.Combine(work, "keys-b");
        string backups = Path.Combine(work, "backups");
        string restoredDb = await TestDatabase.CreateAsync();
        await using var original = await CongressServer.StartAsync(new Dictionary<string, string?>
        {
            ["DataProtection:KeysFolder"] = keysA,
            ["Backup:Folder"] = backups,
        });
        try
        {
            DemoAccess access = await original.CreateCongressAsync(officialDelegates: 6, guests: 0, checkedIn: 6);
            var poll = await original.OpenPollAsync(access);
            var choices = new[] { VoteChoice.Yes, VoteChoice.Yes, VoteChoice.No, VoteChoice.Yes, VoteChoice.Abstain };
            for (int i = 0; i < choices.Length; i++)
            {
                await using var hub = await original.ConnectDelegateAsync(access.Delegates[i].Token);
                var cast = await hub.InvokeAsync<CastResult>(nameof(ICongressHub.Cast), new CastRequest(poll.Id, choices[i], Guid.NewGuid()));
                Assert.That(cast.Status, Is.EqualTo(CastStatus.Recorded));
            }

            var closed = await original.ClosePollAsync(access, poll.Id);
            string automatic = await WaitForBackupAsync(backups);

            // The script's backup of the same database verifies too, and its dump is one pg_restore reads.
            var source = new NpgsqlConnectionStringBuilder(original.ConnectionString);
            string scripted = (await RunAsync("deploy/backup.sh", [Path.Combine(work, "by-script")], source, keysA)).Trim().Split('\n')[^1];
            await RunAsync("/usr/bin/env", ["sh", "-c", "cd \"$0\" && sha256sum --strict --quiet -c manifest.sha256", scripted], null, null);
            string list = await RunAsync(Machine.PostgresBinary("pg_restore"), ["--list", Path.Combine(scripted, "congress.dump")], null, null);
            Assert.That(list, Does.Contain("TABLE DATA public ballot"));

            // Restore the server's own backup into another database and key folder.
            var target = new NpgsqlConnectionStringBuilder(restoredDb);
            NpgsqlConnection.ClearAllPools();
            await RunAsync("deploy/restore.sh", [automatic], target, keysB);

            var tables = await TablesAsync(original.ConnectionString);
            foreach (string table in tables)
            {
                Assert.That(await DigestAsync(restoredDb, table), Is.EqualTo(await DigestAsync(original.ConnectionString, table)), $"table {table}");
            }

            Assert.That(Directory.EnumerateFiles(Path.Combine(automatic, "keys"), "*", SearchOption.AllDirectories).Select(Path.GetFileName),
                Does.Contain("audit-seal.key").And.Contain($"audit-anchor-{source.Database}.json"));

            await using var restored = await CongressServer.StartAsync(new Dictionary<string, string?> { ["DataProtection:KeysFolder"] = keysB }, restoredDb);
            using var admin = await restored.SignInStaffAsync(access, "admin");
            var verification = await admin.GetFromJsonAsync<AuditVerificationDto>("/api/audit/verify", TestJson.Options);
            await using var projector = await restored.ConnectProjectorAsync(access.ProjectorCode);
            var again = (await projector.InvokeAsync<CongressSnapshotDto>(nameof(ICongressHub.Snapshot))).Polls.Single(p => p.Id == poll.Id);

            Assert.Multiple(() =>
            {
                Assert.That(tables, Has.Count.GreaterThan(20));
                Assert.That(verification!.Intact, Is.True, verification.Reason);
                Assert.That(verification.Rows, Is.GreaterThan(0));
                Assert.That(again.State, Is.EqualTo(PollState.Closed));
                Assert.That(again.Result, Is.EqualTo(closed.Result), "the restored server serves the same result");
                Assert.That((again.Result!.Yes, again.Result.No, again.Result.Abstain), Is.EqualTo((3, 1, 1)));
            });
        }
        finally
        {
            NpgsqlConnection.ClearAllPools();
            await TestDatabase.DropAsync(restoredDb);
            Directory.Delete(work, recursive: true);
        }
    }

    private static async Task<string> WaitForBackupAsync(string folder)
    {
        for (int i = 0; i < 300; i++)
        {
            if (Directory.Exists(folder) && Directory.GetDirectories(folder, "congressvote-*").FirstOrDefault() is { } done)
            {
                return done;
            }

            await Task.Delay(100);
        }

        Assert.Fail("no backup was written within 30 s of the close");
        return "";
    }

    private static async Task<string> RunAsync(string script, string[] arguments, NpgsqlConnectionStringBuilder? database, string? keys)
    {
        bool bash = script.EndsWith(".sh", StringComparison.Ordinal);
        var start = new ProcessStartInfo(bash ? "bash" : script)
        {
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            WorkingDirectory = Repository.Root,
        };
        if (bash)
        {
            start.ArgumentList.Add(Path.Combine(Repository.Root, script));
        }

        foreach (string argument in arguments)
        {
            start.ArgumentList.Add(argument);
        }

        if (database is not null)
        {
            start.Environment["PGHOST"] = database.Host;
            start.Environment["PGPORT"] = database.Port.ToString(System.Globalization.CultureInfo.InvariantCulture);
            start.Environment["PGUSER"] = database.Username;
            start.Environment["PGPASSWORD"] = database.Password;
            start.Environment["PGDATABASE"] = database.Database;
        }

        if (keys is not null)
        {
            start.Environment["CONGRESSVOTE_KEYS"] = keys;
        }

        using var process = Process.Start(start)!;
        var output = process.StandardOutput.ReadToEndAsync();
        string errors = await process.StandardError.ReadToEndAsync();
        await process.WaitForExitAsync();
        Assert.That(process.ExitCode, Is.Zero, $"{script} {string.Join(' ', arguments)}: {errors}");
        return await output;
    }

    private static async Task<List<string>> TablesAsync(string connectionString)
    {
        await using var connection = new NpgsqlConnection(connectionString);
        await connection.OpenAsync();
        await using var command = new NpgsqlCommand("SELECT tablename FROM pg_tables WHERE schemaname = 'public' ORDER BY tablename", connection);
        await using var reader = await command.ExecuteReaderAsync();
        var tables = new List<string>();
        while (await reader.ReadAsync())
        {
            tables.Add(reader.GetString(0));
        }

        return tables;
    }

    /// <summary>Every row of a table, as text, in a fixed order, hashed.</summary>
    private static async Task<string> DigestAsync(string connectionString, string table)
    {
        await using var connection = new NpgsqlConnection(connectionString);
        await connection.OpenAsync();
        await using var command = new NpgsqlCommand(
            $"SELECT count(*)::text || ':' || md5(coalesce(string_agg(t::text, E'\\n' ORDER BY t::text), '')) FROM \"{table}\" t", connection);
        return (string)(await command.ExecuteScalarAsync())!;
    }
}

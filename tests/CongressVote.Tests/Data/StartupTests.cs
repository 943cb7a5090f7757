using System.Net.Http.Json;
using CongressVote.Server.Data;
using CongressVote.Shared;
using CongressVote.Tests.Infrastructure;
using Npgsql;

namespace CongressVote.Tests.Data;

public sealed class StartupTests
{
    [Test]
    public async Task The_server_refuses_to_start_against_a_database_without_synchronous_commit()
    {
        string connectionString = await TestDatabase.CreateAsync();
        try
        {
            string name = new NpgsqlConnectionStringBuilder(connectionString).Database!;
            await using (var connection = new NpgsqlConnection(TestDatabase.ServerConnectionString))
            {
                await connection.OpenAsync();
                await using var command = new NpgsqlCommand($"ALTER DATABASE {name} SET synchronous_commit = off", connection);
                await command.ExecuteNonQueryAsync();
            }

            var ex = Assert.ThrowsAsync<InvalidOperationException>(() => CongressServer.StartAsync(connectionString: connectionString));
            Assert.That(ex!.Message, Does.Contain("synchronous_commit=off"));
        }
        finally
        {
            await TestDatabase.DropAsync(connectionString);
        }
    }

    [Test]
    public async Task The_server_starts_without_synchronous_commit_only_when_told_it_is_a_throwaway_demo()
    {
        string connectionString = await TestDatabase.CreateAsync();
        string name = new NpgsqlConnectionStringBuilder(connectionString).Database!;
        await using (var connection = new NpgsqlConnection(TestDatabase.ServerConnectionString))
        {
            await connection.OpenAsync();
            await using var command = new NpgsqlCommand($"ALTER DATABASE {name} SET synchronous_commit = off", connection);
            await command.ExecuteNonQueryAsync();
        }

        await using var server = await CongressServer.StartAsync(
            new Dictionary<string, string?> { ["Database:AllowNonDurableCommits"] = "true" }, connectionString);
        Assert.That(server.BaseAddress, Is.Not.Null);
    }

    [Test]
    public async Task The_first_start_creates_the_congress_and_its_administrator_from_the_environment_and_only_then()
    {
        await using var empty = await CongressServer.StartAsync();
        await using var configured = await CongressServer.StartAsync(new Dictionary<string, string?>
        {
            ["Setup:AdminPassword"] = "a-long-admin-password",
            ["Setup:CongressName"] = "Đại hội đại biểu Hội Cựu chiến binh",
        });

        var (client, _) = configured.NewBrowserlessClient();
        using (client)
        {
            using var wrong = await client.PostAsJsonAsync(Routes.StaffLogin, new StaffLoginRequest("admin", "admin"));
            using var right = await client.PostAsJsonAsync(Routes.StaffLogin, new StaffLoginRequest("admin", "a-long-admin-password"));
            var settings = await client.GetFromJsonAsync<CongressSettingsDto>("/api/congress", TestJson.Options);

            Assert.Multiple(async () =>
            {
                Assert.That(await empty.CountAsync("SELECT count(*) FROM congress WHERE $1::uuid IS NOT NULL", Guid.Empty), Is.Zero, "no password, no congress");
                Assert.That(wrong.StatusCode, Is.EqualTo(System.Net.HttpStatusCode.Unauthorized), "there is no default password");
                Assert.That(right.IsSuccessStatusCode, Is.True);
                Assert.That(settings!.Name, Is.EqualTo("Đại hội đại biểu Hội Cựu chiến binh"));
            });
        }
    }

    [Test]
    public async Task Applying_the_migrations_again_changes_nothing()
    {
        await using var server = await CongressServer.StartAsync();

        int again = await Migrator.ApplyAsync(server.Db);

        Assert.That(again, Is.Zero);
    }

    [Test]
    public async Task An_older_server_refuses_a_schema_a_newer_one_has_migrated_and_says_so()
    {
        await using var server = await CongressServer.StartAsync();
        await using (var newer = server.Db.CreateCommand("INSERT INTO schema_migration (version, name) VALUES (9999, '9999_from_a_newer_version.sql')"))
        {
            await newer.ExecuteNonQueryAsync();
        }

        var refused = Assert.ThrowsAsync<InvalidOperationException>(() => Migrator.ApplyAsync(server.Db));
        await using var count = server.Db.CreateCommand("SELECT max(version) FROM schema_migration WHERE version < 9999");
        int latest = (int)(await count.ExecuteScalarAsync())!;

        Assert.Multiple(() =>
        {
            Assert.That(refused!.Message, Does.Contain("migration 9999, newer than this server's last"));
            Assert.That(latest, Is.EqualTo(Migrator.LatestVersion), "nothing was undone");
        });
    }

    [Test]
    public async Task Two_nodes_migrating_the_same_database_at_once_apply_each_script_once()
    {
        string connectionString = await TestDatabase.CreateAsync();
        try
        {
            await using var a = NpgsqlDataSource.Create(connectionString);
            await using var b = NpgsqlDataSource.Create(connectionString);

            var applied = await Task.WhenAll(Migrator.ApplyAsync(a), Migrator.ApplyAsync(b));

            await using var command = a.CreateCommand("SELECT count(*) FROM schema_migration");
            long rows = (long)(await command.ExecuteScalarAsync())!;
            Assert.Multiple(() =>
            {
                Assert.That(applied.Sum(), Is.EqualTo(rows));
                Assert.That(applied, Has.One.Zero);
            });
        }
        finally
        {
            await TestDatabase.DropAsync(connectionString);
        }
    }
}

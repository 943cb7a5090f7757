using CongressVote.Shared;
using CongressVote.Tests.Infrastructure;
using Microsoft.AspNetCore.SignalR.Client;
using Npgsql;

namespace CongressVote.Tests.Security;

/// <summary>
/// The server runs as a database role of its own: the owner migrates, the server votes. That role cannot rewrite
/// or empty the audit trail, nor switch off the triggers that guard it.
/// </summary>
public sealed class LeastPrivilegeTests
{
    private CongressServer _server = default!;
    private string _role = default!;

    [OneTimeSetUp]
    public async Task StartServer()
    {
        string owner = await TestDatabase.CreateAsync();
        _role = "cv_app_" + Guid.NewGuid().ToString("N")[..10];
        await using (var connection = new NpgsqlConnection(owner))
        {
            await connection.OpenAsync();
            await using var create = new NpgsqlCommand($"CREATE ROLE {_role} LOGIN PASSWORD 'app-password'", connection);
            await create.ExecuteNonQueryAsync();
        }

        string app = new NpgsqlConnectionStringBuilder(owner) { Username = _role, Password = "app-password" }.ConnectionString;
        _server = await CongressServer.StartAsync(new Dictionary<string, string?>
        {
            ["ConnectionStrings:Congress"] = app,
            ["ConnectionStrings:CongressOwner"] = owner,
        }, connectionString: owner);
    }

    [OneTimeTearDown]
    public async Task StopServer()
    {
        await _server.DisposeAsync();
        await using var connection = new NpgsqlConnection(TestDatabase.ServerConnectionString);
        await connection.OpenAsync();
        await using var drop = new NpgsqlCommand($"DROP ROLE IF EXISTS {_role}", connection);
        await drop.ExecuteNonQueryAsync();
    }

    private async Task<string?> RefusalAsync(string sql)
    {
        await using var connection = await _server.Db.OpenConnectionAsync();
        await using var command = new NpgsqlCommand(sql, connection);
        try
        {
            await command.ExecuteNonQueryAsync();
            return null;
        }
        catch (PostgresException ex)
        {
            return ex.SqlState;
        }
    }

    [Test]
    public async Task The_servers_role_votes_but_cannot_rewrite_empty_or_unguard_the_audit_trail()
    {
        var access = await _server.CreateCongressAsync(officialDelegates: 3, guests: 0);
        var poll = await _server.OpenPollAsync(access);
        await using (var hub = await _server.ConnectDelegateAsync(access.Delegates[0].Token))
        {
            Assert.That((await hub.InvokeAsync<CastResult>(nameof(ICongressHub.Cast), new CastRequest(poll.Id, VoteChoice.Yes, Guid.NewGuid()))).Status,
                Is.EqualTo(CastStatus.Recorded));
        }

        var closed = await _server.ClosePollAsync(access, poll.Id);
        string? currentUser;
        await using (var connection = await _server.Db.OpenConnectionAsync())
        {
            currentUser = (string?)await new NpgsqlCommand("SELECT current_user", connection).ExecuteScalarAsync();
        }

        Assert.Multiple(async () =>
        {
            Assert.That(currentUser, Is.EqualTo(_role), "the server connects as its own role, not the owner");
            Assert.That(closed.Result!.Yes, Is.EqualTo(1), "and runs a whole vote as that role");
            Assert.That(await RefusalAsync("TRUNCATE audit_event CASCADE"), Is.EqualTo(PostgresErrorCodes.InsufficientPrivilege));
            Assert.That(await RefusalAsync("UPDATE audit_event SET actor = 'nobody'"), Is.EqualTo(PostgresErrorCodes.InsufficientPrivilege));
            Assert.That(await RefusalAsync("DELETE FROM audit_seal"), Is.EqualTo(PostgresErrorCodes.InsufficientPrivilege));
            Assert.That(await RefusalAsync("ALTER TABLE audit_event DISABLE TRIGGER ALL"), Is.EqualTo(PostgresErrorCodes.InsufficientPrivilege));
            Assert.That(await RefusalAsync("SET session_replication_role = replica"), Is.EqualTo(PostgresErrorCodes.InsufficientPrivilege));
            Assert.That(await RefusalAsync("DROP TABLE ballot"), Is.EqualTo(PostgresErrorCodes.InsufficientPrivilege));
        });
    }
}

using System.Net.Http.Json;
using CongressVote.Shared;
using CongressVote.Tests.Infrastructure;
using Npgsql;

namespace CongressVote.Tests.Security;

/// <summary>The audit trail attacked by its owner: the database superuser, who can bypass triggers and recompute hashes.</summary>
public sealed class AuditTamperTests
{
    private CongressServer _server = default!;

    [OneTimeSetUp]
    public async Task StartServer() => _server = await CongressServer.StartAsync();

    [OneTimeTearDown]
    public async Task StopServer() => await _server.DisposeAsync();

    private async Task AsSuperuserAsync(string sql)
    {
        await using var connection = new NpgsqlConnection(_server.ConnectionString);
        await connection.OpenAsync();
        await using var command = new NpgsqlCommand(sql, connection);
        await command.ExecuteNonQueryAsync();
    }

    private async Task<AuditVerificationDto> VerifyAsync(Server.Demo.DemoAccess access)
    {
        using var admin = await _server.SignInStaffAsync(access, "admin");
        return (await admin.GetFromJsonAsync<AuditVerificationDto>("/api/audit/verify", TestJson.Options))!;
    }

    [Test, CancelAfter(120_000)]
    public async Task Forty_writers_at_once_leave_a_chain_that_verifies()
    {
        // Each writer holds the chain's lock for a moment before committing, so the others queue with their rows
        // half-inserted: the order they get the lock in need not be the order they arrived in.
        await Task.WhenAll(Enumerable.Range(0, 40).Select(async i =>
        {
            await using var connection = await _server.Db.OpenConnectionAsync();
            await using var transaction = await connection.BeginTransactionAsync();
            await Server.Audit.AuditLog.WriteAsync(transaction, "test", null, null, "test.concurrent", i.ToString(System.Globalization.CultureInfo.InvariantCulture));
            await Task.Delay(Random.Shared.Next(0, 15));
            await transaction.CommitAsync();
        }));

        await using var check = await _server.Db.OpenConnectionAsync();
        var verification = await Server.Audit.AuditTrail.VerifyChainAsync(check);
        Assert.That(verification.Intact, Is.True, $"first broken row {verification.FirstBrokenId}");
    }

    [Test]
    public void Truncating_the_audit_trail_is_refused()
    {
        var ex = Assert.ThrowsAsync<PostgresException>(() => AsSuperuserAsync("TRUNCATE audit_event CASCADE"));
        Assert.That(ex!.MessageText, Does.Contain("append-only"));
    }

    // One test, in order: each attack is repaired by the next one's starting point only through the database owner.
    [Test]
    public async Task A_chain_recomputed_with_the_databases_own_function_or_a_cut_tail_fails_verification()
    {
        var access = await _server.CreateCongressAsync(officialDelegates: 3, guests: 0);
        var poll = await _server.OpenPollAsync(access);
        await _server.ClosePollAsync(access, poll.Id);
        var before = await VerifyAsync(access);
        long target = await _server.CountAsync("SELECT max(id) FROM audit_event WHERE congress_id = $1 AND action = 'poll.open'", access.CongressId);

        // Edit a row's actor and recompute every following hash, exactly as the database itself would.
        await AsSuperuserAsync($"""
            SET session_replication_role = replica;
            UPDATE audit_event SET actor = 'nobody' WHERE id = {target};
            DO $$
            DECLARE r audit_event; previous bytea;
            BEGIN
                SELECT hash INTO previous FROM audit_event WHERE id < {target} ORDER BY id DESC LIMIT 1;
                FOR r IN SELECT * FROM audit_event WHERE id >= {target} ORDER BY id LOOP
                    UPDATE audit_event SET prev_hash = coalesce(previous, '\x00'::bytea), hash = audit_row_hash(coalesce(previous, '\x00'::bytea), r) WHERE id = r.id;
                    previous := audit_row_hash(coalesce(previous, '\x00'::bytea), r);
                END LOOP;
            END $$;
            """);
        var recomputed = await VerifyAsync(access);
        long rowsNow = recomputed.Rows;

        Assert.Multiple(() =>
        {
            Assert.That(before.Intact, Is.True);
            Assert.That(recomputed.Intact, Is.False, "the chain itself checks out, but the seals do not");
            Assert.That(recomputed.Reason, Is.EqualTo("seal"));
            Assert.That(recomputed.FirstBrokenId, Is.EqualTo(target));
        });

        // On a fresh congress the trail is sound again from here on only if nothing is cut: delete the tail.
        var other = await _server.CreateCongressAsync(officialDelegates: 2, guests: 0);
        var second = await _server.OpenPollAsync(other);
        await _server.ClosePollAsync(other, second.Id);
        long last = await _server.CountAsync("SELECT max(id) FROM audit_event WHERE $1::uuid IS NOT NULL", other.CongressId);
        await AsSuperuserAsync($"""
            SET session_replication_role = replica;
            DELETE FROM audit_seal WHERE event_id > {last} - 5;
            DELETE FROM audit_event WHERE id > {last} - 5;
            """);
        var cut = await VerifyAsync(other);

        Assert.Multiple(() =>
        {
            Assert.That(rowsNow, Is.GreaterThan(0));
            Assert.That(cut.Intact, Is.False);
            Assert.That(cut.AnchoredRows, Is.Not.Null, "the head was anchored outside the database at the close");
        });
    }

    [Test]
    public async Task The_audit_export_keeps_a_typed_formula_as_text()
    {
        var access = await _server.CreateCongressAsync(officialDelegates: 2, guests: 0);
        using var staff = await _server.SignInStaffAsync(access);
        using var item = await staff.PostAsJsonAsync("/api/agenda", new AgendaItemEditDto("=HYPERLINK(\"http://evil\",\"Báo cáo\")", "report", null, null), TestJson.Options);
        item.EnsureSuccessStatusCode();
        string csv = await staff.GetStringAsync("/api/audit/export");

        Assert.Multiple(() =>
        {
            Assert.That(csv, Does.Contain("'=HYPERLINK"), "the cell starts with an apostrophe: text, not a formula");
            Assert.That(csv, Does.Not.Match("(^|,)\"?=HYPERLINK"));
        });
    }
}

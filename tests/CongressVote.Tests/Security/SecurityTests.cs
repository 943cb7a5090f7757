using System.Net;
using System.Net.Http.Json;
using CongressVote.Server.Audit;
using CongressVote.Shared;
using CongressVote.Tests.Infrastructure;
using Microsoft.AspNetCore.SignalR;
using Microsoft.AspNetCore.SignalR.Client;
using Npgsql;

namespace CongressVote.Tests.Security;

public sealed class SecurityTests
{
    private CongressServer _server = default!;
    private readonly CapturedLogs _logs = new();

    [OneTimeSetUp]
    public async Task StartServer() => _server = await CongressServer.StartAsync(logs: _logs);

    [OneTimeTearDown]
    public async Task StopServer()
    {
        await _server.DisposeAsync();
        _logs.Dispose();
    }

    [Test]
    public async Task Five_wrong_passwords_lock_the_account_even_against_the_right_one_and_it_is_audited()
    {
        var access = await _server.CreateCongressAsync(officialDelegates: 2, guests: 0);
        var chair = access.Staff.Single(s => s.Role == "chair");
        var (client, _) = _server.NewBrowserlessClient();
        using (client)
        {
            var answers = new List<string>();
            for (int i = 0; i < 5; i++)
            {
                using var wrong = await client.PostAsJsonAsync(Routes.StaffLogin, new StaffLoginRequest(chair.UserName, "not the password"));
                answers.Add(await wrong.Content.ReadAsStringAsync());
            }

            using var right = await client.PostAsJsonAsync(Routes.StaffLogin, new StaffLoginRequest(chair.UserName, chair.Password));

            Assert.Multiple(async () =>
            {
                Assert.That(answers.Take(4), Has.All.Contains("bad_credentials"));
                Assert.That(answers[4], Does.Contain("account_locked"));
                Assert.That(right.StatusCode, Is.EqualTo(HttpStatusCode.Unauthorized));
                Assert.That(await right.Content.ReadAsStringAsync(), Does.Contain("account_locked"));
                Assert.That(await _server.CountAsync("SELECT count(*) FROM audit_event WHERE congress_id = $1 AND action = 'security.account_locked'", access.CongressId), Is.EqualTo(1));
            });
        }
    }

    [Test]
    public async Task The_audit_chain_verifies_and_detects_an_edited_row()
    {
        var access = await _server.CreateCongressAsync(officialDelegates: 3, guests: 0);
        var poll = await _server.OpenPollAsync(access);
        await _server.ClosePollAsync(access, poll.Id);
        using var admin = await _server.SignInStaffAsync(access, "admin");
        var before = (await admin.GetFromJsonAsync<AuditVerificationDto>("/api/audit/verify", TestJson.Options))!;
        long target = await _server.CountAsync("SELECT max(id) FROM audit_event WHERE congress_id = $1 AND action = 'poll.open'", access.CongressId);

        // Someone with database access rewrites history, bypassing the append-only trigger.
        await using (var connection = new NpgsqlConnection(_server.ConnectionString))
        {
            await connection.OpenAsync();
            await using (var bypass = new NpgsqlCommand("SET session_replication_role = replica", connection))
            {
                await bypass.ExecuteNonQueryAsync();
            }

            await using var command = new NpgsqlCommand("UPDATE audit_event SET actor = 'nobody' WHERE id = $1", connection);
            command.Parameters.AddWithValue(target);
            await command.ExecuteNonQueryAsync();
        }

        await using var check = await _server.Db.OpenConnectionAsync();
        var after = await AuditTrail.VerifyChainAsync(check);
        Assert.Multiple(() =>
        {
            Assert.That(before.Intact, Is.True);
            Assert.That(after.Intact, Is.False);
            Assert.That(after.FirstBrokenId, Is.EqualTo(target));
        });
    }

    [Test]
    public async Task The_audit_trail_refuses_updates_and_deletes()
    {
        await using var connection = await _server.Db.OpenConnectionAsync();
        await using var command = new NpgsqlCommand("DELETE FROM audit_event WHERE id = (SELECT min(id) FROM audit_event)", connection);

        var ex = Assert.ThrowsAsync<PostgresException>(() => command.ExecuteNonQueryAsync());

        Assert.That(ex!.MessageText, Does.Contain("append-only"));
    }

    [Test]
    public async Task A_hub_connection_from_a_foreign_origin_is_refused()
    {
        var access = await _server.CreateCongressAsync(officialDelegates: 2, guests: 0);
        var (client, _) = _server.NewBrowserlessClient();
        using (client)
        {
            (await client.PostAsJsonAsync(Routes.DelegateLogin, CongressServer.Login(access.Delegates[0].Token))).EnsureSuccessStatusCode();
            using var foreign = new HttpRequestMessage(HttpMethod.Post, Routes.Hub + "/negotiate?negotiateVersion=1");
            foreign.Headers.Add("Origin", "http://evil.example");
            using var own = new HttpRequestMessage(HttpMethod.Post, Routes.Hub + "/negotiate?negotiateVersion=1");
            own.Headers.Add("Origin", _server.BaseAddress.GetLeftPart(UriPartial.Authority));

            using var refused = await client.SendAsync(foreign);
            using var accepted = await client.SendAsync(own);

            Assert.Multiple(() =>
            {
                Assert.That(refused.StatusCode, Is.EqualTo(HttpStatusCode.Forbidden));
                Assert.That(accepted.StatusCode, Is.EqualTo(HttpStatusCode.OK));
            });
        }
    }

    [Test]
    public async Task A_connection_that_floods_the_hub_is_slowed_down_with_a_clear_refusal()
    {
        var access = await _server.CreateCongressAsync(officialDelegates: 2, guests: 0);
        await using var hub = await _server.ConnectDelegateAsync(access.Delegates[0].Token);
        var refusals = 0;
        for (int i = 0; i < 40; i++)
        {
            try
            {
                await hub.InvokeAsync<CongressSnapshotDto>(nameof(ICongressHub.Snapshot));
            }
            catch (HubException ex) when (ex.Message.Contains("rate_limited", StringComparison.Ordinal))
            {
                refusals++;
            }
        }

        Assert.That(refusals, Is.EqualTo(10), "30 calls per 10 s are served, the rest refused");
    }

    [Test]
    public async Task Badge_tokens_never_appear_in_the_server_logs()
    {
        var access = await _server.CreateCongressAsync(officialDelegates: 3, guests: 0, checkedIn: 2);
        var poll = await _server.OpenPollAsync(access);
        using var desk = await _server.SignInStaffAsync(access, "credentials");
        (await desk.PostAsJsonAsync("/api/checkin/scan", new ScanRequest($"http://hall/t#{access.Delegates[2].Token}", null, "Cửa 1"), TestJson.Options)).EnsureSuccessStatusCode();
        await using (var hub = await _server.ConnectDelegateAsync(access.Delegates[0].Token))
        {
            await hub.InvokeAsync<CastResult>(nameof(ICongressHub.Cast), new CastRequest(poll.Id, VoteChoice.Yes, Guid.NewGuid()));
        }

        var (client, _) = _server.NewBrowserlessClient();
        using (client)
        {
            await client.PostAsJsonAsync(Routes.DelegateLogin, CongressServer.Login("ZZZZZZZZZZZZZZZZZZZZZZ"));
            await client.PostAsJsonAsync(Routes.ProjectorLogin, new TokenLoginRequest(access.ProjectorCode));
        }

        var secrets = access.Delegates.Take(3).Select(d => d.Token).Append(access.ProjectorCode).Append("ZZZZZZZZZZZZZZZZZZZZZZ").ToList();
        Assert.Multiple(() =>
        {
            Assert.That(_logs.Lines, Is.Not.Empty);
            foreach (string secret in secrets)
            {
                Assert.That(_logs.Lines.Where(l => l.Contains(secret, StringComparison.Ordinal)), Is.Empty);
            }
        });
    }
}

using System.Diagnostics;
using System.Globalization;
using System.Text.Json;
using CongressVote.Shared;
using CongressVote.Tests.Infrastructure;
using Npgsql;

namespace CongressVote.Tests.Faults;

/// <summary>
/// Tablets behind a link that drops: the load generator runs inside a network namespace of its own, joined to this
/// machine by a virtual cable (veth pair); the cable is unplugged mid-burst and plugged back in. Needs root (ip netns).
/// </summary>
[Category("Fault")]
// Heavy (many sockets, a saturated CPU) or timing-sensitive: runs alone, never beside the browser tests.
[NonParallelizable]
public sealed class LinkCutTests
{
    [Test, CancelAfter(300_000)]
    public async Task Cutting_a_clients_link_mid_burst_and_restoring_it_loses_and_duplicates_nothing()
    {
        if (Environment.UserName != "root")
        {
            Assert.Ignore("network namespaces need root; deploy/test.sh runs as root or with sudo");
        }

        int net = Random.Shared.Next(1, 250);
        string id = Random.Shared.Next(1000, 9999).ToString(CultureInfo.InvariantCulture);
        string ns = "cvns" + id, host = "cvh" + id, client = "cvc" + id;
        string hostAddress = $"10.213.{net}.1", clientAddress = $"10.213.{net}.2";
        string work = Directory.CreateTempSubdirectory("cv-linkcut-").FullName;
        await Machine.RunAsync("ip", "netns", "add", ns);
        try
        {
            await Machine.RunAsync("ip", "link", "add", host, "type", "veth", "peer", "name", client);
            await Machine.RunAsync("ip", "link", "set", client, "netns", ns);
            await Machine.RunAsync("ip", "addr", "add", hostAddress + "/30", "dev", host);
            await Machine.RunAsync("ip", "link", "set", host, "up");
            await Machine.RunAsync("ip", "netns", "exec", ns, "ip", "addr", "add", clientAddress + "/30", "dev", client);
            await Machine.RunAsync("ip", "netns", "exec", ns, "ip", "link", "set", client, "up");
            await Machine.RunAsync("ip", "netns", "exec", ns, "ip", "link", "set", "lo", "up");

            // The node listens on loopback (for the test) and on its end of the cable (for the clients).
            await using var node = await PublishedServer.StartAsync(
                settings: new Dictionary<string, string?> { ["Tls:AllowPlainHttp"] = "true" }, alsoListenOn: hostAddress);
            var access = await node.CreateCongressAsync(officialDelegates: 300);

            string accessFile = Path.Combine(work, "access.json");
            await File.WriteAllTextAsync(accessFile, JsonSerializer.Serialize(new
            {
                ProjectorLink = Routes.ProjectorLink(access.ProjectorCode),
                Staff = access.Staff.Select(s => new { s.UserName, s.Role, s.Password }),
                Delegates = access.Delegates.Select(d => new { d.Code, d.FullName, d.Delegation, Link = Routes.DelegateLink(d.Token) }),
            }));
            string root = Path.GetFullPath(Path.Combine(TestContext.CurrentContext.TestDirectory, "../../../../.."));
            string loadgen = Path.Combine(root, "tests/CongressVote.LoadGen/bin/Release/net10.0/CongressVote.LoadGen.dll");
            string keysFile = Path.Combine(work, "keys.txt"), summaryFile = Path.Combine(work, "summary.json");
            using var clients = Process.Start(new ProcessStartInfo("ip",
            [
                "netns", "exec", ns, "dotnet", loadgen, "--url", $"http://{hostAddress}:{node.Port}", "--access", accessFile,
                "--window-ms", "10000", "--private-network", "true", "--warm-up", "false", "--keys", keysFile, "--json", summaryFile, "--scenario", "link cut",
            ])
            { RedirectStandardOutput = true, RedirectStandardError = true })!;
            var output = clients.StandardOutput.ReadToEndAsync();
            var errors = clients.StandardError.ReadToEndAsync();

            // Unplug the cable four seconds, while ballots are on their way, then plug it back in.
            await Machine.WaitForOpenPollAsync(node.ConnectionString, access.CongressId);
            await Task.Delay(2000);
            await Machine.RunAsync("ip", "link", "set", host, "down");
            await Task.Delay(4000);
            await Machine.RunAsync("ip", "link", "set", host, "up");
            await Machine.RunAsync("ip", "addr", "replace", hostAddress + "/30", "dev", host);

            await clients.WaitForExitAsync();
            await TestContext.Out.WriteLineAsync(await output);
            var keys = (await File.ReadAllLinesAsync(keysFile)).Where(l => l.Length > 0).Select(Guid.Parse).ToArray();
            await using var connection = new NpgsqlConnection(node.ConnectionString);
            await connection.OpenAsync();
            await using var command = new NpgsqlCommand(
                "SELECT (SELECT count(*) FROM poll_voter WHERE cast_key = ANY($1)), (SELECT count(*) FROM ballot), (SELECT count(*) FROM poll_voter)", connection);
            command.Parameters.AddWithValue(keys);
            await using var reader = await command.ExecuteReaderAsync();
            await reader.ReadAsync();
            long found = reader.GetInt64(0), ballots = reader.GetInt64(1), voters = reader.GetInt64(2);
            await TestContext.Out.WriteLineAsync($"| client link cut 4 s (veth down in a network namespace) | 1 | 300 | {keys.Length} | {keys.Length - found} | {ballots - voters} |");

            Assert.Multiple(async () =>
            {
                Assert.That(clients.ExitCode, Is.Zero, await errors);
                Assert.That(keys, Has.Length.EqualTo(300), "every delegate behind the cut link was acknowledged in the end");
                Assert.That(found, Is.EqualTo(keys.Length), "every acknowledged key is in the database");
                Assert.That(ballots, Is.EqualTo(voters), "one ballot per voter");
                Assert.That(voters, Is.EqualTo(300));
            });
        }
        finally
        {
            await Machine.RunAsync("ip", "netns", "del", ns);
            // Deleting the namespace removes its end of the cable, and with it the pair.
            Directory.Delete(work, recursive: true);
        }
    }
}

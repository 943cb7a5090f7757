using System.Diagnostics;
using System.Net;
using System.Net.Sockets;
using CongressVote.Server.Venue;
using CongressVote.Tests.Infrastructure;
using Microsoft.Extensions.Configuration;
using Npgsql;

namespace CongressVote.Tests.Operations;

/// <summary>deploy/preflight.sh on a machine set up as the day needs it, then with each check broken.</summary>
public sealed class PreflightTests
{
    [Test, CancelAfter(240_000)]
    public async Task The_preflight_passes_a_ready_venue_machine_and_fails_each_check_that_is_broken()
    {
        string data = Directory.CreateTempSubdirectory("cv-preflight-").FullName;
        string keys = Path.Combine(data, "keys");
        string connection = await TestDatabase.CreateAsync();
        var database = new NpgsqlConnectionStringBuilder(connection);
        try
        {
            // A ready machine: a key ring and the hall's certificate (made as the server makes them), a fresh backup,
            // and the server answering over HTTPS at the badges' address.
            var configuration = new ConfigurationBuilder().AddInMemoryCollection(new Dictionary<string, string?> { ["DataProtection:KeysFolder"] = keys }).Build();
            using var certificate = new HallCertificates(configuration).Server;
            await using var server = await CongressServer.StartAsync(new Dictionary<string, string?> { ["DataProtection:KeysFolder"] = keys }, https: certificate);
            var access = await server.CreateCongressAsync(officialDelegates: 2, guests: 0);
            using (await server.SignInStaffAsync(access))
            {
                // Signing in makes the key ring.
            }

            var ready = new Dictionary<string, string?>
            {
                ["PGHOST"] = database.Host,
                ["PGPORT"] = database.Port.ToString(System.Globalization.CultureInfo.InvariantCulture),
                ["PGUSER"] = database.Username,
                ["PGPASSWORD"] = database.Password,
                ["PGDATABASE"] = database.Database,
                ["CONGRESSVOTE_DATA"] = data,
                ["CONGRESSVOTE_KEYS"] = keys,
                ["CONGRESSVOTE_PORT"] = Machine.FreeLoopbackPort().ToString(System.Globalization.CultureInfo.InvariantCulture),
                ["CONGRESSVOTE_HTTPS_PORT"] = Machine.FreeLoopbackPort().ToString(System.Globalization.CultureInfo.InvariantCulture),
                ["CONGRESSVOTE_PUBLIC_URL"] = server.BaseAddress.ToString().TrimEnd('/'),
                ["CONGRESSVOTE_CLOCK_REFERENCE"] = DateTime.Now.ToString("yyyy-MM-dd HH:mm:ss", System.Globalization.CultureInfo.InvariantCulture),
                ["CONGRESSVOTE_MIN_FREE_GB"] = "1",
            };
            Assert.That((await RunAsync("deploy/backup.sh", ready, Path.Combine(data, "backups"))).Status, Is.Zero);
            var (status, lines) = await RunAsync("deploy/preflight.sh", ready);
            TestContext.Out.WriteLine(string.Join('\n', lines));
            Assert.Multiple(() =>
            {
                Assert.That(status, Is.Zero, string.Join('\n', lines));
                foreach (string check in new[] { "database", "free-disk", "port", "clock", "certificate", "badge-address", "keys", "backup" })
                {
                    Assert.That(lines.Where(l => Check(l) == check).Select(Verdict), Is.Not.Empty.And.All.EqualTo("PASS"), check);
                }
            });

            // Each check broken: the database away, the disk too small, a port taken by another program, the clock
            // two hours off, an unreadable certificate, badges pointing at another machine, no keys, no backup.
            using var squatter = new TcpListener(IPAddress.Loopback, 0);
            squatter.Start();
            string empty = Directory.CreateTempSubdirectory("cv-preflight-empty-").FullName;
            Directory.CreateDirectory(Path.Combine(empty, "keys", "tls"));
            await File.WriteAllTextAsync(Path.Combine(empty, "keys", "tls", "server.pfx"), "not a certificate");
            var broken = new Dictionary<string, string?>(ready)
            {
                ["PGPORT"] = Machine.FreeLoopbackPort().ToString(System.Globalization.CultureInfo.InvariantCulture),
                ["CONGRESSVOTE_MIN_FREE_GB"] = "100000",
                ["CONGRESSVOTE_PORT"] = ((IPEndPoint)squatter.LocalEndpoint).Port.ToString(System.Globalization.CultureInfo.InvariantCulture),
                ["CONGRESSVOTE_CLOCK_REFERENCE"] = DateTime.Now.AddHours(-2).ToString("yyyy-MM-dd HH:mm:ss", System.Globalization.CultureInfo.InvariantCulture),
                ["CONGRESSVOTE_PUBLIC_URL"] = "https://203.0.113.9:5443",
                ["CONGRESSVOTE_DATA"] = empty,
                ["CONGRESSVOTE_KEYS"] = Path.Combine(empty, "keys"),
            };
            var (brokenStatus, brokenLines) = await RunAsync("deploy/preflight.sh", broken);
            TestContext.Out.WriteLine(string.Join('\n', brokenLines));
            Assert.Multiple(() =>
            {
                Assert.That(brokenStatus, Is.Not.Zero);
                foreach (string check in new[] { "database", "free-disk", "port", "clock", "certificate", "badge-address", "keys", "backup" })
                {
                    Assert.That(brokenLines.Where(l => Check(l) == check).Select(Verdict), Does.Contain("FAIL"), check);
                }
            });
            Directory.Delete(empty, recursive: true);
        }
        finally
        {
            NpgsqlConnection.ClearAllPools();
            await TestDatabase.DropAsync(connection);
            Directory.Delete(data, recursive: true);
        }
    }

    private static string Verdict(string line) => line.Split(' ', StringSplitOptions.RemoveEmptyEntries)[0];

    private static string Check(string line) => line.Split(' ', StringSplitOptions.RemoveEmptyEntries) is { Length: > 1 } parts ? parts[1] : "";

    private static async Task<(int Status, string[] Lines)> RunAsync(string script, Dictionary<string, string?> environment, params string[] arguments)
    {
        var start = new ProcessStartInfo("bash", [Path.Combine(Repository.Root, script), .. arguments])
        {
            RedirectStandardOutput = true,
            RedirectStandardError = true,
        };
        foreach (var (key, value) in environment)
        {
            start.Environment[key] = value;
        }

        using var process = Process.Start(start)!;
        var errors = process.StandardError.ReadToEndAsync();
        string output = await process.StandardOutput.ReadToEndAsync();
        await process.WaitForExitAsync();
        TestContext.Out.WriteLine(await errors);
        return (process.ExitCode, output.Split('\n', StringSplitOptions.RemoveEmptyEntries));
    }
}

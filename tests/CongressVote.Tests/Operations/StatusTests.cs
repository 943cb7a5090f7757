using System.Globalization;
using System.Net.Http.Json;
using CongressVote.Server.Demo;
using CongressVote.Server.Operations;
using CongressVote.Tests.Infrastructure;

namespace CongressVote.Tests.Operations;

/// <summary>The status the secretariat reads during the day, from a real server on a real database.</summary>
public sealed class StatusTests
{
    private static StatusApi.StatusCheck Line(List<StatusApi.StatusCheck> checks, string check) => checks.Single(c => c.Check == check);

    [Test, CancelAfter(120_000)]
    public async Task The_status_counts_connected_tablets_against_delegates_present_times_the_database_and_reports_a_failed_backup()
    {
        string work = Directory.CreateTempSubdirectory("cv-status-").FullName;
        await using var server = await CongressServer.StartAsync(new Dictionary<string, string?>
        {
            ["Backup:Folder"] = Path.Combine(work, "backups"),
            // A pg_dump that is not there: the backup after the close fails, and the status must say so.
            ["Backup:PgDump"] = Path.Combine(work, "no-pg_dump"),
        });
        DemoAccess access = await server.CreateCongressAsync(officialDelegates: 5, guests: 0, checkedIn: 5);
        using var chair = await server.SignInStaffAsync(access, "chair");
        await using var first = await server.ConnectDelegateAsync(access.Delegates[0].Token);
        var secondTablet = await server.SignInDelegateAsync(access.Delegates[1].Token);
        await using var second = await server.ConnectHubAsync(secondTablet);
        // The same tablet reconnecting alongside its old connection is still one tablet.
        await using var again = await server.ConnectHubAsync(secondTablet);

        var before = (await chair.GetFromJsonAsync<List<StatusApi.StatusCheck>>("/api/status"))!;
        var poll = await server.OpenPollAsync(access);
        await server.ClosePollAsync(access, poll.Id);
        List<StatusApi.StatusCheck> after;
        var waited = System.Diagnostics.Stopwatch.StartNew();
        do
        {
            await Task.Delay(200);
            after = (await chair.GetFromJsonAsync<List<StatusApi.StatusCheck>>("/api/status"))!;
        }
        while (Line(after, "backup").Text != "backup_failed" && waited.Elapsed < TimeSpan.FromSeconds(30));

        Assert.Multiple(() =>
        {
            Assert.That(before.Select(c => c.Check), Is.EqualTo(new[] { "tablets", "database", "disk_data", "disk_backup", "backup", "clock", "certificate", "backplane" }));
            Assert.That(Line(before, "tablets").Args, Is.EqualTo(new[] { "2", "5" }));
            Assert.That(Line(before, "tablets").Ok, Is.False, "three delegates present have no tablet connected");
            Assert.That(double.Parse(Line(before, "database").Args[0], CultureInfo.InvariantCulture), Is.GreaterThan(0).And.LessThan(3000));
            Assert.That(Line(before, "disk_data").Text, Is.EqualTo("disk"));
            Assert.That(double.Parse(Line(before, "disk_backup").Args[0], CultureInfo.InvariantCulture), Is.GreaterThan(0));
            Assert.That(Line(before, "backup").Text, Is.EqualTo("backup_none"));
            Assert.That(DateTime.Parse(Line(before, "clock").Args[0].Replace(" UTC", "", StringComparison.Ordinal), CultureInfo.InvariantCulture),
                Is.EqualTo(DateTime.UtcNow).Within(TimeSpan.FromMinutes(1)));
            Assert.That(Line(before, "backplane").Text, Is.EqualTo("backplane_none"));
            Assert.That(Line(after, "backup").Text, Is.EqualTo("backup_failed"));
            Assert.That(Line(after, "backup").Ok, Is.False);
        });
    }

    [Test, CancelAfter(60_000)]
    public async Task The_status_gives_the_expiry_of_the_hall_certificate_https_is_served_with()
    {
        string keys = Directory.CreateTempSubdirectory("cv-status-tls-").FullName;
        await using var server = await CongressServer.StartAsync(new Dictionary<string, string?>
        {
            ["DataProtection:KeysFolder"] = keys,
        });
        var certificates = server.Services.GetService(typeof(CongressVote.Server.Venue.HallCertificates)) as CongressVote.Server.Venue.HallCertificates;
        // As Kestrel does when it starts an HTTPS endpoint with the hall's certificate.
        var issued = certificates!.Server;
        DemoAccess access = await server.CreateCongressAsync(officialDelegates: 2, guests: 0);
        using var staff = await server.SignInStaffAsync(access, "credentials");

        var checks = (await staff.GetFromJsonAsync<List<StatusApi.StatusCheck>>("/api/status"))!;
        var line = Line(checks, "certificate");
        Assert.Multiple(() =>
        {
            Assert.That(line.Text, Is.EqualTo("certificate"));
            Assert.That(line.Args[0], Is.EqualTo(issued.NotAfter.ToUniversalTime().ToString("yyyy-MM-dd", CultureInfo.InvariantCulture)));
            Assert.That(int.Parse(line.Args[1], CultureInfo.InvariantCulture), Is.GreaterThan(300));
            Assert.That(line.Ok, Is.True);
        });
    }
}

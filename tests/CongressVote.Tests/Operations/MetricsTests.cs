using System.Globalization;
using System.Net;
using CongressVote.Server.Demo;
using CongressVote.Shared;
using CongressVote.Tests.Infrastructure;
using System.Net.Http.Json;
using CongressVote.LoadGen;

namespace CongressVote.Tests.Operations;

/// <summary>/metrics as Prometheus scrapes it: the ballots, their durations and batches, live connections and the database pool.</summary>
public sealed class MetricsTests
{
    /// <summary>
    /// Against the published server in a process of its own, as Prometheus scrapes it (in the test process, several
    /// servers would share the framework's meters).
    /// </summary>
    [Test, CancelAfter(180_000)]
    public async Task Metrics_count_each_ballot_and_its_wait_and_are_served_to_this_machine_or_to_staff_only()
    {
        await using var server = await PublishedServer.StartAsync();
        DemoAccess access = await server.CreateCongressAsync(officialDelegates: 6);
        using var scraper = new HttpClient { BaseAddress = server.BaseAddress };
        var before = Parse(await scraper.GetStringAsync("/metrics"));

        // Three ballots through the load generator (it opens, casts and closes), three tablets left connected.
        var options = LoadRuns.For(server.BaseAddress, access, server.ConnectionString, "metrics") with
        {
            Tokens = [.. access.Delegates.Take(3).Select(d => d.Token)],
            ProjectorCode = null,
        };
        var summary = await new LoadRun(options).RunAsync();
        await using var tablets = await IdleTablets.ConnectAsync(server.BaseAddress, [.. access.Delegates.Skip(3).Select(d => d.Token)]);
        // The exporter answers from a copy at most a moment old.
        await Task.Delay(1500);
        string text = await scraper.GetStringAsync("/metrics");
        var after = Parse(text);

        // From another address (through a proxy on this machine): only staff.
        using var anonymous = new HttpRequestMessage(HttpMethod.Get, "/metrics");
        anonymous.Headers.Add("X-Forwarded-For", "10.9.8.7");
        using var refused = await scraper.SendAsync(anonymous);
        var cookies = new CookieContainer();
        using var staff = new HttpClient(new HttpClientHandler { CookieContainer = cookies }) { BaseAddress = server.BaseAddress };
        staff.DefaultRequestHeaders.Add(Routes.CsrfHeader, "1");
        var secretary = access.Staff.Single(s => s.Role == "secretary");
        using (var signIn = await staff.PostAsJsonAsync(Routes.StaffLogin, new StaffLoginRequest(secretary.UserName, secretary.Password)))
        {
            signIn.EnsureSuccessStatusCode();
        }

        using var asStaff = new HttpRequestMessage(HttpMethod.Get, "/metrics");
        asStaff.Headers.Add("X-Forwarded-For", "10.9.8.7");
        using var allowed = await staff.SendAsync(asStaff);

        Assert.Multiple(() =>
        {
            Assert.That(summary.Acknowledged, Is.EqualTo(3));
            Assert.That(Sum(after, "congressvote_ballots_total", "outcome=\"Recorded\"") - Sum(before, "congressvote_ballots_total", "outcome=\"Recorded\""), Is.EqualTo(3));
            Assert.That(Sum(after, "congressvote_cast_duration_milliseconds_count") - Sum(before, "congressvote_cast_duration_milliseconds_count"), Is.GreaterThanOrEqualTo(3));
            Assert.That(Sum(after, "congressvote_batch_size_count") - Sum(before, "congressvote_batch_size_count"), Is.GreaterThanOrEqualTo(1));
            Assert.That(Sum(after, "congressvote_hub_connections"), Is.EqualTo(3), "three tablets connected");
            Assert.That(Sum(after, "congressvote_tally_lag_milliseconds_count"), Is.GreaterThanOrEqualTo(1));
            Assert.That(text, Does.Contain("db_client_connection_count"), "the database pool, from Npgsql");
            Assert.That(text, Does.Contain("signalr_server_active_connections"), "hub connections, from the framework");
            Assert.That(refused.StatusCode, Is.AnyOf(HttpStatusCode.Unauthorized, HttpStatusCode.Forbidden));
            Assert.That(allowed.StatusCode, Is.EqualTo(HttpStatusCode.OK));
        });
    }

    /// <summary>Samples by name: "name{labels} value" lines, comments skipped.</summary>
    private static List<(string Name, string Labels, double Value)> Parse(string text) =>
        [.. text.Split('\n')
            .Where(line => line.Length > 0 && line[0] != '#')
            .Select(line =>
            {
                // name{labels} value [timestamp]; label values may hold spaces, so the value is read after the '}'.
                int brace = line.IndexOf('{', StringComparison.Ordinal);
                int close = brace < 0 ? -1 : line.LastIndexOf('}');
                string name = brace < 0 ? line[..line.IndexOf(' ', StringComparison.Ordinal)] : line[..brace];
                string labels = brace < 0 ? "" : line[brace..close];
                string rest = line[((brace < 0 ? name.Length : close + 1))..].Trim();
                return (name, labels, double.Parse(rest.Split(' ')[0], CultureInfo.InvariantCulture));
            })];

    private static double Sum(List<(string Name, string Labels, double Value)> samples, string name, string? label = null) =>
        samples.Where(s => s.Name == name && (label is null || s.Labels.Contains(label, StringComparison.Ordinal))).Sum(s => s.Value);
}

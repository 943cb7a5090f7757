using System.Net.Http.Json;
using System.Text.Json;
using System.Text.Json.Serialization.Metadata;
using CongressVote.Shared;
using CongressVote.Tests.Infrastructure;
using Microsoft.AspNetCore.SignalR.Client;
using Microsoft.Extensions.DependencyInjection;

namespace CongressVote.Tests.Polls;

/// <summary>
/// Ballots as a hostile or broken client sends them, written as raw JSON rather than through the shared contract:
/// each malformed one gets a typed refusal, stores nothing, and the same connection then votes normally.
/// </summary>
public sealed class StrictBallotTests
{
    private CongressServer _server = default!;

    [OneTimeSetUp]
    public async Task StartServer() => _server = await CongressServer.StartAsync();

    [OneTimeTearDown]
    public async Task StopServer() => await _server.DisposeAsync();

    /// <summary>A delegate's hub connection that sends whatever JSON it is given.</summary>
    private async Task<HubConnection> RawDelegateAsync(string token)
    {
        var cookies = await _server.SignInDelegateAsync(token);
        var connection = new HubConnectionBuilder()
            .WithUrl(new Uri(_server.BaseAddress, Routes.Hub), options => options.Cookies = cookies)
            .AddJsonProtocol(o =>
            {
                o.PayloadSerializerOptions.TypeInfoResolverChain.Insert(0, CongressJsonContext.Default);
                o.PayloadSerializerOptions.TypeInfoResolverChain.Add(new DefaultJsonTypeInfoResolver());
            })
            .Build();
        await connection.StartAsync();
        return connection;
    }

    private static Task<CastResult> SendAsync(HubConnection hub, string json) =>
        hub.InvokeAsync<CastResult>(nameof(ICongressHub.Cast), JsonDocument.Parse(json).RootElement.Clone());

    [Test]
    public async Task Malformed_motion_ballots_are_refused_by_type_store_nothing_and_leave_the_connection_usable()
    {
        var access = await _server.CreateCongressAsync(officialDelegates: 3, guests: 0);
        var poll = await _server.OpenPollAsync(access);
        await using var hub = await RawDelegateAsync(access.Delegates[0].Token);
        string p = poll.Id.ToString();
        static string Key() => Guid.NewGuid().ToString();

        var cases = new Dictionary<string, string>
        {
            ["no choice"] = $$"""{"pollId":"{{p}}","key":"{{Key()}}"}""",
            ["null choice"] = $$"""{"pollId":"{{p}}","choice":null,"key":"{{Key()}}"}""",
            ["comma-joined"] = $$"""{"pollId":"{{p}}","choice":"Yes, No","key":"{{Key()}}"}""",
            ["repeated"] = $$"""{"pollId":"{{p}}","choice":"No, No","key":"{{Key()}}"}""",
            ["digit string"] = $$"""{"pollId":"{{p}}","choice":"1","key":"{{Key()}}"}""",
            ["number"] = $$"""{"pollId":"{{p}}","choice":0,"key":"{{Key()}}"}""",
            ["other case"] = $$"""{"pollId":"{{p}}","choice":"yes","key":"{{Key()}}"}""",
            ["unknown option"] = $$"""{"pollId":"{{p}}","choice":"Maybe","key":"{{Key()}}"}""",
            ["array"] = $$"""{"pollId":"{{p}}","choice":["Yes"],"key":"{{Key()}}"}""",
            ["no key"] = $$"""{"pollId":"{{p}}","choice":"Yes"}""",
            ["empty key"] = $$"""{"pollId":"{{p}}","choice":"Yes","key":"00000000-0000-0000-0000-000000000000"}""",
            ["key a number"] = $$"""{"pollId":"{{p}}","choice":"Yes","key":42}""",
            ["poll not a uuid"] = $$"""{"pollId":"x","choice":"Yes","key":"{{Key()}}"}""",
            ["unknown field"] = $$"""{"pollId":"{{p}}","choice":"Yes","key":"{{Key()}}","weight":5}""",
            ["field twice"] = $$"""{"pollId":"{{p}}","choice":"No","choice":"Yes","key":"{{Key()}}"}""",
            ["names on a motion"] = $$"""{"pollId":"{{p}}","choice":"Yes","key":"{{Key()}}","kept":[1]}""",
            ["a string"] = "\"Yes\"",
            ["a number"] = "1",
            ["an array"] = "[1,2]",
        };
        var answers = new Dictionary<string, CastStatus>();
        foreach (var (name, json) in cases)
        {
            answers[name] = (await SendAsync(hub, json)).Status;
        }

        var nullArgument = (CastResult)(await hub.InvokeCoreAsync(nameof(ICongressHub.Cast), typeof(CastResult), [null]))!;
        long storedAfterGarbage = await _server.CountAsync("SELECT count(*) FROM poll_voter WHERE poll_id = $1", poll.Id);
        var proper = await SendAsync(hub, $$"""{"pollId":"{{p}}","choice":"No","key":"{{Key()}}"}""");

        Assert.Multiple(async () =>
        {
            foreach (var (name, status) in answers)
            {
                Assert.That(status, Is.AnyOf(CastStatus.InvalidChoice, CastStatus.InvalidBallot), name);
            }

            Assert.That(nullArgument.Status, Is.EqualTo(CastStatus.InvalidBallot), "a null argument");
            Assert.That(storedAfterGarbage, Is.Zero, "nothing stored");
            Assert.That(proper.Status, Is.EqualTo(CastStatus.Recorded), "the same connection then votes");
            Assert.That(await _server.CountAsync("SELECT count(*) FROM ballot WHERE poll_id = $1 AND choice = 1", poll.Id), Is.EqualTo(1), "as No");
        });
    }

    [Test]
    public async Task Malformed_election_ballots_are_refused_and_store_nothing()
    {
        var access = await _server.CreateCongressAsync(officialDelegates: 4, guests: 0);
        using var staff = await _server.SignInStaffAsync(access);
        Guid itemId = await ItemOfAsync(access);
        using var created = await staff.PostAsJsonAsync("/api/elections", new { agendaItemId = itemId, title = "Bầu thử", seats = 2 });
        created.EnsureSuccessStatusCode();
        var election = (await created.Content.ReadFromJsonAsync<PollDto>(TestJson.Options))!;
        using var listed = await staff.PutAsJsonAsync($"/api/elections/{election.Id}/candidates",
            new List<CandidateEditDto> { new("Nguyễn Văn An", null, null, null), new("Trần Thị Bình", null, null, null), new("Lê Văn Cường", null, null, null) }, TestJson.Options);
        listed.EnsureSuccessStatusCode();
        (await staff.PostAsync(Routes.OpenPoll(election.Id), null)).EnsureSuccessStatusCode();
        await using var hub = await RawDelegateAsync(access.Delegates[0].Token);
        string p = election.Id.ToString();
        string r = Receipts.NewCode();
        static string Key() => Guid.NewGuid().ToString();

        var cases = new Dictionary<string, string>
        {
            ["more names than seats"] = $$"""{"pollId":"{{p}}","key":"{{Key()}}","kept":[1,2,3],"receipt":"{{r}}"}""",
            ["unknown candidate"] = $$"""{"pollId":"{{p}}","key":"{{Key()}}","kept":[9],"receipt":"{{r}}"}""",
            ["candidate twice"] = $$"""{"pollId":"{{p}}","key":"{{Key()}}","kept":[1,1],"receipt":"{{r}}"}""",
            ["position zero"] = $$"""{"pollId":"{{p}}","key":"{{Key()}}","kept":[0],"receipt":"{{r}}"}""",
            ["names as strings"] = $$"""{"pollId":"{{p}}","key":"{{Key()}}","kept":["1"],"receipt":"{{r}}"}""",
            ["fractional position"] = $$"""{"pollId":"{{p}}","key":"{{Key()}}","kept":[1.5],"receipt":"{{r}}"}""",
            ["no receipt"] = $$"""{"pollId":"{{p}}","key":"{{Key()}}","kept":[1]}""",
            ["bad receipt"] = $$"""{"pollId":"{{p}}","key":"{{Key()}}","kept":[1],"receipt":"short"}""",
            ["a motion's choice"] = $$"""{"pollId":"{{p}}","key":"{{Key()}}","choice":"No"}""",
            ["a bogus choice with names"] = $$"""{"pollId":"{{p}}","key":"{{Key()}}","choice":"Both","kept":[1],"receipt":"{{r}}"}""",
            ["kept an object"] = $$"""{"pollId":"{{p}}","key":"{{Key()}}","kept":{"1":true},"receipt":"{{r}}"}""",
        };
        var answers = new Dictionary<string, CastStatus>();
        foreach (var (name, json) in cases)
        {
            answers[name] = (await SendAsync(hub, json)).Status;
        }

        long stored = await _server.CountAsync("SELECT count(*) FROM poll_voter WHERE poll_id = $1", election.Id);
        var proper = await SendAsync(hub, $$"""{"pollId":"{{p}}","key":"{{Key()}}","kept":[2],"receipt":"{{r}}"}""");

        Assert.Multiple(() =>
        {
            foreach (var (name, status) in answers)
            {
                Assert.That(status, Is.EqualTo(CastStatus.InvalidBallot), name);
            }

            Assert.That(stored, Is.Zero);
            Assert.That(proper.Status, Is.EqualTo(CastStatus.Recorded));
            Assert.That(election.EmptyBallotValid, Is.True, "an election created without saying so takes empty ballots as valid, as the console and README say");
        });
    }

    private async Task<Guid> ItemOfAsync(Server.Demo.DemoAccess access)
    {
        await using var projector = await _server.ConnectProjectorAsync(access.ProjectorCode);
        var snapshot = await projector.InvokeAsync<CongressSnapshotDto>(nameof(ICongressHub.Snapshot));
        return snapshot.Agenda[^1].Id;
    }

    [Test]
    public async Task A_refused_ballot_does_not_cost_the_tablet_its_connection()
    {
        var access = await _server.CreateCongressAsync(officialDelegates: 2, guests: 0);
        var poll = await _server.OpenPollAsync(access);
        await using var hub = await RawDelegateAsync(access.Delegates[1].Token);
        for (int i = 0; i < 5; i++)
        {
            await SendAsync(hub, """{"pollId":"nope"}""");
        }

        Assert.That(hub.State, Is.EqualTo(HubConnectionState.Connected));
        var snapshot = await hub.InvokeAsync<CongressSnapshotDto>(nameof(ICongressHub.Snapshot));
        Assert.That(snapshot.CurrentPoll?.Id, Is.EqualTo(poll.Id));
    }

    /// <summary>
    /// The official JavaScript SignalR client (npm @microsoft/signalr, run by Node) as a second, independent
    /// client: its JSON is its own, so a server that only agreed with the .NET contract would show here.
    /// </summary>
    [Test]
    public async Task The_official_JavaScript_client_gets_the_same_typed_refusals_and_casts_once()
    {
        string folder = Path.Combine(Repository.Root, "tests", "a11y");
        if (!Directory.Exists(Path.Combine(folder, "node_modules", "@microsoft", "signalr")))
        {
            Assert.Inconclusive("npm ci in tests/a11y installs the JavaScript client (deploy/test.sh does it).");
        }

        var access = await _server.CreateCongressAsync(officialDelegates: 2, guests: 0);
        var poll = await _server.OpenPollAsync(access);
        var cookies = await _server.SignInDelegateAsync(access.Delegates[0].Token);
        string p = poll.Id.ToString();
        object Cast(object? choice, bool withChoice = true) => withChoice
            ? new { pollId = p, choice, key = Guid.NewGuid().ToString() }
            : new { pollId = p, key = Guid.NewGuid().ToString() };
        var messages = new object[]
        {
            new { name = "no choice", args = new[] { Cast(null, withChoice: false) } },
            new { name = "comma-joined", args = new[] { Cast("Yes, No") } },
            new { name = "digit", args = new[] { Cast("1") } },
            new { name = "number", args = new[] { Cast(0) } },
            new { name = "null argument", args = new object?[] { null } },
            new { name = "a string argument", args = new object[] { "Yes" } },
            new { name = "proper", args = new[] { Cast("Abstain") } },
            new { name = "again", args = new[] { Cast("Yes") } },
        };
        var start = new System.Diagnostics.ProcessStartInfo("node", [Path.Combine(folder, "wire-client.mjs")])
        {
            WorkingDirectory = folder,
            RedirectStandardOutput = true,
            RedirectStandardError = true,
        };
        start.Environment["BASE_URL"] = _server.BaseAddress.ToString().TrimEnd('/');
        start.Environment["HUB_PATH"] = Routes.Hub;
        start.Environment["COOKIE"] = cookies.GetCookieHeader(_server.BaseAddress);
        start.Environment["MESSAGES"] = JsonSerializer.Serialize(messages);
        using var node = System.Diagnostics.Process.Start(start)!;
        string output = await node.StandardOutput.ReadToEndAsync();
        string errors = await node.StandardError.ReadToEndAsync();
        await node.WaitForExitAsync();
        var answers = output.Split('\n', StringSplitOptions.RemoveEmptyEntries)
            .Select(line => JsonDocument.Parse(line).RootElement)
            .ToDictionary(e => e.GetProperty("name").GetString()!, e => e.TryGetProperty("answer", out var a) ? a.ToString() : "error: " + e.GetProperty("error").GetString());
        string Status(string name) => answers[name].StartsWith('{') ? JsonDocument.Parse(answers[name]).RootElement.GetProperty("status").ToString() : answers[name];

        Assert.Multiple(async () =>
        {
            Assert.That(node.ExitCode, Is.Zero, errors);
            foreach (var name in new[] { "no choice", "comma-joined", "digit", "number", "null argument", "a string argument" })
            {
                Assert.That(Status(name), Is.AnyOf("InvalidChoice", "InvalidBallot"), name);
            }

            Assert.That(Status("proper"), Is.EqualTo("Recorded"));
            Assert.That(Status("again"), Is.EqualTo("AlreadyVoted"));
            Assert.That(answers["state"], Is.EqualTo("Connected"), "the refusals left the connection open");
            Assert.That(await _server.CountAsync("SELECT count(*) FROM ballot WHERE poll_id = $1 AND choice = 2", poll.Id), Is.EqualTo(1), "one ballot, as Abstain");
        });
    }
}

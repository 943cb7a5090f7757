using System.Net;
using System.Net.Http.Json;
using CongressVote.Shared;
using CongressVote.Tests.Infrastructure;
using Microsoft.AspNetCore.SignalR.Client;

namespace CongressVote.Tests.Agenda;

public sealed class SpeakersTests
{
    private CongressServer _server = default!;

    [OneTimeSetUp]
    public async Task StartServer() => _server = await CongressServer.StartAsync();

    [OneTimeTearDown]
    public async Task StopServer() => await _server.DisposeAsync();

    private async Task<HttpClient> DelegateClientAsync(string token)
    {
        var (client, _) = _server.NewBrowserlessClient();
        (await client.PostAsJsonAsync(Routes.DelegateLogin, CongressServer.Login(token))).EnsureSuccessStatusCode();
        return client;
    }

    [Test, CancelAfter(30_000)]
    public async Task Delegates_ask_to_speak_and_the_secretariat_gives_the_floor_one_at_a_time_with_a_time_limit()
    {
        var access = await _server.CreateCongressAsync(officialDelegates: 3, guests: 0);
        using var staff = await _server.SignInStaffAsync(access);
        await using var projector = await _server.ConnectProjectorAsync(access.ProjectorCode);
        var item = (await projector.InvokeAsync<CongressSnapshotDto>(nameof(ICongressHub.Snapshot))).Agenda[4];
        (await staff.PostAsync($"/api/agenda/{item.Id}/current", null)).EnsureSuccessStatusCode();
        var lists = new List<List<SpeechDto>>();
        projector.On<List<SpeechDto>>(nameof(ICongressClient.SpeakersChanged), list => { lock (lists) { lists.Add(list); } });

        using var first = await DelegateClientAsync(access.Delegates[0].Token);
        using var second = await DelegateClientAsync(access.Delegates[1].Token);
        using var asked = await first.PostAsJsonAsync("/api/speakers", new SpeechRequestDto("Về công tác thi đua"), TestJson.Options);
        using var again = await first.PostAsJsonAsync("/api/speakers", new SpeechRequestDto("Lần nữa"), TestJson.Options);
        using var askedToo = await second.PostAsJsonAsync("/api/speakers", new SpeechRequestDto("Về văn kiện"), TestJson.Options);
        var a = (await asked.Content.ReadFromJsonAsync<SpeechDto>(TestJson.Options))!;
        var b = (await askedToo.Content.ReadFromJsonAsync<SpeechDto>(TestJson.Options))!;

        (await staff.PostAsync($"/api/speakers/{b.Id}/move?by=-1", null)).EnsureSuccessStatusCode();
        (await staff.PostAsJsonAsync($"/api/speakers/{b.Id}/start", new SpeechStartDto(300), TestJson.Options)).EnsureSuccessStatusCode();
        (await staff.PostAsJsonAsync($"/api/speakers/{a.Id}/start", new SpeechStartDto(null), TestJson.Options)).EnsureSuccessStatusCode();
        var snapshot = await projector.InvokeAsync<CongressSnapshotDto>(nameof(ICongressHub.Snapshot));

        Assert.Multiple(() =>
        {
            Assert.That(asked.StatusCode, Is.EqualTo(HttpStatusCode.OK));
            Assert.That(again.StatusCode, Is.EqualTo(HttpStatusCode.Conflict), "one request per delegate per item");
            Assert.That(snapshot.Speakers!.Select(s => (s.Topic, s.State)), Is.EqualTo(new[]
            {
                ("Về văn kiện", SpeechState.Done), ("Về công tác thi đua", SpeechState.Speaking),
            }));
            Assert.That(snapshot.Speakers!.Single(s => s.State == SpeechState.Done).TimeLimitSeconds, Is.EqualTo(300));
        });
        await Task.Delay(300);
        lock (lists)
        {
            Assert.That(lists, Is.Not.Empty, "the projector hears every change");
        }
    }

    [Test]
    public async Task Asking_to_speak_without_a_current_item_or_topic_is_refused()
    {
        var access = await _server.CreateCongressAsync(officialDelegates: 2, guests: 0);
        using var tablet = await DelegateClientAsync(access.Delegates[0].Token);

        using var noItem = await tablet.PostAsJsonAsync("/api/speakers", new SpeechRequestDto("Ý kiến"), TestJson.Options);
        using var noTopic = await tablet.PostAsJsonAsync("/api/speakers", new SpeechRequestDto("  "), TestJson.Options);

        Assert.Multiple(async () =>
        {
            Assert.That(await noItem.Content.ReadAsStringAsync(), Does.Contain("no_current_item"));
            Assert.That(noTopic.StatusCode, Is.EqualTo(HttpStatusCode.BadRequest));
        });
    }
}

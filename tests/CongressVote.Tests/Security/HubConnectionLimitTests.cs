using CongressVote.Shared;
using CongressVote.Tests.Infrastructure;
using Microsoft.AspNetCore.SignalR.Client;

namespace CongressVote.Tests.Security;

/// <summary>One tablet session cannot open live connections without bound: beyond a few, the oldest is closed.</summary>
public sealed class HubConnectionLimitTests
{
    private CongressServer _server = default!;

    [OneTimeSetUp]
    public async Task StartServer() => _server = await CongressServer.StartAsync();

    [OneTimeTearDown]
    public async Task StopServer() => await _server.DisposeAsync();

    [Test]
    public async Task A_session_opening_many_hub_connections_keeps_only_its_newest_three()
    {
        var access = await _server.CreateCongressAsync(officialDelegates: 2, guests: 0);
        var cookies = await _server.SignInDelegateAsync(access.Delegates[0].Token);

        var hubs = new List<HubConnection>();
        for (int i = 0; i < 6; i++)
        {
            hubs.Add(await _server.ConnectHubAsync(cookies));
        }

        await Machine.WaitUntilAsync(() => hubs.Count(h => h.State == HubConnectionState.Connected) <= 3, TimeSpan.FromSeconds(10));
        var states = hubs.Select(h => h.State).ToList();
        var snapshot = await hubs[^1].InvokeAsync<CongressSnapshotDto>(nameof(ICongressHub.Snapshot));

        Assert.Multiple(() =>
        {
            Assert.That(states.Take(3), Has.All.EqualTo(HubConnectionState.Disconnected), "the oldest were closed");
            Assert.That(states.Skip(3), Has.All.EqualTo(HubConnectionState.Connected), "the newest stay");
            Assert.That(snapshot.CongressId, Is.EqualTo(access.CongressId), "and work");
        });
        foreach (var hub in hubs)
        {
            await hub.DisposeAsync();
        }
    }
}

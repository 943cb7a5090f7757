using System.Net;
using System.Net.Http.Json;
using CongressVote.Tests.Infrastructure;

namespace CongressVote.Tests.Data;

public sealed class HealthTests
{
    [Test]
    public async Task A_migrated_node_reports_live_and_ready_with_its_backplane_state()
    {
        await using var server = await CongressServer.StartAsync();
        using var client = server.NewBrowserlessClient().Client;

        using var live = await client.GetAsync("/health/live");
        var ready = await client.GetFromJsonAsync<CongressVote.Server.Health.ReadyDto>("/health/ready");

        Assert.Multiple(() =>
        {
            Assert.That(live.StatusCode, Is.EqualTo(HttpStatusCode.OK));
            Assert.That(ready!.Ready, Is.True);
            Assert.That(ready.Migrations, Is.EqualTo(ready.MigrationsExpected).And.GreaterThanOrEqualTo(14));
            Assert.That(ready.Backplane, Is.EqualTo("none"), "a single node runs without Redis");
        });
    }
}

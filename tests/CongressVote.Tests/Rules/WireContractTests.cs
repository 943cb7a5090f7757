using System.Text.RegularExpressions;
using CongressVote.Shared;
using CongressVote.Tests.Infrastructure;

namespace CongressVote.Tests.Rules;

/// <summary>The browser's hub wrapper listens for exactly the pushes the server's typed hub can send.</summary>
public sealed partial class WireContractTests
{
    [Test]
    public void The_browser_listens_for_every_message_the_hub_client_interface_declares()
    {
        string live = File.ReadAllText(Path.Combine(Repository.Root, "Client", "wwwroot", "js", "live.js"));
        var listened = EventList().Match(live).Groups["names"].Value
            .Split(',', StringSplitOptions.TrimEntries | StringSplitOptions.RemoveEmptyEntries)
            .Select(n => n.Trim('"')).Order(StringComparer.Ordinal).ToList();
        var declared = typeof(ICongressClient).GetMethods().Select(m => m.Name).Order(StringComparer.Ordinal).ToList();

        Assert.That(listened, Is.EqualTo(declared), "a push missing from live.js is silently dropped by the browser");
    }

    [GeneratedRegex(@"const events = \[(?<names>[^\]]*)\]")]
    private static partial Regex EventList();
}

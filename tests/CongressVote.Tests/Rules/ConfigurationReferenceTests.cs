using System.Reflection;
using System.Text.RegularExpressions;
using CongressVote.Tests.Infrastructure;

namespace CongressVote.Tests.Rules;

/// <summary>docs/configuration.md names every setting the server reads, so an operator never has to read the code.</summary>
public sealed partial class ConfigurationReferenceTests
{
    /// <summary>The sections bound to options classes, and the class each is bound to.</summary>
    private static readonly Dictionary<string, Type> s_sections = new()
    {
        ["Tls"] = typeof(Server.Venue.TlsOptions),
        ["HubLimits"] = typeof(Server.Live.HubLimitOptions),
        ["Demo"] = typeof(Server.Demo.DemoOptions),
        ["Setup"] = typeof(Server.Congresses.SetupOptions),
        ["Venue"] = typeof(Server.Venue.VenueOptions),
        ["Backup"] = typeof(Server.Operations.BackupOptions),
        ["Database"] = typeof(Server.Data.DatabaseOptions),
        ["RateLimits"] = typeof(Server.Sessions.RateLimitOptions),
    };

    [Test]
    public void Every_setting_the_server_reads_is_in_the_configuration_reference()
    {
        string reference = File.ReadAllText(Path.Combine(Repository.Root, "docs/configuration.md"));
        string code = string.Join('\n', Directory.EnumerateFiles(Path.Combine(Repository.Root, "Server"), "*.cs", SearchOption.AllDirectories)
            .Where(f => !f.Contains($"{Path.DirectorySeparatorChar}obj{Path.DirectorySeparatorChar}", StringComparison.Ordinal))
            .Select(File.ReadAllText));

        var literal = LiteralKey().Matches(code).Select(m => m.Groups["key"].Value)
            .Concat(ConnectionString().Matches(code).Select(m => "ConnectionStrings:" + m.Groups["name"].Value))
            .Where(k => !k.StartsWith("Kestrel:Endpoints", StringComparison.Ordinal))
            .ToHashSet();
        var sections = Section().Matches(code).Select(m => m.Groups["name"].Value).Where(n => n != "Kestrel:Endpoints").ToHashSet();
        var bound = s_sections.SelectMany(s => s.Value.GetProperties(BindingFlags.Public | BindingFlags.Instance)
            .Where(p => p.CanWrite)
            .Select(p => $"{s.Key}:{p.Name}"));

        Assert.Multiple(() =>
        {
            Assert.That(literal, Is.Not.Empty);
            Assert.That(sections, Is.SubsetOf(s_sections.Keys), "a section bound to options: add it to this test and to the reference");
            foreach (string key in literal.Concat(bound))
            {
                Assert.That(reference, Does.Contain($"`{key}`"), key);
            }
        });
    }

    [GeneratedRegex("""(?:configuration|Configuration)\["(?<key>[A-Za-z]+(?::[A-Za-z]+)*)"\]|GetValue<\w+>\("(?<key>[A-Za-z]+(?::[A-Za-z]+)*)"\)""")]
    private static partial Regex LiteralKey();

    [GeneratedRegex("""GetConnectionString\("(?<name>\w+)"\)""")]
    private static partial Regex ConnectionString();

    [GeneratedRegex("""GetSection\("(?<name>[A-Za-z:]+)"\)""")]
    private static partial Regex Section();
}

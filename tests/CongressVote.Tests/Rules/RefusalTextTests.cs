using System.Text.RegularExpressions;
using System.Xml.Linq;
using CongressVote.Tests.Infrastructure;

namespace CongressVote.Tests.Rules;

/// <summary>
/// Every refusal code the server can send reaches the person as a sentence in Vietnamese and in English: the
/// server's source is read for the codes it writes, the client's resources for their texts.
/// </summary>
public sealed partial class RefusalTextTests
{
    private static HashSet<string> Texts(string file) =>
        XDocument.Load(Path.Combine(Repository.Root, "Client", "Kit", "Resources", file)).Root!.Elements("data")
            .Select(d => (string)d.Attribute("name")!).Where(n => n.StartsWith("Error_", StringComparison.Ordinal)).Select(n => n["Error_".Length..]).ToHashSet();

    [Test]
    public void Every_refusal_code_the_server_sends_has_a_Vietnamese_and_an_English_text()
    {
        var codes = Directory.EnumerateFiles(Path.Combine(Repository.Root, "Server"), "*.cs", SearchOption.AllDirectories)
            .Where(f => !f.Contains($"{Path.DirectorySeparatorChar}obj{Path.DirectorySeparatorChar}", StringComparison.Ordinal))
            .SelectMany(f => RefusalCode().Matches(File.ReadAllText(f)).Select(m => m.Groups["code"].Value))
            // A refusal named after the poll's state: every state a transition can find.
            .Concat(new[] { "draft", "open", "closed", "published", "cancelled" }.Select(state => $"poll_{state}"))
            .ToHashSet();
        var vietnamese = Texts("Strings.resx");
        var english = Texts("Strings.en.resx");

        Assert.Multiple(() =>
        {
            Assert.That(codes, Has.Count.GreaterThan(50), "the scan finds the server's refusals");
            Assert.That(codes.Where(c => !vietnamese.Contains(c)).Order(), Is.Empty, "codes without a Vietnamese text");
            Assert.That(codes.Where(c => !english.Contains(c)).Order(), Is.Empty, "codes without an English text");
        });
    }

    [Test]
    public void A_refusal_that_names_figures_names_the_same_ones_in_both_languages()
    {
        static Dictionary<string, string> Placeholders(string file) =>
            XDocument.Load(Path.Combine(Repository.Root, "Client", "Kit", "Resources", file)).Root!.Elements("data")
                .Where(d => ((string)d.Attribute("name")!).StartsWith("Error_", StringComparison.Ordinal))
                .ToDictionary(d => (string)d.Attribute("name")!, d => string.Join(",", Placeholder().Matches((string)d.Element("value")!).Select(m => m.Value).Distinct().Order()));
        var vietnamese = Placeholders("Strings.resx");
        var english = Placeholders("Strings.en.resx");

        Assert.Multiple(() =>
        {
            Assert.That(vietnamese["Error_quorum_not_reached"], Is.EqualTo("{0},{1},{2}"), "present, summoned and needed");
            Assert.That(vietnamese.Where(v => english.GetValueOrDefault(v.Key) != v.Value).Select(v => v.Key), Is.Empty);
        });
    }

    [GeneratedRegex(@"\{\d+\}")]
    private static partial Regex Placeholder();

    [GeneratedRegex(@"(?:Problems\.(?:BadRequest|Unauthorized|Forbidden|NotFound|TooManyRequests|Conflict)\(|new Refusal\(StatusCodes\.\w+, |Refuse(?:Conflict|Bad)\(|new DossierAnswer\()""(?<code>[a-z_]+)""")]
    private static partial Regex RefusalCode();
}

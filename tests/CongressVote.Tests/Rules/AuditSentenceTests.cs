using System.Text.RegularExpressions;
using System.Xml.Linq;
using CongressVote.Tests.Infrastructure;

namespace CongressVote.Tests.Rules;

/// <summary>
/// The console's audit panel reads every action the trail records as a sentence in Vietnamese and in English: the
/// server's source is read for the actions it writes, the client's resources for their sentences.
/// </summary>
public sealed partial class AuditSentenceTests
{
    private static HashSet<string> Sentences(string file) =>
        XDocument.Load(Path.Combine(Repository.Root, "Client", "Kit", "Resources", file)).Root!.Elements("data")
            .Select(d => (string)d.Attribute("name")!).Where(n => n.StartsWith("Audit_", StringComparison.Ordinal)).Select(n => n["Audit_".Length..]).ToHashSet();

    [Test]
    public void Every_action_the_audit_trail_records_reads_as_a_sentence_in_Vietnamese_and_English()
    {
        var actions = Directory.EnumerateFiles(Path.Combine(Repository.Root, "Server"), "*.cs", SearchOption.AllDirectories)
            .Where(f => !f.Contains($"{Path.DirectorySeparatorChar}obj{Path.DirectorySeparatorChar}", StringComparison.Ordinal))
            .SelectMany(f => Action().Matches(File.ReadAllText(f)).Select(m => m.Groups["action"].Value))
            // The list of speakers writes "speech." and the state a request moves to.
            .Concat(["speech.approved", "speech.refused", "speech.done"])
            .ToHashSet();
        var vietnamese = Sentences("Strings.resx");
        var english = Sentences("Strings.en.resx");

        Assert.Multiple(() =>
        {
            Assert.That(actions, Has.Count.GreaterThan(60), "the scan finds the trail's actions");
            Assert.That(actions.Where(a => !vietnamese.Contains(a)).Order(), Is.Empty, "actions without a Vietnamese sentence");
            Assert.That(actions.Where(a => !english.Contains(a)).Order(), Is.Empty, "actions without an English sentence");
        });
    }

    /// <summary>A literal in the trail's namespaces ("poll.open", "projector.emblem.remove"); a file name such as the backup's is not one.</summary>
    [GeneratedRegex("\"(?<action>(?:agenda|attendance|badges?|congress|delegates?|documents|dossier|election|poll|projector|proxy|security|session|speech|staff)(?:\\.[a-z_]+)+)\"(?<!\\.(?:dump|csv|json|txt|pdf|zip)\")")]
    private static partial Regex Action();
}

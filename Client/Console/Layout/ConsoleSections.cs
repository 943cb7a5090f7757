using CongressVote.Shared;

namespace CongressVote.Client.Layout;

/// <summary>A section of the console: where it is, its name in the strings, and which roles it serves.</summary>
public sealed record ConsoleSection(string Href, string Label, Func<StaffRole, bool> Serves);

/// <summary>
/// The console's sections and who each serves, for the navigation to offer and the layout to keep: a role is shown
/// only the sections it can use, by the same predicates the server's policies state (Shared/StaffRoles.cs). Pages not
/// listed (a poll's counting minutes) are open to every staff role, like their data.
/// </summary>
public static class ConsoleSections
{
    public static readonly IReadOnlyList<ConsoleSection> All =
    [
        // Everyone follows the vote; only those who run it get its buttons (the page asks the role).
        new("console", "NavRun", _ => true),
        new("console/agenda", "NavAgenda", r => r.RunsPolls()),
        new("console/elections", "NavElections", r => r.RunsPolls() || r.CountsPaper()),
        new("console/dossiers", "NavDossiers", r => r.RunsPolls()),
        new("console/checkin", "NavCheckIn", r => r.ManagesDelegates()),
        new("console/helpdesk", "NavHelpDesk", r => r.ManagesDelegates()),
        new("console/attendance", "NavReport", _ => true),
        new("console/documents", "NavDocuments", _ => true),
        new("console/delegates", "NavDelegates", r => r.ManagesDelegates()),
        new("console/settings", "NavSettings", r => r.RunsPolls()),
        new("console/status", "NavStatus", _ => true),
    ];

    /// <summary>Whether a role may open the page at this path, relative to the app's base ("console/agenda?x#y").</summary>
    public static bool Serves(string relativePath, StaffRole role)
    {
        string path = relativePath.Split('?', '#')[0].TrimEnd('/');
        return All.FirstOrDefault(s => s.Href == path) is not { } section || section.Serves(role);
    }
}

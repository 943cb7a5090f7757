namespace CongressVote.Shared;

/// <summary>A staff account's role. The session cookie and the database carry its name in lower case.</summary>
public enum StaffRole
{
    Admin,
    Chair,
    Secretary,
    Credentials,
    Counting,
}

/// <summary>
/// What each role may do, for the console to show only what the server will accept; the server's authorization
/// policies (Server/Sessions/Roles.cs) state the same sets as role names, and a test holds the two equal.
/// </summary>
public static class StaffRoles
{
    /// <summary>Opening and closing polls, the agenda, the hall screen, the congress's settings.</summary>
    public static bool RunsPolls(this StaffRole role) => role is StaffRole.Admin or StaffRole.Chair or StaffRole.Secretary;

    /// <summary>Importing, editing and removing delegates, badges, check-in desks, proxies, the help desk.</summary>
    public static bool ManagesDelegates(this StaffRole role) => role is StaffRole.Admin or StaffRole.Secretary or StaffRole.Credentials;

    /// <summary>Entering paper votes: the vote-counting committee, with the chair and the administrator.</summary>
    public static bool CountsPaper(this StaffRole role) => role is StaffRole.Admin or StaffRole.Chair or StaffRole.Counting;

    /// <summary>Opening a vote without quorum, with a reason that goes to the audit trail.</summary>
    public static bool OverridesQuorum(this StaffRole role) => role is StaffRole.Admin or StaffRole.Chair;

    /// <summary>Staff accounts, the projector's pairing, the audit trail's export.</summary>
    public static bool Administers(this StaffRole role) => role is StaffRole.Admin;

    /// <summary>The name the cookie and the database use: "admin", "chair"…</summary>
    public static string Name(this StaffRole role) => role.ToString().ToLowerInvariant();

    /// <summary>The role a stored name stands for; null for a name that is not a staff role (a delegate, a projector).</summary>
    public static StaffRole? Parse(string? name) =>
        Enum.GetValues<StaffRole>().Select(r => (StaffRole?)r).FirstOrDefault(r => r!.Value.Name() == name);
}

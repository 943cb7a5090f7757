using System.Security.Claims;

namespace CongressVote.Server.Sessions;

/// <summary>Role names carried in the session cookie.</summary>
public static class Roles
{
    public const string Delegate = "delegate";
    public const string Projector = "projector";
    public const string Admin = "admin";
    public const string Chair = "chair";
    public const string Secretary = "secretary";
    public const string Credentials = "credentials";
    public const string Counting = "counting";

    /// <summary>Who may open and close polls.</summary>
    public const string RunsPolls = $"{Admin},{Chair},{Secretary}";

    /// <summary>Who may import, edit and remove delegates and issue badges.</summary>
    public const string ManagesDelegates = $"{Admin},{Secretary},{Credentials}";

    /// <summary>Who may enter paper votes: the vote-counting committee, with the chair and the administrator.</summary>
    public const string CountsPaper = $"{Admin},{Chair},{Counting}";

    public const string AnyStaff = $"{Admin},{Chair},{Secretary},{Credentials},{Counting}";

    public static bool IsStaff(string role) => AnyStaff.Split(',').Contains(role);
}

/// <summary>Reads the claims every authenticated session carries.</summary>
public static class SessionClaims
{
    public const string Congress = "congress";

    /// <summary>A delegate's tablet session (delegate_session.id); ending it ends the tablet's right to vote.</summary>
    public const string Session = "session";

    /// <summary>The hash of the display code a projector paired with; a new code unpairs it.</summary>
    public const string Display = "display";

    /// <summary>What the client shows under the name: a delegate's delegation, a staff member's role.</summary>
    public const string Detail = "detail";

    /// <summary>A staff account's security stamp when the cookie was issued; a new stamp ends the cookie.</summary>
    public const string Stamp = "stamp";

    public static Guid CongressId(this ClaimsPrincipal user) =>
        Guid.Parse(user.FindFirstValue(Congress) ?? throw new InvalidOperationException("The session has no congress."));

    public static Guid SubjectId(this ClaimsPrincipal user) =>
        Guid.Parse(user.FindFirstValue(ClaimTypes.NameIdentifier) ?? throw new InvalidOperationException("The session has no subject."));

    public static Guid SessionId(this ClaimsPrincipal user) =>
        Guid.Parse(user.FindFirstValue(Session) ?? throw new InvalidOperationException("The session has no tablet session."));

    public static string Role(this ClaimsPrincipal user) => user.FindFirstValue(ClaimTypes.Role) ?? "";

    /// <summary>How the audit trail names the person acting: "secretary (Đoàn Thư ký)".</summary>
    public static string Actor(this ClaimsPrincipal user) => $"{user.Identity?.Name} ({user.Role()})";
}

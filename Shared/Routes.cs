namespace CongressVote.Shared;

public static class Routes
{
    public const string Hub = "/hubs/congress";

    /// <summary>
    /// Sent by the app on every state-changing API call. A cross-site form or image cannot set a custom header,
    /// so together with SameSite=Strict cookies it stops cross-site request forgery.
    /// </summary>
    public const string CsrfHeader = "X-CongressVote";
    public const string StaffLogin = "/api/session/staff";
    public const string DelegateLogin = "/api/session/delegate";
    public const string ProjectorLogin = "/api/session/projector";
    public const string Session = "/api/session";
    public const string Logout = "/api/session/logout";

    public static string OpenPoll(Guid pollId) => $"/api/polls/{pollId}/open";

    public static string ClosePoll(Guid pollId) => $"/api/polls/{pollId}/close";

    /// <summary>
    /// The address a badge QR code or a delegate link points to. The token is in the fragment, which browsers
    /// never send to the server, so it cannot end up in a server's or a proxy's request log.
    /// </summary>
    public static string DelegateLink(string token) => $"/t#{token}";

    public static string ProjectorLink(string code) => $"/p#{code}";
}

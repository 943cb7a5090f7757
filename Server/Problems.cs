using Microsoft.AspNetCore.Http.HttpResults;

namespace CongressVote.Server;

/// <summary>
/// Refusals as ProblemDetails with a stable <c>code</c> the client translates; <c>detail</c> is the English text
/// for logs and scripts. A refusal that names figures sends them as <c>args</c>, which the client puts into the
/// sentence of its own language (<c>Error_&lt;code&gt;</c> in the resources).
/// </summary>
public static class Problems
{
    /// <summary>The one rule for every title the secretariat types: agenda items and motions.</summary>
    public static ProblemHttpResult? InvalidTitle(string? title)
    {
        string trimmed = (title ?? "").Trim();
        return trimmed.Length is 0 or > 300 || trimmed.Any(char.IsControl)
            ? BadRequest("bad_title", "A title is 1 to 300 characters of plain text.")
            : null;
    }

    /// <summary>A poll's countdown, motion or election: 10 seconds to a day, or none.</summary>
    public static ProblemHttpResult? InvalidCountdown(int? seconds) =>
        seconds is < 10 or > 86400 ? BadRequest("bad_countdown", "A countdown is 10 seconds to 24 hours.") : null;

    /// <summary>A custom majority rule, motion or election: a fraction p/q between 0 and 1 of a known base, or none.</summary>
    public static ProblemHttpResult? InvalidRule(Shared.MajorityRule? rule) =>
        rule is { } r && (r.Denominator <= 0 || r.Numerator < 0 || r.Numerator > r.Denominator || !Enum.IsDefined(r.Base))
            ? BadRequest("bad_rule", "A rule is a fraction p/q between 0 and 1 of a known base.")
            : null;

    public static ProblemHttpResult BadRequest(string code, string detail) => Create(StatusCodes.Status400BadRequest, code, detail);

    public static ProblemHttpResult Unauthorized(string code, string detail) => Create(StatusCodes.Status401Unauthorized, code, detail);

    public static ProblemHttpResult Forbidden(string code, string detail) => Create(StatusCodes.Status403Forbidden, code, detail);

    public static ProblemHttpResult NotFound(string code, string detail) => Create(StatusCodes.Status404NotFound, code, detail);

    public static ProblemHttpResult TooManyRequests(string code, string detail) => Create(StatusCodes.Status429TooManyRequests, code, detail);

    public static ProblemHttpResult Conflict(string code, string detail, params string[] args) => Create(StatusCodes.Status409Conflict, code, detail, args);

    internal static ProblemHttpResult Create(int status, string code, string detail, params string[] args)
    {
        var extensions = new Dictionary<string, object?> { ["code"] = code };
        if (args.Length > 0)
        {
            extensions["args"] = args;
        }

        return TypedResults.Problem(detail: detail, statusCode: status, extensions: extensions);
    }
}

/// <summary>
/// An operation's refusal as plain data: the status it would have over HTTP, the stable code the client
/// translates, and the English detail. Operations return it; endpoint classes turn it into a problem answer.
/// </summary>
public sealed record Refusal(int Status, string Code, string Detail)
{
    /// <summary>The figures or names the client's sentence for <see cref="Code"/> takes.</summary>
    public IReadOnlyList<string> Args { get; init; } = [];

    public ProblemHttpResult ToProblem() => Problems.Create(Status, Code, Detail, [.. Args]);
}

using Microsoft.AspNetCore.Http.HttpResults;

namespace CongressVote.Server;

/// <summary>
/// Refusals as ProblemDetails with a stable <c>code</c> the client translates; <c>detail</c> is the English text
/// for logs and scripts.
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

    public static ProblemHttpResult BadRequest(string code, string detail) => Create(StatusCodes.Status400BadRequest, code, detail);

    public static ProblemHttpResult Unauthorized(string code, string detail) => Create(StatusCodes.Status401Unauthorized, code, detail);

    public static ProblemHttpResult Forbidden(string code, string detail) => Create(StatusCodes.Status403Forbidden, code, detail);

    public static ProblemHttpResult NotFound(string code, string detail) => Create(StatusCodes.Status404NotFound, code, detail);

    public static ProblemHttpResult TooManyRequests(string code, string detail) => Create(StatusCodes.Status429TooManyRequests, code, detail);

    public static ProblemHttpResult Conflict(string code, string detail) => Create(StatusCodes.Status409Conflict, code, detail);

    private static ProblemHttpResult Create(int status, string code, string detail) =>
        TypedResults.Problem(detail: detail, statusCode: status, extensions: new Dictionary<string, object?> { ["code"] = code });
}

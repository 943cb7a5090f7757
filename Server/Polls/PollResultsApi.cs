using System.Security.Claims;
using CongressVote.Server.Sessions;
using CongressVote.Shared;
using Microsoft.AspNetCore.Http.HttpResults;

namespace CongressVote.Server.Polls;

/// <summary>
/// A vote's life after it opened, for motions and elections alike: publishing its result, cancelling it with a
/// reason, counting it again. Maps the routes and turns the outcomes of <see cref="PollResults"/> and
/// <see cref="PollClosing"/> into HTTP answers.
/// </summary>
public static class PollResultsApi
{
    public static IEndpointRouteBuilder MapPollResultsApi(this IEndpointRouteBuilder app)
    {
        var polls = app.MapGroup("/api/polls").RequireAuthorization(p => p.RequireRole(Roles.RunsPolls.Split(',')));
        polls.MapPost("/{pollId:guid}/publish", PublishAsync);
        polls.MapPost("/{pollId:guid}/cancel", CancelAsync);
        app.MapPost("/api/polls/{pollId:guid}/recount", RecountAsync).RequireAuthorization(p => p.RequireRole(Roles.CountsPaper.Split(',')));
        return app;
    }

    private static async Task<Results<Ok<PollDto>, ProblemHttpResult>> PublishAsync(Guid pollId, ClaimsPrincipal user, HttpContext http, PollResults results) =>
        Answer(await results.PublishAsync(pollId, user.CongressId(), user.Actor(), http));

    private static async Task<Results<Ok<PollDto>, ProblemHttpResult>> CancelAsync(
        Guid pollId, CancelPollDto cancel, ClaimsPrincipal user, HttpContext http, PollClosing closing)
    {
        string reason = (cancel.Reason ?? "").Normalize(System.Text.NormalizationForm.FormC).Trim();
        if (reason.Length is 0 or > 500)
        {
            return Problems.BadRequest("cancel_needs_reason", "Cancelling a vote needs a reason (at most 500 characters).");
        }

        return Answer(await closing.CancelAsync(pollId, user.CongressId(), user.Actor(), http, reason));
    }

    private static async Task<Results<Ok<PollDto>, ProblemHttpResult>> RecountAsync(
        Guid pollId, RecountRequestDto request, ClaimsPrincipal user, HttpContext http, PollResults results)
    {
        string reason = (request.Reason ?? "").Trim();
        if (reason.Length is 0 or > 500)
        {
            return Problems.BadRequest("recount_needs_reason", "A recount needs a reason (at most 500 characters).");
        }

        return Answer(await results.RecountAsync(pollId, user.CongressId(), user.Actor(), http, reason));
    }

    private static Results<Ok<PollDto>, ProblemHttpResult> Answer((PollDto? Poll, Refusal? Refusal) outcome) =>
        outcome.Refusal is { } refusal ? refusal.ToProblem() : TypedResults.Ok(outcome.Poll!);
}

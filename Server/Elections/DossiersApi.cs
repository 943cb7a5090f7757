using System.Security.Claims;
using CongressVote.Server.Sessions;
using CongressVote.Shared;
using Microsoft.AspNetCore.Http.HttpResults;

namespace CongressVote.Server.Elections;

/// <summary>The secretariat's endpoints of the election dossier; the operations are <see cref="Dossiers"/>'s.</summary>
public static class DossiersApi
{
    public static IEndpointRouteBuilder MapDossiersApi(this IEndpointRouteBuilder app)
    {
        var runs = app.MapGroup("/api/dossiers").RequireAuthorization(p => p.RequireRole(Roles.RunsPolls.Split(',')));
        runs.MapPost("", (DossierCreateDto create, ClaimsPrincipal user, HttpContext http, Dossiers dossiers) =>
            AnswerAsync(dossiers.CreateAsync(create, user, http)));
        runs.MapPut("/{id:guid}/presidium-list", (Guid id, NomineesDto list, ClaimsPrincipal user, HttpContext http, Dossiers dossiers) =>
            AnswerAsync(dossiers.SetPresidiumListAsync(id, list, user, http)));
        runs.MapPost("/{id:guid}/paper-nominations", (Guid id, NomineesDto nominee, ClaimsPrincipal user, HttpContext http, Dossiers dossiers) =>
            AnswerAsync(dossiers.PaperNominationAsync(id, nominee, user, http)));
        runs.MapPost("/{id:guid}/motion", (Guid id, DossierMotionDto motion, ClaimsPrincipal user, HttpContext http, Dossiers dossiers) =>
            AnswerAsync(dossiers.StepMotionAsync(id, motion, user, http)));
        runs.MapPut("/{id:guid}/committee", (Guid id, CommitteeDto committee, ClaimsPrincipal user, HttpContext http, Dossiers dossiers) =>
            AnswerAsync(dossiers.SetCommitteeAsync(id, committee, user, http)));
        runs.MapPost("/{id:guid}/withdrawals/{nominationId:guid}/record", (Guid id, Guid nominationId, ClaimsPrincipal user, HttpContext http, Dossiers dossiers) =>
            AnswerAsync(dossiers.RecordWithdrawalAsync(id, nominationId, user, http)));
        runs.MapPost("/{id:guid}/advance", (Guid id, DossierAdvanceDto advance, ClaimsPrincipal user, HttpContext http, Dossiers dossiers) =>
            AnswerAsync(dossiers.AdvanceAsync(id, advance, user, http)));
        runs.MapPost("/{id:guid}/second-round", (Guid id, ClaimsPrincipal user, HttpContext http, Dossiers dossiers) =>
            AnswerAsync(dossiers.SecondRoundAsync(id, user, http)));

        var staff = app.MapGroup("/api/dossiers").RequireAuthorization(p => p.RequireRole(Roles.AnyStaff.Split(',')));
        staff.MapGet("", async (ClaimsPrincipal user, Dossiers dossiers) => TypedResults.Ok(await dossiers.ListAsync(user.CongressId())));
        staff.MapGet("/{id:guid}", async Task<Results<Ok<DossierDto>, ProblemHttpResult>> (Guid id, ClaimsPrincipal user, Dossiers dossiers) =>
            await dossiers.FindAsync(user.CongressId(), id) is { } found
                ? TypedResults.Ok(found)
                : Problems.NotFound("unknown_dossier", "There is no such election dossier in this congress."));
        return app;
    }

    private static async Task<Results<Ok<DossierDto>, ProblemHttpResult>> AnswerAsync(Task<(DossierDto? Dossier, Refusal? Refusal)> operation)
    {
        var (dossier, refusal) = await operation;
        return refusal is not null ? refusal.ToProblem() : TypedResults.Ok(dossier!);
    }
}

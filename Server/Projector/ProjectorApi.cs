using System.Security.Claims;
using System.Text;
using CongressVote.Server.Audit;
using CongressVote.Server.Live;
using CongressVote.Server.Sessions;
using CongressVote.Shared;
using Dapper;
using Microsoft.AspNetCore.Http.HttpResults;
using Npgsql;

namespace CongressVote.Server.Projector;

/// <summary>
/// The secretariat drives the hall screen: a scene (or Auto), a free message and the screen's language. The state
/// lives in the congress row so a projector that reconnects, or a second console, sees the same choice.
/// </summary>
public static class ProjectorApi
{
    public static IEndpointRouteBuilder MapProjectorApi(this IEndpointRouteBuilder app)
    {
        app.MapPut("/api/projector", SetAsync).RequireAuthorization(p => p.RequireRole(Roles.RunsPolls.Split(',')));
        return app;
    }

    /// <summary>The stored columns as the contract; an unknown stored value reads as Auto.</summary>
    public static ProjectorStateDto State(string scene, string? message, string language, long version) =>
        new(Enum.TryParse<ProjectorScene>(scene, ignoreCase: true, out var parsed) ? parsed : ProjectorScene.Auto, message, language, version);

    private static async Task<Results<Ok<ProjectorStateDto>, ProblemHttpResult>> SetAsync(
        ProjectorStateDto request, ClaimsPrincipal user, HttpContext http, NpgsqlDataSource db, CongressNotifier notifier)
    {
        if (!Enum.IsDefined(request.Scene))
        {
            return Problems.BadRequest("bad_scene", "The scene is auto, welcome, agenda, attendance, poll, message or speaker.");
        }

        if (request.Language is not ("vi" or "en"))
        {
            return Problems.BadRequest("bad_language", "The projector speaks vi or en.");
        }

        // The message is shown in the hall as typed: composed Unicode (as every name is stored), no control characters.
        string? message = request.Message?.Normalize(NormalizationForm.FormC).Trim();
        if (message is { Length: > ProjectorStateDto.MessageMaxLength } || message?.Any(c => char.IsControl(c) && c != '\n') == true)
        {
            return Problems.BadRequest("bad_projector_message", $"The message is at most {ProjectorStateDto.MessageMaxLength} characters, without control characters.");
        }

        if (request.Scene == ProjectorScene.Message && string.IsNullOrEmpty(message))
        {
            return Problems.BadRequest("empty_projector_message", "Write the message to show.");
        }

        var state = new ProjectorStateDto(request.Scene, string.IsNullOrEmpty(message) ? null : message, request.Language);
        Guid congressId = user.CongressId();
        await using var connection = await db.OpenConnectionAsync();
        await using var transaction = await connection.BeginTransactionAsync();
        long version = await connection.ExecuteScalarAsync<long>("""
            UPDATE congress SET projector_scene = @scene, projector_message = @Message, projector_language = @Language,
                                projector_version = projector_version + 1
            WHERE id = @congressId
            RETURNING projector_version
            """, new { scene = state.Scene.ToString().ToLowerInvariant(), state.Message, state.Language, congressId }, transaction);
        state = state with { Version = version };
        await AuditLog.WriteAsync(transaction, user, http, congressId, "projector.scene",
            state.Scene == ProjectorScene.Message ? $"message: {state.Message}" : $"{state.Scene.ToString().ToLowerInvariant()} ({state.Language})");
        await transaction.CommitAsync();
        await notifier.ProjectorChangedAsync(congressId, state);
        return TypedResults.Ok(state);
    }
}

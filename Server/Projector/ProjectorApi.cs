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
        app.MapPut("/api/projector/emblem", SetEmblemAsync).RequireAuthorization(p => p.RequireRole(Roles.RunsPolls.Split(',')));
        app.MapDelete("/api/projector/emblem", RemoveEmblemAsync).RequireAuthorization(p => p.RequireRole(Roles.RunsPolls.Split(',')));
        app.MapGet("/api/projector/emblem", ReadEmblemAsync).RequireAuthorization();
        return app;
    }

    private sealed record StateRow(string ProjectorScene, string? ProjectorMessage, string ProjectorLanguage, long ProjectorVersion, long? EmblemVersion);

    /// <summary>
    /// The congress's emblem for the welcome scene: a PNG or JPEG of at most 512 KB, recognised by its first bytes
    /// (not by the name or the declared type). The projector version moves on, so screens fetch the new picture.
    /// </summary>
    private static async Task<Results<Ok<ProjectorStateDto>, ProblemHttpResult>> SetEmblemAsync(
        ClaimsPrincipal user, HttpContext http, NpgsqlDataSource db, CongressNotifier notifier)
    {
        using var buffer = new MemoryStream();
        var read = new byte[16 * 1024];
        int n;
        while ((n = await http.Request.Body.ReadAsync(read, http.RequestAborted)) > 0)
        {
            if (buffer.Length + n > ProjectorStateDto.EmblemMaxBytes)
            {
                return Problems.BadRequest("emblem_too_large", $"The emblem is at most {ProjectorStateDto.EmblemMaxBytes / 1024} KB.");
            }

            buffer.Write(read, 0, n);
        }

        byte[] image = buffer.ToArray();
        string? type = image switch
        {
            [0x89, 0x50, 0x4E, 0x47, 0x0D, 0x0A, 0x1A, 0x0A, ..] => "image/png",
            [0xFF, 0xD8, 0xFF, ..] => "image/jpeg",
            _ => null,
        };
        if (type is null)
        {
            return Problems.BadRequest("bad_emblem", "The emblem must be a PNG or JPEG picture.");
        }

        return await SaveEmblemAsync(user, http, db, notifier, image, type);
    }

    private static Task<Results<Ok<ProjectorStateDto>, ProblemHttpResult>> RemoveEmblemAsync(
        ClaimsPrincipal user, HttpContext http, NpgsqlDataSource db, CongressNotifier notifier) =>
        SaveEmblemAsync(user, http, db, notifier, null, null);

    private static async Task<Results<Ok<ProjectorStateDto>, ProblemHttpResult>> SaveEmblemAsync(
        ClaimsPrincipal user, HttpContext http, NpgsqlDataSource db, CongressNotifier notifier, byte[]? image, string? type) =>
        TypedResults.Ok(await ChangeAsync(user, http, db, notifier, """
            emblem = @image, emblem_type = @type,
            emblem_version = CASE WHEN @image::bytea IS NULL THEN NULL ELSE projector_version + 1 END
            """, new { image, type }, image is null ? "projector.emblem.remove" : "projector.emblem", type,
            image is null ? null : new { bytes = image.Length }));

    /// <summary>
    /// One change to the congress row's hall-screen columns: the version moves on, the audit row is written in the
    /// same transaction, and the stored state is pushed to the screens once committed.
    /// </summary>
    private static async Task<ProjectorStateDto> ChangeAsync(
        ClaimsPrincipal user, HttpContext http, NpgsqlDataSource db, CongressNotifier notifier,
        string set, object values, string action, string? subject, object? detail = null)
    {
        Guid congressId = user.CongressId();
        var parameters = new DynamicParameters(values);
        parameters.Add("congressId", congressId);
        await using var connection = await db.OpenConnectionAsync();
        await using var transaction = await connection.BeginTransactionAsync();
        var row = await connection.QuerySingleAsync<StateRow>($"""
            UPDATE congress SET {set}, projector_version = projector_version + 1
            WHERE id = @congressId
            RETURNING projector_scene, projector_message, projector_language, projector_version, emblem_version
            """, parameters, transaction);
        await AuditLog.WriteAsync(transaction, user, http, congressId, action, subject, detail);
        await transaction.CommitAsync();
        var state = ProjectorStates.Of(row.ProjectorScene, row.ProjectorMessage, row.ProjectorLanguage, row.ProjectorVersion, row.EmblemVersion);
        await notifier.ProjectorChangedAsync(congressId, state);
        return state;
    }

    /// <summary>Any session of the congress may fetch its emblem: the hall screen, a console's preview.</summary>
    private static async Task<Results<FileContentHttpResult, NotFound>> ReadEmblemAsync(ClaimsPrincipal user, HttpContext http, NpgsqlDataSource db)
    {
        // The one file staff upload that the app serves back: the browser must take it for the picture type stored.
        http.Response.Headers.XContentTypeOptions = "nosniff";
        await using var connection = await db.OpenConnectionAsync();
        var emblem = await connection.QuerySingleOrDefaultAsync<(byte[]? Image, string? Type)>(
            "SELECT emblem, emblem_type FROM congress WHERE id = @congressId", new { congressId = user.CongressId() });
        return emblem.Image is { } image && emblem.Type is { } type ? TypedResults.File(image, type) : TypedResults.NotFound();
    }

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

        message = string.IsNullOrEmpty(message) ? null : message;
        string scene = request.Scene.ToString().ToLowerInvariant();
        return TypedResults.Ok(await ChangeAsync(user, http, db, notifier,
            "projector_scene = @scene, projector_message = @message, projector_language = @language",
            new { scene, message, language = request.Language },
            "projector.scene", request.Scene == ProjectorScene.Message ? $"message: {message}" : $"{scene} ({request.Language})"));
    }
}

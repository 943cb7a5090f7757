using System.Security.Claims;
using CongressVote.Server.Audit;
using CongressVote.Server.Venue;
using CongressVote.Server.Delegates;
using CongressVote.Server.Sessions;
using CongressVote.Shared;
using Dapper;
using Microsoft.AspNetCore.Http.HttpResults;
using Microsoft.Extensions.Options;
using Npgsql;

namespace CongressVote.Server.Congresses;

/// <summary>The congress's own settings, and pairing the hall projector.</summary>
public static class CongressApi
{
    public static IEndpointRouteBuilder MapCongressApi(this IEndpointRouteBuilder app)
    {
        app.MapGet("/api/congress", ReadAsync).RequireAuthorization(p => p.RequireRole(Roles.AnyStaff.Split(',')));
        app.MapPut("/api/congress", UpdateAsync).RequireAuthorization(p => p.RequireRole(Roles.Admin));
        app.MapPost("/api/congress/projector-link", NewProjectorLinkAsync).RequireAuthorization(p => p.RequireRole(Roles.RunsPolls.Split(',')));
        return app;
    }

    private sealed record Row(string Name, DateOnly StartsOn, string Preset, bool LoginRequiresCheckIn, bool AllowProxy);

    private static async Task<Ok<CongressSettingsDto>> ReadAsync(ClaimsPrincipal user, NpgsqlDataSource db)
    {
        await using var connection = await db.OpenConnectionAsync();
        var row = await connection.QuerySingleAsync<Row>(
            "SELECT name, starts_on, preset, login_requires_check_in, allow_proxy FROM congress WHERE id = @congressId", new { congressId = user.CongressId() });
        return TypedResults.Ok(new CongressSettingsDto(row.Name, row.StartsOn, row.Preset, row.LoginRequiresCheckIn, row.AllowProxy));
    }

    private static async Task<Results<Ok<CongressSettingsDto>, ProblemHttpResult>> UpdateAsync(
        CongressSettingsDto settings, ClaimsPrincipal user, HttpContext http, NpgsqlDataSource db, Live.CongressNotifier notifier)
    {
        string name = (settings.Name ?? "").Normalize(System.Text.NormalizationForm.FormC).Trim();
        if (name.Length is 0 or > 300 || name.Any(char.IsControl))
        {
            return Problems.BadRequest("bad_congress_name", "The congress name is 1 to 300 characters of plain text.");
        }

        if (CongressPreset.All.All(p => p.Key != settings.Preset))
        {
            return Problems.BadRequest("bad_preset", "Unknown preset.");
        }

        var preset = CongressPreset.ByKey(settings.Preset);
        Guid congressId = user.CongressId();
        await using var connection = await db.OpenConnectionAsync();
        await using var transaction = await connection.BeginTransactionAsync();
        await connection.ExecuteAsync("""
            UPDATE congress SET name = @name, starts_on = @startsOn, preset = @Key, login_requires_check_in = @LoginRequiresCheckIn,
                                excused_reduce_summoned = @ExcusedReduceSummoned, allow_proxy = @AllowProxy
            WHERE id = @congressId
            """, new { name, startsOn = settings.StartsOn, preset.Key, settings.LoginRequiresCheckIn, preset.ExcusedReduceSummoned, settings.AllowProxy, congressId },
            transaction);
        await AuditLog.WriteAsync(transaction, user, http, congressId, "congress.settings", name, settings with { Name = name });
        await transaction.CommitAsync();
        notifier.AttendanceMayHaveChanged(congressId);
        return TypedResults.Ok(settings with { Name = name });
    }

    /// <summary>A new display code for the hall PC; the previous projector link stops working.</summary>
    private static async Task<Ok<string>> NewProjectorLinkAsync(ClaimsPrincipal user, HttpContext http, NpgsqlDataSource db, IOptions<VenueOptions> venue)
    {
        Guid congressId = user.CongressId();
        string code = BadgeTokens.New();
        await using var connection = await db.OpenConnectionAsync();
        await using var transaction = await connection.BeginTransactionAsync();
        await connection.ExecuteAsync("UPDATE congress SET projector_code_hash = @hash WHERE id = @congressId",
            new { hash = BadgeTokens.Hash(code), congressId }, transaction);
        await AuditLog.WriteAsync(transaction, user, http, congressId, "projector.pair", null);
        await transaction.CommitAsync();
        return TypedResults.Ok(VenueAddress.BaseUrl(venue.Value, http) + Routes.ProjectorLink(code));
    }
}

using System.Security.Claims;
using CongressVote.Server.Sessions;
using CongressVote.Shared;
using Microsoft.AspNetCore.Http.HttpResults;
using Npgsql;

namespace CongressVote.Server.Audit;

/// <summary>The audit trail over HTTP: reading, verifying and exporting it (<see cref="AuditTrail"/>).</summary>
public static class AuditApi
{
    public static IServiceCollection AddAudit(this IServiceCollection services)
    {
        services.AddSingleton<AuditSeal>();
        services.AddHostedService(sp => sp.GetRequiredService<AuditSeal>());
        return services;
    }

    public static IEndpointRouteBuilder MapAuditApi(this IEndpointRouteBuilder app)
    {
        var audit = app.MapGroup("/api/audit").RequireAuthorization(p => p.RequireRole(Roles.Admin, Roles.Chair, Roles.Secretary));
        audit.MapGet("", ListAsync);
        audit.MapGet("/verify", VerifyAsync);
        audit.MapGet("/export", ExportAsync);
        return app;
    }

    /// <summary>The newest entries first: 500 for the audit page, a few for the console's panel.</summary>
    private static async Task<Ok<List<AuditEventDto>>> ListAsync(ClaimsPrincipal user, NpgsqlDataSource db, int? take)
    {
        await using var connection = await db.OpenConnectionAsync();
        return TypedResults.Ok(await AuditTrail.ListAsync(connection, user.CongressId(), Math.Clamp(take ?? 500, 1, 500)));
    }

    private static async Task<Ok<AuditVerificationDto>> VerifyAsync(AuditSeal seal) => TypedResults.Ok(await seal.VerifyAsync());

    private static async Task<FileContentHttpResult> ExportAsync(ClaimsPrincipal user, NpgsqlDataSource db)
    {
        await using var connection = await db.OpenConnectionAsync();
        return TypedResults.File(await AuditTrail.CsvAsync(connection, user.CongressId()), "text/csv; charset=utf-8", "nhat-ky-audit.csv");
    }
}

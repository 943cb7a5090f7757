using System.Security.Claims;
using CongressVote.Server.Audit;
using CongressVote.Server.Sessions;
using CongressVote.Shared;
using Dapper;
using Microsoft.AspNetCore.Http.HttpResults;
using Npgsql;

namespace CongressVote.Server.Delegates;

/// <summary>
/// Proxies (an absent delegate's vote given to another delegate) and vote weights. Both are off by default:
/// proxies count only where the congress allows them, and every weight is 1 until set.
/// </summary>
public static class ProxiesApi
{
    public static IEndpointRouteBuilder MapProxiesApi(this IEndpointRouteBuilder app)
    {
        var staff = app.MapGroup("/api").RequireAuthorization(p => p.RequireRole(Roles.ManagesDelegates.Split(',')));
        staff.MapGet("/proxies", ListAsync);
        staff.MapPost("/proxies", AddAsync);
        staff.MapDelete("/proxies/{grantorId:guid}", RemoveAsync);
        staff.MapPut("/delegates/{id:guid}/weight", WeightAsync);
        return app;
    }

    private static async Task<Ok<List<ProxyDto>>> ListAsync(ClaimsPrincipal user, NpgsqlDataSource db)
    {
        await using var connection = await db.OpenConnectionAsync();
        var rows = await connection.QueryAsync<ProxyDto>("""
            SELECT g.id AS grantor_id, g.code AS grantor_code, g.full_name AS grantor_name, h.id AS holder_id, h.code AS holder_code, h.full_name AS holder_name
            FROM proxy x JOIN delegate g ON g.id = x.grantor_id JOIN delegate h ON h.id = x.holder_id
            WHERE x.congress_id = @congressId
            ORDER BY g.code
            """, new { congressId = user.CongressId() });
        return TypedResults.Ok(rows.ToList());
    }

    private static async Task<Results<Ok<ProxyDto>, ProblemHttpResult>> AddAsync(ProxyEditDto edit, ClaimsPrincipal user, HttpContext http, NpgsqlDataSource db)
    {
        Guid congressId = user.CongressId();
        await using var connection = await db.OpenConnectionAsync();
        await using var transaction = await connection.BeginTransactionAsync();
        var people = (await connection.QueryAsync<(Guid Id, string Code, string FullName, bool MayVote)>("""
            SELECT id, code, full_name, may_vote FROM delegate
            WHERE congress_id = @congressId AND upper(code) IN (upper(@GrantorCode), upper(@HolderCode))
            """, new { congressId, edit.GrantorCode, edit.HolderCode }, transaction)).ToList();
        var grantor = people.FirstOrDefault(p => string.Equals(p.Code, edit.GrantorCode?.Trim(), StringComparison.OrdinalIgnoreCase));
        var holder = people.FirstOrDefault(p => string.Equals(p.Code, edit.HolderCode?.Trim(), StringComparison.OrdinalIgnoreCase));
        if (grantor.Id == Guid.Empty || holder.Id == Guid.Empty || grantor.Id == holder.Id)
        {
            return Problems.BadRequest("bad_proxy", "Name two different delegates of this congress by their codes.");
        }

        if (!grantor.MayVote || !holder.MayVote)
        {
            return Problems.BadRequest("bad_proxy", "Both delegates must be entitled to vote.");
        }

        await connection.ExecuteAsync("""
            INSERT INTO proxy (grantor_id, holder_id, congress_id) VALUES (@grantor, @holder, @congressId)
            ON CONFLICT (grantor_id) DO UPDATE SET holder_id = excluded.holder_id, created_at = now()
            """, new { grantor = grantor.Id, holder = holder.Id, congressId }, transaction);
        await AuditLog.WriteAsync(transaction, user, http, congressId, "proxy.set", grantor.Code, new { holder = holder.Code });
        await transaction.CommitAsync();
        return TypedResults.Ok(new ProxyDto(grantor.Id, grantor.Code, grantor.FullName, holder.Id, holder.Code, holder.FullName));
    }

    private static async Task<Results<NoContent, ProblemHttpResult>> RemoveAsync(Guid grantorId, ClaimsPrincipal user, HttpContext http, NpgsqlDataSource db)
    {
        Guid congressId = user.CongressId();
        await using var connection = await db.OpenConnectionAsync();
        await using var transaction = await connection.BeginTransactionAsync();
        int removed = await connection.ExecuteAsync("DELETE FROM proxy WHERE grantor_id = @grantorId AND congress_id = @congressId", new { grantorId, congressId }, transaction);
        if (removed == 0)
        {
            return Problems.NotFound("unknown_proxy", "There is no such proxy.");
        }

        await AuditLog.WriteAsync(transaction, user, http, congressId, "proxy.remove", grantorId.ToString());
        await transaction.CommitAsync();
        return TypedResults.NoContent();
    }

    /// <summary>A delegate's vote weight, fixed into each poll's roll when the poll opens.</summary>
    private static async Task<Results<NoContent, ProblemHttpResult>> WeightAsync(Guid id, WeightDto weight, ClaimsPrincipal user, HttpContext http, NpgsqlDataSource db)
    {
        if (weight.Weight is < 1 or > 1000)
        {
            return Problems.BadRequest("bad_weight", "A vote weight is a whole number from 1 to 1,000.");
        }

        Guid congressId = user.CongressId();
        await using var connection = await db.OpenConnectionAsync();
        await using var transaction = await connection.BeginTransactionAsync();
        string? code = await connection.ExecuteScalarAsync<string?>(
            "UPDATE delegate SET vote_weight = @Weight WHERE id = @id AND congress_id = @congressId RETURNING code", new { weight.Weight, id, congressId }, transaction);
        if (code is null)
        {
            return Problems.NotFound("unknown_delegate", "There is no such delegate in this congress.");
        }

        await AuditLog.WriteAsync(transaction, user, http, congressId, "delegate.weight", code, weight);
        await transaction.CommitAsync();
        return TypedResults.NoContent();
    }
}

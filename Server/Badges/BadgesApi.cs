using Microsoft.AspNetCore.DataProtection;
using Microsoft.AspNetCore.Identity;
using System.Security.Claims;
using CongressVote.Server.Audit;
using CongressVote.Server.Delegates;
using CongressVote.Server.Live;
using CongressVote.Server.Sessions;
using CongressVote.Server.Venue;
using CongressVote.Shared;
using Dapper;
using Microsoft.AspNetCore.Http.HttpResults;
using Microsoft.Extensions.Options;
using Npgsql;

namespace CongressVote.Server.Badges;

/// <summary>
/// Badges. Sign-in looks up only a token's hash; the token itself is kept sealed with the Data Protection key ring
/// (which the database never holds), so a badge's PNG, SVG and sheet are the same badge however often they are
/// printed. Issuing happens once per badge: a first print issues, and only an explicit reissue or a reprint of a
/// sheet replaces a badge, after which the old one stops working at once.
/// </summary>
public static class BadgesApi
{
    public static IServiceCollection AddBadges(this IServiceCollection services, IConfiguration configuration)
    {
        services.Configure<VenueOptions>(configuration.GetSection("Venue"));
        return services;
    }

    public static IEndpointRouteBuilder MapBadgesApi(this IEndpointRouteBuilder app)
    {
        var badges = app.MapGroup("/api").RequireAuthorization(p => p.RequireRole(Roles.ManagesDelegates.Split(',')));
        badges.MapPost("/badges/sheet", SheetAsync);
        badges.MapPost("/delegates/{id:guid}/badge", SingleAsync);
        badges.MapPost("/delegates/{id:guid}/badge/reissue", ReissueAsync);
        badges.MapPost("/delegates/{id:guid}/revoke", RevokeAsync);
        return app;
    }

    private sealed record Holder(Guid Id, string Code, string FullName, string Delegation, string? Position, string Kind, byte[]? TokenHash, byte[]? BadgeSealed);

    private const string SelectHolders = """
        SELECT d.id, d.code, d.full_name, coalesce(dl.name, '') AS delegation, d.position, d.kind, d.token_hash, d.badge_sealed
        FROM delegate d LEFT JOIN delegation dl ON dl.id = d.delegation_id
        """;

    /// <summary>One delegate of this congress, locked until the badge change (or print) commits.</summary>
    private static Task<Holder?> LockHolderAsync(NpgsqlConnection connection, NpgsqlTransaction transaction, Guid id, Guid congressId) =>
        connection.QuerySingleOrDefaultAsync<Holder>(
            $"{SelectHolders} WHERE d.id = @id AND d.congress_id = @congressId FOR UPDATE OF d", new { id, congressId }, transaction);

    private static async Task<Results<FileContentHttpResult, ProblemHttpResult>> SheetAsync(
        BadgeSheetRequest request, ClaimsPrincipal user, HttpContext http, NpgsqlDataSource db, IOptions<VenueOptions> venue, CongressNotifier notifier,
        IDataProtectionProvider protection)
    {
        var seal = Sealer(protection);
        Guid congressId = user.CongressId();
        await using var connection = await db.OpenConnectionAsync();
        await using var transaction = await connection.BeginTransactionAsync();
        if (request.Scope == BadgeScope.Reprint && await connection.ExecuteScalarAsync<bool>(
                "SELECT EXISTS (SELECT 1 FROM poll WHERE congress_id = @congressId AND state = 'open')", new { congressId }, transaction))
        {
            // A reprint signs tablets out: never in the middle of a vote.
            return Problems.Conflict("poll_open", "A vote is open; reprint badges after it closes.");
        }

        var holders = (await connection.QueryAsync<Holder>($"""
            {SelectHolders}
            WHERE d.congress_id = @congressId
              AND (@delegation IS NULL OR dl.name = @delegation)
              AND CASE @scope WHEN 'Reprint' THEN true WHEN 'Again' THEN d.token_hash IS NOT NULL ELSE d.token_hash IS NULL END
            FOR UPDATE OF d
            """, new { congressId, delegation = string.IsNullOrEmpty(request.Delegation) ? null : request.Delegation, scope = request.Scope.ToString() },
            transaction)).ToList();
        if (holders.Count == 0)
        {
            return Problems.NotFound("no_badges_to_print", "No delegate matches: everyone chosen already has a badge.");
        }

        string congressName = await connection.ExecuteScalarAsync<string>("SELECT name FROM congress WHERE id = @congressId", new { congressId }, transaction) ?? "";
        string baseUrl = VenueAddress.BaseUrl(venue.Value, http);
        var badges = new List<BadgeData>(holders.Count);
        var ended = new List<Guid>();
        foreach (var holder in holders.OrderBy(h => h.Delegation, VietnameseOrder.Collation).ThenBy(h => h.FullName, VietnameseOrder.Names))
        {
            string? token = request.Scope == BadgeScope.Again ? Unseal(seal, holder) : await IssueAsync(connection, transaction, holder, seal, ended);
            if (token is null)
            {
                return NotKept(holder);
            }

            badges.Add(Data(congressName, holder, baseUrl + Routes.DelegateLink(token)));
        }

        string action = request.Scope switch { BadgeScope.Reprint => "badges.reprint", BadgeScope.Again => "badges.print_again", _ => "badges.print" };
        await AuditLog.WriteAsync(transaction, user, http, congressId, action, request.Delegation, new { count = holders.Count });
        byte[] pdf = BadgeRenderer.PdfSheet(badges);
        await transaction.CommitAsync();
        await EndSessionsAsync(notifier, ended);
        return TypedResults.File(pdf, "application/pdf", $"the-dai-bieu-{DateTime.Now:yyyyMMdd-HHmm}.pdf");
    }

    /// <summary>
    /// One delegate's badge as PNG or SVG: the badge they already have, rendered again (nothing is issued, no
    /// approval is needed, the printed one keeps working), or a first badge for a delegate who has none.
    /// </summary>
    private static async Task<Results<FileContentHttpResult, ProblemHttpResult>> SingleAsync(
        Guid id, string? format, ClaimsPrincipal user, HttpContext http, NpgsqlDataSource db,
        IOptions<VenueOptions> venue, IDataProtectionProvider protection)
    {
        Guid congressId = user.CongressId();
        var seal = Sealer(protection);
        await using var connection = await db.OpenConnectionAsync();
        await using var transaction = await connection.BeginTransactionAsync();
        var holder = await LockHolderAsync(connection, transaction, id, congressId);
        if (holder is null)
        {
            return Problems.NotFound("unknown_delegate", "There is no such delegate in this congress.");
        }

        string? token = holder.TokenHash is null ? await IssueAsync(connection, transaction, holder, seal, []) : Unseal(seal, holder);
        if (token is null)
        {
            return NotKept(holder);
        }

        await AuditLog.WriteAsync(transaction, user, http, congressId, holder.TokenHash is null ? "badge.issue" : "badge.print_again", holder.Code);
        var file = await RenderAsync(connection, transaction, congressId, holder, format, VenueAddress.BaseUrl(venue.Value, http) + Routes.DelegateLink(token));
        await transaction.CommitAsync();
        return file;
    }

    /// <summary>
    /// Replaces a delegate's badge (lost, damaged, or held by someone else): the old badge and the tablet it signed
    /// in stop working at once. During an open vote only with the chair's approval.
    /// </summary>
    private static async Task<Results<FileContentHttpResult, ProblemHttpResult>> ReissueAsync(
        Guid id, string? format, ClaimsPrincipal user, HttpContext http, NpgsqlDataSource db,
        IOptions<VenueOptions> venue, CongressNotifier notifier, IPasswordHasher<StaffAccount> hasher, IDataProtectionProvider protection)
    {
        Guid congressId = user.CongressId();
        await using var connection = await db.OpenConnectionAsync();
        await using var transaction = await connection.BeginTransactionAsync();
        var holder = await LockHolderAsync(connection, transaction, id, congressId);
        if (holder is null)
        {
            return Problems.NotFound("unknown_delegate", "There is no such delegate in this congress.");
        }

        string? approvedBy = null;
        if (holder.TokenHash is not null)
        {
            var (chair, refused) = await ChairApprovalAsync(connection, transaction, congressId, user, await ApprovalAsync(http), hasher);
            if (refused is not null)
            {
                return refused;
            }

            approvedBy = chair;
        }

        var ended = new List<Guid>();
        string token = await IssueAsync(connection, transaction, holder, Sealer(protection), ended);
        if (approvedBy is not null)
        {
            // Reissued during a vote: the new badge signs a tablet in once the desk has scanned it at the door.
            await connection.ExecuteAsync("UPDATE delegate SET badge_needs_desk = true WHERE id = @Id", new { holder.Id }, transaction);
        }

        await AuditLog.WriteAsync(transaction, user, http, congressId, holder.TokenHash is null ? "badge.issue" : "badge.reissue", holder.Code,
            approvedBy is null ? null : new { approvedBy, during = "open vote" });
        var file = await RenderAsync(connection, transaction, congressId, holder, format, VenueAddress.BaseUrl(venue.Value, http) + Routes.DelegateLink(token));
        await transaction.CommitAsync();
        await EndSessionsAsync(notifier, ended);
        return file;
    }

    private static async Task<FileContentHttpResult> RenderAsync(
        NpgsqlConnection connection, NpgsqlTransaction transaction, Guid congressId, Holder holder, string? format, string url)
    {
        string congressName = await connection.ExecuteScalarAsync<string>("SELECT name FROM congress WHERE id = @congressId", new { congressId }, transaction) ?? "";
        var badge = Data(congressName, holder, url);
        return format == "svg"
            ? TypedResults.File(System.Text.Encoding.UTF8.GetBytes(BadgeRenderer.Svg(badge)), "image/svg+xml", $"{holder.Code}.svg")
            : TypedResults.File(BadgeRenderer.Png(badge), "image/png", $"{holder.Code}.png");
    }

    /// <summary>Seals badge tokens with the key ring; the purpose keeps these ciphertexts apart from every other use of it.</summary>
    private static IDataProtector Sealer(IDataProtectionProvider protection) => protection.CreateProtector("CongressVote.BadgeToken.v1");

    /// <summary>
    /// The token of the badge the holder has, or null when it cannot be printed again: issued before badges were
    /// kept sealed, sealed with a key ring this server does not have, or not the badge whose hash signs in.
    /// </summary>
    private static string? Unseal(IDataProtector seal, Holder holder)
    {
        if (holder.BadgeSealed is null || holder.TokenHash is null)
        {
            return null;
        }

        try
        {
            string token = System.Text.Encoding.ASCII.GetString(seal.Unprotect(holder.BadgeSealed));
            return BadgeTokens.Hash(token).AsSpan().SequenceEqual(holder.TokenHash) ? token : null;
        }
        catch (System.Security.Cryptography.CryptographicException)
        {
            return null;
        }
    }

    private static ProblemHttpResult NotKept(Holder holder) =>
        Problems.Conflict("badge_not_kept", $"The badge of {holder.Code} cannot be printed again: reissue it.");

    private static async Task<Results<NoContent, ProblemHttpResult>> RevokeAsync(
        Guid id, ClaimsPrincipal user, HttpContext http, NpgsqlDataSource db, CongressNotifier notifier,
        IPasswordHasher<StaffAccount> hasher)
    {
        Guid congressId = user.CongressId();
        await using var connection = await db.OpenConnectionAsync();
        await using var transaction = await connection.BeginTransactionAsync();
        var holder = await LockHolderAsync(connection, transaction, id, congressId);
        if (holder is null)
        {
            return Problems.NotFound("unknown_delegate", "There is no such delegate in this congress.");
        }

        if (holder.TokenHash is null)
        {
            return Problems.Conflict("no_badge", "This delegate has no badge to revoke.");
        }

        var (approvedBy, refused) = await ChairApprovalAsync(connection, transaction, congressId, user, await ApprovalAsync(http), hasher);
        if (refused is not null)
        {
            return refused;
        }

        var ended = new List<Guid>();
        await RetireAsync(connection, transaction, holder, "revoked", ended);
        await connection.ExecuteAsync("UPDATE delegate SET token_hash = NULL, badge_sealed = NULL WHERE id = @id", new { id }, transaction);
        await AuditLog.WriteAsync(transaction, user, http, congressId, "badge.revoke", holder.Code, approvedBy is null ? null : new { approvedBy, during = "open vote" });
        await transaction.CommitAsync();
        await EndSessionsAsync(notifier, ended);
        return TypedResults.NoContent();
    }

    /// <summary>The chair's approval, when the request carries one: most requests have no body at all.</summary>
    private static async Task<BadgeChangeApprovalDto?> ApprovalAsync(HttpContext http)
    {
        if (!http.Request.HasJsonContentType() || http.Request.ContentLength == 0)
        {
            return null;
        }

        try
        {
            return await http.Request.ReadFromJsonAsync(CongressJsonContext.Default.BadgeChangeApprovalDto);
        }
        catch (System.Text.Json.JsonException)
        {
            return null;
        }
    }

    /// <summary>
    /// While a vote is open, replacing or revoking a delegate's badge ends their tablet and could hand their vote to
    /// whoever holds the new badge: it needs the chair's approval, given with their own user name and password.
    /// Returns who approved (null when no vote is open).
    /// </summary>
    private static async Task<(string? ApprovedBy, ProblemHttpResult? Refused)> ChairApprovalAsync(
        NpgsqlConnection connection, NpgsqlTransaction transaction, Guid congressId, ClaimsPrincipal user, BadgeChangeApprovalDto? approval,
        IPasswordHasher<StaffAccount> hasher)
    {
        bool voting = await connection.ExecuteScalarAsync<bool>(
            "SELECT EXISTS (SELECT 1 FROM poll WHERE congress_id = @congressId AND state = 'open')", new { congressId }, transaction);
        if (!voting)
        {
            return (null, null);
        }

        string chairName = (approval?.ChairUserName ?? "").Trim();
        if (chairName.Length is 0 or > 100 || string.IsNullOrEmpty(approval?.ChairPassword))
        {
            return (null, Problems.Conflict("badge_change_needs_chair", "A vote is open: reissuing or revoking a badge now needs the chair's approval."));
        }

        var chair = await connection.QuerySingleOrDefaultAsync<StaffAccount>("""
            SELECT id, congress_id, user_name, display_name, role, password_hash FROM staff_account
            WHERE congress_id = @congressId AND user_name = @chairName AND role = 'chair' AND NOT disabled
              AND (locked_until IS NULL OR locked_until < now())
            """, new { congressId, chairName }, transaction);
        if (chair is null || hasher.VerifyHashedPassword(chair, chair.PasswordHash, approval.ChairPassword) == PasswordVerificationResult.Failed)
        {
            return (null, Problems.Forbidden("chair_approval_refused", "The chair's user name or password is wrong."));
        }

        return (chair.UserName, null);
    }

    /// <summary>A new token for the holder; a badge they had is revoked in the same transaction.</summary>
    private static async Task<string> IssueAsync(NpgsqlConnection connection, NpgsqlTransaction transaction, Holder holder, IDataProtector seal, List<Guid> endedSessions)
    {
        if (holder.TokenHash is not null)
        {
            await RetireAsync(connection, transaction, holder, "reissued", endedSessions);
        }

        string token = BadgeTokens.New();
        await connection.ExecuteAsync(
            "UPDATE delegate SET token_hash = @hash, badge_sealed = @sealed, badge_issued_at = now() WHERE id = @Id",
            new { hash = BadgeTokens.Hash(token), @sealed = seal.Protect(System.Text.Encoding.ASCII.GetBytes(token)), holder.Id }, transaction);
        return token;
    }

    /// <summary>
    /// Revokes the holder's badge and ends the tablet session it opened: whoever holds the old badge (or the
    /// tablet it signed in) can no longer vote. The session's live connection is closed after commit.
    /// </summary>
    private static async Task RetireAsync(NpgsqlConnection connection, NpgsqlTransaction transaction, Holder holder, string reason, List<Guid> endedSessions)
    {
        await connection.ExecuteAsync(
            "INSERT INTO badge_revocation (token_hash, delegate_id, reason) VALUES (@TokenHash, @Id, @reason) ON CONFLICT DO NOTHING",
            new { holder.TokenHash, holder.Id, reason }, transaction);
        endedSessions.AddRange(await connection.QueryAsync<Guid>(
            "UPDATE delegate_session SET ended_at = now(), ended_by = @reason WHERE delegate_id = @Id AND ended_at IS NULL RETURNING id",
            new { holder.Id, reason = "badge " + reason }, transaction));
    }

    private static async Task EndSessionsAsync(CongressNotifier notifier, List<Guid> sessions)
    {
        foreach (var session in sessions)
        {
            await notifier.SessionEndedAsync(session);
        }
    }

    private static BadgeData Data(string congressName, Holder holder, string url) =>
        new(congressName, holder.FullName, holder.Delegation, holder.Position, holder.Code, holder.Kind, url);
}

using System.Security.Claims;
using CongressVote.Server.Audit;
using CongressVote.Shared;
using Dapper;
using Microsoft.AspNetCore.Http.HttpResults;
using Microsoft.AspNetCore.Identity;
using Npgsql;

namespace CongressVote.Server.Sessions;

/// <summary>Staff accounts of a congress, managed by its administrators.</summary>
public static class StaffApi
{
    private static readonly string[] s_roles = Roles.AnyStaff.Split(',');

    public static IEndpointRouteBuilder MapStaffApi(this IEndpointRouteBuilder app)
    {
        var staff = app.MapGroup("/api/staff").RequireAuthorization(p => p.RequireRole(Roles.Admin));
        staff.MapGet("", ListAsync);
        staff.MapPost("", CreateAsync);
        staff.MapPut("/{id:guid}", UpdateAsync);
        return app;
    }

    private sealed record Row(Guid Id, string UserName, string DisplayName, string Role, bool Disabled, DateTime? LockedUntil);

    private static async Task<Ok<List<StaffAccountDto>>> ListAsync(ClaimsPrincipal user, NpgsqlDataSource db)
    {
        await using var connection = await db.OpenConnectionAsync();
        var rows = await connection.QueryAsync<Row>(
            "SELECT id, user_name, display_name, role, disabled, locked_until FROM staff_account WHERE congress_id = @congressId ORDER BY user_name",
            new { congressId = user.CongressId() });
        return TypedResults.Ok(rows.Select(r => new StaffAccountDto(r.Id, r.UserName, r.DisplayName, r.Role, r.Disabled, r.LockedUntil > DateTime.UtcNow)).ToList());
    }

    private static Task<Results<Ok<StaffAccountDto>, ProblemHttpResult>> CreateAsync(
        StaffEditDto edit, ClaimsPrincipal user, HttpContext http, NpgsqlDataSource db, IPasswordHasher<StaffAccount> hasher, Live.CongressNotifier notifier) =>
        SaveAsync(null, edit, user, http, db, hasher, notifier);

    private static Task<Results<Ok<StaffAccountDto>, ProblemHttpResult>> UpdateAsync(
        Guid id, StaffEditDto edit, ClaimsPrincipal user, HttpContext http, NpgsqlDataSource db, IPasswordHasher<StaffAccount> hasher, Live.CongressNotifier notifier) =>
        SaveAsync(id, edit, user, http, db, hasher, notifier);

    private static async Task<Results<Ok<StaffAccountDto>, ProblemHttpResult>> SaveAsync(
        Guid? id, StaffEditDto edit, ClaimsPrincipal user, HttpContext http, NpgsqlDataSource db, IPasswordHasher<StaffAccount> hasher,
        Live.CongressNotifier notifier)
    {
        string userName = (edit.UserName ?? "").Trim();
        string displayName = (edit.DisplayName ?? "").Normalize(System.Text.NormalizationForm.FormC).Trim();
        if (userName.Length is < 2 or > 60 || !userName.All(c => char.IsAsciiLetterOrDigit(c) || c is '.' or '-' or '_'))
        {
            return Problems.BadRequest("bad_user_name", "A user name is 2 to 60 letters, digits, dots, dashes or underscores.");
        }

        if (displayName.Length is 0 or > 120 || displayName.Any(char.IsControl))
        {
            return Problems.BadRequest("bad_display_name", "A display name is 1 to 120 characters of plain text.");
        }

        if (!s_roles.Contains(edit.Role))
        {
            return Problems.BadRequest("bad_role", $"The role must be one of: {Roles.AnyStaff}.");
        }

        if ((id is null || edit.Password is not null) && (edit.Password ?? "").Length < StaffAccount.MinimumPasswordLength)
        {
            return Problems.BadRequest("weak_password", $"A password has at least {StaffAccount.MinimumPasswordLength} characters.");
        }

        if (id == user.SubjectId() && (edit.Disabled || edit.Role != Roles.Admin))
        {
            return Problems.Conflict("cannot_demote_self", "An administrator cannot disable or demote their own account.");
        }

        Guid congressId = user.CongressId();
        Guid accountId = id ?? Guid.NewGuid();
        var account = new StaffAccount(accountId, congressId, userName, displayName, edit.Role, "");
        string? hash = edit.Password is null ? null : hasher.HashPassword(account, edit.Password);
        await using var connection = await db.OpenConnectionAsync();
        await using var transaction = await connection.BeginTransactionAsync();
        try
        {
            int changed = id is null
                ? await connection.ExecuteAsync("""
                    INSERT INTO staff_account (id, congress_id, user_name, display_name, role, password_hash, disabled)
                    VALUES (@accountId, @congressId, @userName, @displayName, @Role, @hash, @Disabled)
                    """, new { accountId, congressId, userName, displayName, edit.Role, hash, edit.Disabled }, transaction)
                : await connection.ExecuteAsync("""
                    UPDATE staff_account SET user_name = @userName, display_name = @displayName, role = @Role, disabled = @Disabled,
                           password_hash = coalesce(@hash, password_hash),
                           failed_logins = CASE WHEN @hash IS NULL THEN failed_logins ELSE 0 END,
                           locked_until = CASE WHEN @hash IS NULL THEN locked_until END,
                           -- A new password, role or a disabling ends the account's every cookie (SessionClaims.Stamp).
                           security_stamp = CASE WHEN @hash IS NOT NULL OR role <> @Role OR disabled <> @Disabled THEN gen_random_uuid() ELSE security_stamp END
                    WHERE id = @accountId AND congress_id = @congressId
                    """, new { accountId, congressId, userName, displayName, edit.Role, hash, edit.Disabled }, transaction);
            if (changed == 0)
            {
                return Problems.NotFound("unknown_staff", "There is no such staff account in this congress.");
            }
        }
        catch (PostgresException ex) when (ex.SqlState == PostgresErrorCodes.UniqueViolation)
        {
            return Problems.Conflict("user_name_taken", "This user name is taken.");
        }

        // The audit names what changed, never the password.
        await AuditLog.WriteAsync(transaction, user, http, congressId, id is null ? "staff.create" : "staff.update", userName,
            new { edit.Role, edit.Disabled, passwordChanged = hash is not null });
        await transaction.CommitAsync();
        if (id is not null)
        {
            // A changed account's open consoles close now; they come back only through a new sign-in if still allowed.
            await notifier.StaffSessionsEndedAsync(accountId);
        }
        return TypedResults.Ok(new StaffAccountDto(accountId, userName, displayName, edit.Role, edit.Disabled, false));
    }
}

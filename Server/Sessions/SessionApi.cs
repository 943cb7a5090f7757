using System.Security.Claims;
using CongressVote.Server.Delegates;
using CongressVote.Shared;
using Dapper;
using Microsoft.AspNetCore.Authentication;
using Microsoft.AspNetCore.Authentication.Cookies;
using Microsoft.AspNetCore.DataProtection;
using Microsoft.AspNetCore.Http.HttpResults;
using Microsoft.AspNetCore.Identity;
using Npgsql;

namespace CongressVote.Server.Sessions;

/// <summary>
/// Sign-in for the three kinds of session: staff with a password, a delegate with a badge token, a projector
/// with its display code. Each ends in the same HttpOnly, SameSite=Strict cookie.
/// </summary>
public static class SessionApi
{
    public sealed record StaffAccount(Guid Id, Guid CongressId, string UserName, string DisplayName, string Role, string PasswordHash);

    public static IServiceCollection AddSessions(this IServiceCollection services, IConfiguration configuration)
    {
        services.AddAuthentication(CookieAuthenticationDefaults.AuthenticationScheme)
            .AddCookie(options =>
            {
                options.Cookie.Name = "cv_session";
                options.Cookie.HttpOnly = true;
                options.Cookie.SameSite = SameSiteMode.Strict;
                // A hall LAN often runs on plain HTTP; over HTTPS the cookie is Secure.
                options.Cookie.SecurePolicy = CookieSecurePolicy.SameAsRequest;
                options.ExpireTimeSpan = TimeSpan.FromDays(3);
                options.SlidingExpiration = true;
                // An API answers 401/403; it never redirects to a login page.
                options.Events.OnRedirectToLogin = context => Refuse(context.Response, StatusCodes.Status401Unauthorized);
                options.Events.OnRedirectToAccessDenied = context => Refuse(context.Response, StatusCodes.Status403Forbidden);
            });
        services.AddAuthorization();
        // Keys outlive restarts, so tablets stay signed in when the server restarts.
        var keys = services.AddDataProtection().SetApplicationName("CongressVote");
        if (configuration["DataProtection:KeysFolder"] is { Length: > 0 } folder)
        {
            keys.PersistKeysToFileSystem(new DirectoryInfo(folder));
        }

        services.AddSingleton<IPasswordHasher<StaffAccount>, PasswordHasher<StaffAccount>>();
        return services;
    }

    public static IEndpointRouteBuilder MapSessionApi(this IEndpointRouteBuilder app)
    {
        app.MapPost(Routes.StaffLogin, StaffLoginAsync);
        app.MapPost(Routes.DelegateLogin, DelegateLoginAsync);
        app.MapPost(Routes.ProjectorLogin, ProjectorLoginAsync);
        app.MapGet(Routes.Session, CurrentSession).RequireAuthorization();
        app.MapPost(Routes.Logout, (Delegate)LogoutAsync);
        return app;
    }

    private static Task Refuse(HttpResponse response, int status)
    {
        response.StatusCode = status;
        return Task.CompletedTask;
    }

    private static async Task<Results<Ok<SessionDto>, ProblemHttpResult>> StaffLoginAsync(
        StaffLoginRequest request, NpgsqlDataSource db, IPasswordHasher<StaffAccount> hasher, HttpContext http)
    {
        const string sql = """
            SELECT id, congress_id, user_name, display_name, role, password_hash
            FROM staff_account WHERE user_name = @userName
            """;
        await using var connection = await db.OpenConnectionAsync();
        var account = await connection.QuerySingleOrDefaultAsync<StaffAccount>(sql, new { userName = request.UserName?.Trim() ?? "" });
        if (account is null || string.IsNullOrEmpty(request.Password)
            || hasher.VerifyHashedPassword(account, account.PasswordHash, request.Password) == PasswordVerificationResult.Failed)
        {
            return Problems.Unauthorized("bad_credentials", "Unknown user name or wrong password.");
        }

        await SignInAsync(http, account.Id, account.CongressId, account.DisplayName, account.Role, account.Role);
        return TypedResults.Ok(new SessionDto(SessionRole.Staff, account.CongressId, account.DisplayName, account.Role));
    }

    private static async Task<Results<Ok<SessionDto>, ProblemHttpResult>> DelegateLoginAsync(
        TokenLoginRequest request, NpgsqlDataSource db, HttpContext http)
    {
        if (!BadgeTokens.IsWellFormed(request.Token))
        {
            return Problems.BadRequest("malformed_token", "This is not a CongressVote badge link.");
        }

        const string sql = """
            SELECT d.id, d.congress_id, d.full_name, coalesce(dl.name, '') AS delegation
            FROM delegate d LEFT JOIN delegation dl ON dl.id = d.delegation_id
            WHERE d.token_hash = @hash
            """;
        await using var connection = await db.OpenConnectionAsync();
        var found = await connection.QuerySingleOrDefaultAsync<(Guid Id, Guid CongressId, string FullName, string Delegation)?>(
            sql, new { hash = BadgeTokens.Hash(request.Token) });
        if (found is not { } d)
        {
            bool revoked = await connection.ExecuteScalarAsync<bool>(
                "SELECT EXISTS (SELECT 1 FROM badge_revocation WHERE token_hash = @hash)", new { hash = BadgeTokens.Hash(request.Token) });
            return revoked
                ? Problems.Unauthorized("badge_revoked", "This badge was revoked or replaced; ask the secretariat.")
                : Problems.Unauthorized("unknown_token", "This badge is not known; ask the secretariat.");
        }

        await SignInAsync(http, d.Id, d.CongressId, d.FullName, Roles.Delegate, d.Delegation);
        return TypedResults.Ok(new SessionDto(SessionRole.Delegate, d.CongressId, d.FullName, d.Delegation));
    }

    private static async Task<Results<Ok<SessionDto>, ProblemHttpResult>> ProjectorLoginAsync(
        TokenLoginRequest request, NpgsqlDataSource db, HttpContext http)
    {
        if (!BadgeTokens.IsWellFormed(request.Token))
        {
            return Problems.BadRequest("malformed_token", "This is not a CongressVote display code.");
        }

        await using var connection = await db.OpenConnectionAsync();
        var congress = await connection.QuerySingleOrDefaultAsync<(Guid Id, string Name)?>(
            "SELECT id, name FROM congress WHERE projector_code_hash = @hash", new { hash = BadgeTokens.Hash(request.Token) });
        if (congress is not { } c)
        {
            return Problems.Unauthorized("unknown_display_code", "This display code is not known; take a new one from the console.");
        }

        await SignInAsync(http, c.Id, c.Id, c.Name, Roles.Projector, null);
        return TypedResults.Ok(new SessionDto(SessionRole.Projector, c.Id, c.Name, null));
    }

    private static Ok<SessionDto> CurrentSession(ClaimsPrincipal user)
    {
        string role = user.Role();
        var kind = role switch
        {
            Roles.Delegate => SessionRole.Delegate,
            Roles.Projector => SessionRole.Projector,
            _ => SessionRole.Staff,
        };
        return TypedResults.Ok(new SessionDto(kind, user.CongressId(), user.Identity?.Name ?? "", user.FindFirstValue(SessionClaims.Detail)));
    }

    private static async Task<NoContent> LogoutAsync(HttpContext http)
    {
        await http.SignOutAsync();
        return TypedResults.NoContent();
    }

    private static Task SignInAsync(HttpContext http, Guid subject, Guid congressId, string name, string role, string? detail)
    {
        var identity = new ClaimsIdentity(
            [
                new Claim(SessionClaims.Detail, detail ?? ""),
                new Claim(ClaimTypes.NameIdentifier, subject.ToString()),
                new Claim(ClaimTypes.Name, name),
                new Claim(ClaimTypes.Role, role),
                new Claim(SessionClaims.Congress, congressId.ToString()),
            ],
            CookieAuthenticationDefaults.AuthenticationScheme);
        return http.SignInAsync(new ClaimsPrincipal(identity));
    }
}

using System.Security.Claims;
using CongressVote.Server.Audit;
using CongressVote.Server.Delegates;
using CongressVote.Shared;
using Dapper;
using Microsoft.AspNetCore.Authentication;
using Microsoft.AspNetCore.Authentication.Cookies;
using Microsoft.AspNetCore.DataProtection;
using Microsoft.AspNetCore.Http.HttpResults;
using CongressVote.Server.Live;
using Microsoft.AspNetCore.Identity;
using Npgsql;

namespace CongressVote.Server.Sessions;

/// <summary>
/// Sign-in for the three kinds of session: staff with a password, a delegate with a badge token, a projector
/// with its display code. Each ends in the same HttpOnly, SameSite=Strict cookie.
/// </summary>
public static class SessionApi
{
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
                // An API answers 401/403; it never redirects to a login page. Refusals are logged.
                options.Events.OnRedirectToLogin = context => Refuse(context, StatusCodes.Status401Unauthorized);
                options.Events.OnRedirectToAccessDenied = context => Refuse(context, StatusCodes.Status403Forbidden);
                // A delegate's cookie is only as good as its tablet session: staff can end it (a lost tablet,
                // a badge moved to another device), and revoking the badge ends it too.
                options.Events.OnValidatePrincipal = ValidateDelegateSessionAsync;
            });
        services.AddAuthorization();
        // Keys outlive restarts, so tablets stay signed in when the server restarts.
        var keys = services.AddDataProtection().SetApplicationName("CongressVote");
        if (configuration["DataProtection:KeysFolder"] is { Length: > 0 } folder)
        {
            // The ring signs every cookie and seals the audit trail: nobody else on the machine reads it.
            if (!OperatingSystem.IsWindows())
            {
                Directory.CreateDirectory(folder, UnixFileMode.UserRead | UnixFileMode.UserWrite | UnixFileMode.UserExecute);
                File.SetUnixFileMode(folder, UnixFileMode.UserRead | UnixFileMode.UserWrite | UnixFileMode.UserExecute);
            }

            keys.PersistKeysToFileSystem(new DirectoryInfo(folder));
        }

        services.AddSingleton<IPasswordHasher<StaffAccount>, PasswordHasher<StaffAccount>>();
        return services;
    }

    public static IEndpointRouteBuilder MapSessionApi(this IEndpointRouteBuilder app)
    {
        // A sign-in is a few hundred bytes; anyone may send one, so nobody gets to send megabytes (413 beyond 4 KB).
        var signIn = new Microsoft.AspNetCore.Mvc.RequestSizeLimitAttribute(4096);
        app.MapPost(Routes.StaffLogin, StaffLoginAsync).WithMetadata(signIn);
        app.MapPost(Routes.DelegateLogin, DelegateLoginAsync).WithMetadata(signIn);
        app.MapPost(Routes.ProjectorLogin, ProjectorLoginAsync).WithMetadata(signIn);
        app.MapGet(Routes.Session, CurrentSession).RequireAuthorization();
        app.MapPost(Routes.Logout, LogoutAsync);
        return app;
    }

    private static async Task ValidateDelegateSessionAsync(CookieValidatePrincipalContext context)
    {
        string? role = context.Principal?.FindFirstValue(ClaimTypes.Role);
        if (role is null)
        {
            return;
        }

        bool active = false;
        if (role != Roles.Delegate)
        {
            // Staff: the account must still exist, be enabled and hold the same role. Projector: its display code
            // must not have been replaced since it paired.
            await using var staffConnection = await context.HttpContext.RequestServices.GetRequiredService<NpgsqlDataSource>().OpenConnectionAsync();
            active = role == Roles.Projector
                ? await staffConnection.ExecuteScalarAsync<bool>(
                    "SELECT EXISTS (SELECT 1 FROM congress WHERE id = @congress AND encode(projector_code_hash, 'hex') = @display)",
                    new { congress = context.Principal!.CongressId(), display = context.Principal!.FindFirstValue(SessionClaims.Display) ?? "" })
                : await staffConnection.ExecuteScalarAsync<bool>(
                    "SELECT EXISTS (SELECT 1 FROM staff_account WHERE id = @id AND role = @role AND NOT disabled AND security_stamp::text = @stamp)",
                    new { id = context.Principal!.SubjectId(), role, stamp = context.Principal!.FindFirstValue(SessionClaims.Stamp) ?? "" });
        }
        else if (context.Principal!.FindFirstValue(SessionClaims.Session) is { } session && Guid.TryParse(session, out Guid sessionId))
        {
            await using var connection = await context.HttpContext.RequestServices.GetRequiredService<NpgsqlDataSource>().OpenConnectionAsync();
            active = await connection.ExecuteScalarAsync<bool>("""
                SELECT EXISTS (
                    SELECT 1 FROM delegate_session s JOIN delegate d ON d.id = s.delegate_id
                    WHERE s.id = @sessionId AND s.ended_at IS NULL AND d.token_hash IS NOT NULL)
                """, new { sessionId });
        }

        if (!active)
        {
            context.RejectPrincipal();
            await context.HttpContext.SignOutAsync();
        }
    }

    private static Task Refuse(RedirectContext<CookieAuthenticationOptions> context, int status)
    {
        var logger = context.HttpContext.RequestServices.GetRequiredService<ILoggerFactory>().CreateLogger("CongressVote.Security");
        logger.LogWarning("Refused {Status} {Method} {Path} for {User} ({Role}) from {Address}", status, context.Request.Method, context.Request.Path,
            context.HttpContext.User.Identity?.Name ?? "anonymous", context.HttpContext.User.Role(), context.HttpContext.Connection.RemoteIpAddress);
        context.Response.StatusCode = status;
        return Task.CompletedTask;
    }

    private const int MaxFailedLogins = 5;
    private static readonly TimeSpan s_lockout = TimeSpan.FromMinutes(15);

    private static async Task<Results<Ok<SessionDto>, ProblemHttpResult>> StaffLoginAsync(
        StaffLoginRequest request, NpgsqlDataSource db, IPasswordHasher<StaffAccount> hasher, HttpContext http, ILogger<StaffAccount> logger)
    {
        const string sql = """
            SELECT id, congress_id, user_name, display_name, role, password_hash, disabled, security_stamp
            FROM staff_account WHERE user_name = @userName
            """;
        string userName = (request.UserName ?? "").Trim();
        userName = userName.Length > 100 ? userName[..100] : userName;
        string address = http.Connection.RemoteIpAddress?.ToString() ?? "unknown";
        await using var connection = await db.OpenConnectionAsync();
        await using var transaction = await connection.BeginTransactionAsync();
        // Failures count per user name and address: someone guessing from one device locks only that device out.
        // The row is locked, so two guesses at once are counted one after the other. A lock that has expired
        // starts the count again.
        var throttle = await connection.QuerySingleAsync<(int Failures, DateTime? LockedUntil)>("""
            INSERT INTO sign_in_failure (user_name, address) VALUES (lower(@userName), @address)
            ON CONFLICT (user_name, address) DO UPDATE SET
                failures = CASE WHEN sign_in_failure.locked_until <= now() THEN 0 ELSE sign_in_failure.failures END,
                locked_until = CASE WHEN sign_in_failure.locked_until <= now() THEN NULL ELSE sign_in_failure.locked_until END,
                last_at = now()
            RETURNING failures, locked_until
            """, new { userName, address }, transaction);
        var row = await connection.QuerySingleOrDefaultAsync<(Guid Id, Guid CongressId, string UserName, string DisplayName, string Role, string PasswordHash, bool Disabled, Guid SecurityStamp)?>(
            sql, new { userName }, transaction);
        var account = row is { Disabled: false } found
            ? new StaffAccount(found.Id, found.CongressId, found.UserName, found.DisplayName, found.Role, found.PasswordHash)
            : null;
        // The password is checked in every case, against a stand-in hash when there is no such account, so an
        // unknown name, a wrong password and a locked device take the same time and get the same kinds of answer.
        bool passwordRight = !string.IsNullOrEmpty(request.Password)
            && hasher.VerifyHashedPassword(account ?? s_standIn, account?.PasswordHash ?? s_standInHash, request.Password) != PasswordVerificationResult.Failed
            && account is not null;
        if (throttle.LockedUntil is { } until)
        {
            await transaction.CommitAsync();
            return Problems.Unauthorized("account_locked", $"Too many wrong passwords from this device: signing in here is locked until {until:HH:mm} UTC.");
        }

        if (!passwordRight)
        {
            bool locked = await connection.ExecuteScalarAsync<bool>("""
                UPDATE sign_in_failure
                SET failures = failures + 1,
                    locked_until = CASE WHEN failures + 1 >= @MaxFailedLogins THEN now() + @s_lockout END
                WHERE user_name = lower(@userName) AND address = @address
                RETURNING locked_until IS NOT NULL
                """, new { userName, address, MaxFailedLogins, s_lockout }, transaction);
            // Never the typed password, even one typed into the name field by mistake: only the name's first
            // characters go to the log, and to the trail unless the name is an account's.
            string shown = userName.Length > 3 ? userName[..3] + "…" : userName;
            logger.LogWarning("Failed staff sign-in for {UserName} from {Address}; locked: {Locked}", shown, address, locked);
            await AuditLog.WriteAsync(transaction, "anonymous", http, account?.CongressId ?? row?.CongressId,
                locked ? "security.account_locked" : "security.login_failed", row is null ? shown : row.Value.UserName, row is null ? new { reason = "unknown user" } : null);
            await transaction.CommitAsync();
            return locked
                ? Problems.Unauthorized("account_locked", "Too many wrong passwords from this device: signing in here is locked for 15 minutes.")
                : Problems.Unauthorized("bad_credentials", "Unknown user name or wrong password.");
        }

        await connection.ExecuteAsync("DELETE FROM sign_in_failure WHERE user_name = lower(@userName) AND address = @address", new { userName, address }, transaction);
        await AuditLog.WriteAsync(transaction, $"{account!.DisplayName} ({account.Role})", http, account.CongressId, "security.login", account.UserName);
        await transaction.CommitAsync();
        await SignInAsync(http, account.Id, account.CongressId, account.DisplayName, account.Role, account.Role, stamp: row!.Value.SecurityStamp.ToString());
        return TypedResults.Ok(new SessionDto(SessionRole.Staff, account.CongressId, account.DisplayName, account.Role, Staff: StaffRoles.Parse(account.Role)));
    }

    /// <summary>A hash no password matches, checked when the name is unknown so that the answer takes as long.</summary>
    private static readonly StaffAccount s_standIn = new(Guid.Empty, Guid.Empty, "", "", "", "");
    private static readonly string s_standInHash = new PasswordHasher<StaffAccount>().HashPassword(s_standIn, Convert.ToBase64String(System.Security.Cryptography.RandomNumberGenerator.GetBytes(24)));

    private sealed record BadgeHolder(Guid Id, Guid CongressId, string FullName, string Delegation, DateTime? CheckedInAt, bool LoginRequiresCheckIn, bool BadgeNeedsDesk);

    private static async Task<Results<Ok<DelegateLoginResultDto>, Accepted<DelegateLoginResultDto>, ProblemHttpResult>> DelegateLoginAsync(
        DelegateLoginRequest request, NpgsqlDataSource db, HttpContext http, CongressNotifier notifier)
    {
        if (!BadgeTokens.IsWellFormed(request.Token))
        {
            return Problems.BadRequest("malformed_token", "This is not a CongressVote badge link.");
        }

        if (request.DeviceId is not { Length: >= 8 and <= 64 } deviceId)
        {
            return Problems.BadRequest("malformed_device", "The tablet did not identify itself; reload the page.");
        }

        string deviceName = (request.DeviceName ?? "").Trim();
        deviceName = deviceName.Length > 120 ? deviceName[..120] : deviceName;
        byte[] hash = BadgeTokens.Hash(request.Token);
        await using var connection = await db.OpenConnectionAsync();
        await using var transaction = await connection.BeginTransactionAsync();
        // Locking the delegate row serialises two devices presenting the same badge at once.
        var holder = await connection.QuerySingleOrDefaultAsync<BadgeHolder>("""
            SELECT d.id, d.congress_id, d.full_name, coalesce(dl.name, '') AS delegation, d.checked_in_at, c.login_requires_check_in, d.badge_needs_desk
            FROM delegate d JOIN congress c ON c.id = d.congress_id LEFT JOIN delegation dl ON dl.id = d.delegation_id
            WHERE d.token_hash = @hash
            FOR UPDATE OF d
            """, new { hash }, transaction);
        if (holder is null)
        {
            bool revoked = await connection.ExecuteScalarAsync<bool>(
                "SELECT EXISTS (SELECT 1 FROM badge_revocation WHERE token_hash = @hash)", new { hash }, transaction);
            http.RequestServices.GetRequiredService<ILoggerFactory>().CreateLogger("CongressVote.Security").LogWarning(
                "Refused a {Kind} badge at sign-in from {Address}", revoked ? "revoked" : "unknown", http.Connection.RemoteIpAddress);
            return revoked
                ? Problems.Unauthorized("badge_revoked", "This badge was revoked or replaced; ask the secretariat.")
                : Problems.Unauthorized("unknown_token", "This badge is not known; ask the secretariat.");
        }

        if (holder.BadgeNeedsDesk)
        {
            return Problems.Forbidden("badge_needs_desk_check", "This badge was reissued during a vote: have it scanned at the door first.");
        }

        if (holder.LoginRequiresCheckIn && holder.CheckedInAt is null)
        {
            return Problems.Forbidden("not_checked_in", "Check in at the door before signing in on a tablet.");
        }

        var active = await connection.QuerySingleOrDefaultAsync<(Guid Id, string DeviceId)?>(
            "SELECT id, device_id FROM delegate_session WHERE delegate_id = @Id AND ended_at IS NULL", new { holder.Id }, transaction);
        Guid sessionId;
        if (active is { } same && same.DeviceId == deviceId)
        {
            sessionId = same.Id; // the same tablet signing in again (cleared cookies, a new browser tab)
        }
        else
        {
            if (active is not null)
            {
                // Another tablet holds this badge: this one waits until the help desk approves it.
                Guid? approved = await connection.ExecuteScalarAsync<Guid?>("""
                    UPDATE device_request SET state = 'used'
                    WHERE delegate_id = @Id AND device_id = @deviceId AND state = 'approved'
                    RETURNING id
                    """, new { holder.Id, deviceId }, transaction);
                if (approved is null)
                {
                    // A refusal stands for a while: the tablet's polling must not put it straight back in the queue.
                    if (await connection.ExecuteScalarAsync<bool>("""
                            SELECT EXISTS (SELECT 1 FROM device_request
                                           WHERE delegate_id = @Id AND device_id = @deviceId AND state = 'refused' AND decided_at > now() - interval '30 minutes')
                            """, new { holder.Id, deviceId }, transaction))
                    {
                        return Problems.Forbidden("device_refused", "The help desk refused this tablet for this badge.");
                    }

                    Guid requestId = await connection.ExecuteScalarAsync<Guid>("""
                        INSERT INTO device_request (id, delegate_id, device_id, device_name)
                        VALUES (gen_random_uuid(), @Id, @deviceId, @deviceName)
                        ON CONFLICT (delegate_id, device_id) WHERE state IN ('held', 'approved') DO UPDATE SET device_name = excluded.device_name
                        RETURNING id
                        """, new { holder.Id, deviceId, deviceName }, transaction);
                    await transaction.CommitAsync();
                    return TypedResults.Accepted((string?)null, new DelegateLoginResultDto(LoginOutcome.HeldForApproval, null, requestId));
                }

                // Approval ended the old session already; end it here too in case it was reopened meanwhile.
                await connection.ExecuteAsync(
                    "UPDATE delegate_session SET ended_at = now(), ended_by = 'device approval' WHERE delegate_id = @Id AND ended_at IS NULL",
                    new { holder.Id }, transaction);
            }

            sessionId = Guid.NewGuid();
            await connection.ExecuteAsync(
                "INSERT INTO delegate_session (id, delegate_id, device_id, device_name) VALUES (@sessionId, @Id, @deviceId, @deviceName)",
                new { sessionId, holder.Id, deviceId, deviceName }, transaction);
            // An approval is used once: it must not let this device take the badge over again later.
            await connection.ExecuteAsync(
                "UPDATE device_request SET state = 'used' WHERE delegate_id = @Id AND device_id = @deviceId AND state = 'approved'",
                new { holder.Id, deviceId }, transaction);
        }

        await transaction.CommitAsync();
        if (active is { } previous && previous.Id != sessionId)
        {
            await notifier.SessionEndedAsync(previous.Id);
        }

        await SignInAsync(http, holder.Id, holder.CongressId, holder.FullName, Roles.Delegate, holder.Delegation, sessionId);
        return TypedResults.Ok(new DelegateLoginResultDto(
            LoginOutcome.SignedIn, new SessionDto(SessionRole.Delegate, holder.CongressId, holder.FullName, holder.Delegation), null));
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

        await SignInAsync(http, c.Id, c.Id, c.Name, Roles.Projector, null, display: Convert.ToHexStringLower(BadgeTokens.Hash(request.Token)));
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
        return TypedResults.Ok(new SessionDto(kind, user.CongressId(), user.Identity?.Name ?? "", user.FindFirstValue(SessionClaims.Detail),
            kind == SessionRole.Delegate ? user.SubjectId() : null, kind == SessionRole.Staff ? StaffRoles.Parse(role) : null));
    }

    private static async Task<NoContent> LogoutAsync(HttpContext http, NpgsqlDataSource db, CongressNotifier notifier)
    {
        // Staff signing out end the account's every cookie, on every device, and its live connections: a saved
        // cookie replayed later is refused.
        if (http.User.FindFirstValue(ClaimTypes.Role) is { } role && Roles.IsStaff(role))
        {
            Guid staffId = http.User.SubjectId();
            await using var connection = await db.OpenConnectionAsync();
            await connection.ExecuteAsync("UPDATE staff_account SET security_stamp = gen_random_uuid() WHERE id = @staffId", new { staffId });
            await notifier.StaffSessionsEndedAsync(staffId);
        }

        // A delegate signing out frees the badge for another tablet without the help desk.
        if (http.User.FindFirstValue(SessionClaims.Session) is { } session && Guid.TryParse(session, out Guid sessionId))
        {
            await using var connection = await db.OpenConnectionAsync();
            await connection.ExecuteAsync(
                "UPDATE delegate_session SET ended_at = now(), ended_by = 'signed out' WHERE id = @sessionId AND ended_at IS NULL", new { sessionId });
        }

        await http.SignOutAsync();
        return TypedResults.NoContent();
    }

    private static Task SignInAsync(HttpContext http, Guid subject, Guid congressId, string name, string role, string? detail, Guid? session = null, string? display = null, string? stamp = null)
    {
        var claims = new List<Claim>
        {
            new(SessionClaims.Detail, detail ?? ""),
            new(ClaimTypes.NameIdentifier, subject.ToString()),
            new(ClaimTypes.Name, name),
            new(ClaimTypes.Role, role),
            new(SessionClaims.Congress, congressId.ToString()),
        };
        if (session is { } id)
        {
            claims.Add(new Claim(SessionClaims.Session, id.ToString()));
        }

        if (display is not null)
        {
            claims.Add(new Claim(SessionClaims.Display, display));
        }

        if (stamp is not null)
        {
            claims.Add(new Claim(SessionClaims.Stamp, stamp));
        }

        return http.SignInAsync(new ClaimsPrincipal(new ClaimsIdentity(claims, CookieAuthenticationDefaults.AuthenticationScheme)));
    }
}

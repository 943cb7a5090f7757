using System.Security.Claims;
using CongressVote.Server.Audit;
using CongressVote.Server.Delegates;
using CongressVote.Server.Live;
using CongressVote.Server.Sessions;
using CongressVote.Shared;
using Dapper;
using Microsoft.AspNetCore.Http.HttpResults;
using Npgsql;

namespace CongressVote.Server.CheckIn;

/// <summary>
/// The desks at the door. Check-in is explicit and idempotent: a second scan answers "already checked in at 07:42"
/// and never checks out. Each change is one conditional update, so several desks keep exact counts.
/// </summary>
public static class CheckInApi
{
    public static IEndpointRouteBuilder MapCheckInApi(this IEndpointRouteBuilder app)
    {
        var desk = app.MapGroup("/api/checkin").RequireAuthorization(p => p.RequireRole(Roles.ManagesDelegates.Split(',')));
        desk.MapPost("/scan", ScanAsync);
        desk.MapPost("/checkout", CheckOutAsync);
        desk.MapPost("/excuse", ExcuseAsync);

        var read = app.MapGroup("/api/attendance").RequireAuthorization(p => p.RequireRole(Roles.AnyStaff.Split(',')));
        read.MapGet("", AttendanceAsync);
        read.MapGet("/report", ReportAsync);
        return app;
    }

    private sealed record Found(Guid Id, Guid CongressId, string Code, string FullName, string Delegation, string Kind, DateTime? CheckedInAt, string? ExcusedReason);

    private const string SelectFound = """
        SELECT d.id, d.congress_id, d.code, d.full_name, coalesce(dl.name, '') AS delegation, d.kind, d.checked_in_at, d.excused_reason
        FROM delegate d LEFT JOIN delegation dl ON dl.id = d.delegation_id
        """;

    /// <summary>The token in what a scanner typed: a badge URL (…/t/&lt;token&gt;) or the bare token.</summary>
    public static string? TokenIn(string? scanned)
    {
        if (string.IsNullOrWhiteSpace(scanned))
        {
            return null;
        }

        string text = scanned.Trim();
        int marker = Math.Max(text.LastIndexOf("/t#", StringComparison.Ordinal), text.LastIndexOf("/t/", StringComparison.Ordinal));
        string candidate = marker >= 0 ? text[(marker + 3)..].Split('?', '#', '/')[0] : text;
        return BadgeTokens.IsWellFormed(candidate) ? candidate : null;
    }

    private static async Task<Results<Ok<ScanResultDto>, ProblemHttpResult>> ScanAsync(
        ScanRequest request, ClaimsPrincipal user, HttpContext http, NpgsqlDataSource db, CongressNotifier notifier)
    {
        Guid congressId = user.CongressId();
        await using var connection = await db.OpenConnectionAsync();
        await using var transaction = await connection.BeginTransactionAsync();
        Found? found;
        if (request.DelegateId is { } id)
        {
            found = await connection.QuerySingleOrDefaultAsync<Found>($"{SelectFound} WHERE d.id = @id AND d.congress_id = @congressId", new { id, congressId }, transaction);
        }
        else if (TokenIn(request.Badge) is { } token)
        {
            byte[] hash = BadgeTokens.Hash(token);
            found = await connection.QuerySingleOrDefaultAsync<Found>($"{SelectFound} WHERE d.token_hash = @hash AND d.congress_id = @congressId", new { hash, congressId }, transaction);
            if (found is null && await connection.ExecuteScalarAsync<bool>(
                    "SELECT EXISTS (SELECT 1 FROM badge_revocation r JOIN delegate d ON d.id = r.delegate_id WHERE r.token_hash = @hash AND d.congress_id = @congressId)",
                    new { hash, congressId }, transaction))
            {
                http.RequestServices.GetRequiredService<ILoggerFactory>().CreateLogger("CongressVote.Security")
                    .LogWarning("Revoked badge scanned at desk {Desk}", Desk(request.Desk));
                return TypedResults.Ok(new ScanResultDto(ScanOutcome.BadgeRevoked, null, null, null, null, null, null));
            }
        }
        else
        {
            // A scanner may also read a printed delegate code; the desk can type one too.
            string code = (request.Badge ?? "").Trim();
            found = await connection.QuerySingleOrDefaultAsync<Found>($"{SelectFound} WHERE upper(d.code) = upper(@code) AND d.congress_id = @congressId", new { code, congressId }, transaction);
        }

        if (found is null)
        {
            http.RequestServices.GetRequiredService<ILoggerFactory>().CreateLogger("CongressVote.Security")
                .LogWarning("Unknown badge scanned at desk {Desk}", Desk(request.Desk));
            return TypedResults.Ok(new ScanResultDto(ScanOutcome.UnknownBadge, null, null, null, null, null, null));
        }

        // Lock the delegate's row: a concurrent check-out at another desk waits, so the time read below is the
        // time that stands.
        await connection.ExecuteAsync("SELECT 1 FROM delegate WHERE id = @Id FOR UPDATE", new { found.Id }, transaction);
        // A badge reissued during a vote is confirmed by being scanned here, at the door (not by a typed name).
        bool scannedBadge = request.DelegateId is null && TokenIn(request.Badge) is not null;
        if (scannedBadge && await connection.ExecuteAsync("UPDATE delegate SET badge_needs_desk = false WHERE id = @Id AND badge_needs_desk", new { found.Id }, transaction) > 0)
        {
            await AuditLog.WriteAsync(transaction, user, http, congressId, "badge.desk_confirmed", found.Code, new { desk = Desk(request.Desk) });
        }

        var checkedIn = await connection.ExecuteScalarAsync<DateTime?>("""
            UPDATE delegate SET checked_in_at = now(), excused_reason = NULL, excused_at = NULL
            WHERE id = @Id AND checked_in_at IS NULL
            RETURNING checked_in_at
            """, new { found.Id }, transaction);
        var kind = Enum.Parse<DelegateKind>(found.Kind, ignoreCase: true);
        if (checkedIn is null)
        {
            // Another desk (or an earlier scan) got there first: report it, change nothing.
            var at = await connection.ExecuteScalarAsync<DateTime>("SELECT checked_in_at FROM delegate WHERE id = @Id", new { found.Id }, transaction);
            await transaction.CommitAsync();
            return TypedResults.Ok(Result(ScanOutcome.AlreadyCheckedIn, found, kind, at));
        }

        await RecordAsync(connection, transaction, found.Id, "in", request.Desk, user);
        await AuditLog.WriteAsync(transaction, user, http, congressId, "attendance.in", found.Code, new { desk = Desk(request.Desk) });
        await transaction.CommitAsync();
        notifier.AttendanceMayHaveChanged(congressId);
        return TypedResults.Ok(Result(kind == DelegateKind.Guest ? ScanOutcome.GuestCheckedIn : ScanOutcome.CheckedIn, found, kind, checkedIn.Value));
    }

    private static async Task<Results<Ok<ScanResultDto>, ProblemHttpResult>> CheckOutAsync(
        ScanRequest request, ClaimsPrincipal user, HttpContext http, NpgsqlDataSource db, CongressNotifier notifier)
    {
        Guid congressId = user.CongressId();
        await using var connection = await db.OpenConnectionAsync();
        await using var transaction = await connection.BeginTransactionAsync();
        var found = await connection.QuerySingleOrDefaultAsync<Found>(
            $"{SelectFound} WHERE d.id = @id AND d.congress_id = @congressId", new { id = request.DelegateId, congressId }, transaction);
        if (found is null)
        {
            return Problems.NotFound("unknown_delegate", "There is no such delegate in this congress.");
        }

        var kind = Enum.Parse<DelegateKind>(found.Kind, ignoreCase: true);
        int changed = await connection.ExecuteAsync(
            "UPDATE delegate SET checked_in_at = NULL WHERE id = @Id AND checked_in_at IS NOT NULL", new { found.Id }, transaction);
        if (changed == 0)
        {
            return TypedResults.Ok(Result(ScanOutcome.NotCheckedIn, found, kind, null));
        }

        await RecordAsync(connection, transaction, found.Id, "out", request.Desk, user);
        await AuditLog.WriteAsync(transaction, user, http, congressId, "attendance.out", found.Code, new { desk = Desk(request.Desk) });
        await transaction.CommitAsync();
        notifier.AttendanceMayHaveChanged(congressId);
        return TypedResults.Ok(Result(ScanOutcome.CheckedOut, found, kind, DateTime.UtcNow));
    }

    private static async Task<Results<Ok<ScanResultDto>, ProblemHttpResult>> ExcuseAsync(
        ExcuseRequest request, ClaimsPrincipal user, HttpContext http, NpgsqlDataSource db, CongressNotifier notifier)
    {
        Guid congressId = user.CongressId();
        string? reason = string.IsNullOrWhiteSpace(request.Reason) ? null : request.Reason.Normalize(System.Text.NormalizationForm.FormC).Trim();
        if (reason is { Length: > 500 } || (reason?.Any(char.IsControl) ?? false))
        {
            return Problems.BadRequest("bad_reason", "The reason must be plain text of at most 500 characters.");
        }

        await using var connection = await db.OpenConnectionAsync();
        await using var transaction = await connection.BeginTransactionAsync();
        var found = await connection.QuerySingleOrDefaultAsync<Found>(
            $"{SelectFound} WHERE d.id = @id AND d.congress_id = @congressId FOR UPDATE OF d", new { id = request.DelegateId, congressId }, transaction);
        if (found is null)
        {
            return Problems.NotFound("unknown_delegate", "There is no such delegate in this congress.");
        }

        if (found.CheckedInAt is not null && reason is not null)
        {
            return Problems.Conflict("already_present", "This delegate is checked in; check them out before recording an excused absence.");
        }

        await connection.ExecuteAsync(
            "UPDATE delegate SET excused_reason = @reason, excused_at = CASE WHEN @reason IS NULL THEN NULL ELSE now() END WHERE id = @Id",
            new { reason, found.Id }, transaction);
        await RecordAsync(connection, transaction, found.Id, reason is null ? "unexcused" : "excused", request.Desk, user);
        await AuditLog.WriteAsync(transaction, user, http, congressId, reason is null ? "attendance.unexcuse" : "attendance.excuse", found.Code, new { reason });
        await transaction.CommitAsync();
        notifier.AttendanceMayHaveChanged(congressId);
        var kind = Enum.Parse<DelegateKind>(found.Kind, ignoreCase: true);
        return TypedResults.Ok(Result(ScanOutcome.Excused, found, kind, DateTime.UtcNow));
    }

    private static async Task<Ok<AttendanceDto>> AttendanceAsync(ClaimsPrincipal user, NpgsqlDataSource db)
    {
        await using var connection = await db.OpenConnectionAsync();
        return TypedResults.Ok(await AttendanceQueries.ReadAsync(connection, user.CongressId()));
    }

    private static async Task<Ok<CredentialsReportDto>> ReportAsync(ClaimsPrincipal user, NpgsqlDataSource db)
    {
        await using var connection = await db.OpenConnectionAsync();
        return TypedResults.Ok(await AttendanceQueries.ReportAsync(connection, user.CongressId(), DateOnly.FromDateTime(DateTime.UtcNow)));
    }

    private static async Task RecordAsync(NpgsqlConnection connection, NpgsqlTransaction transaction, Guid delegateId, string kind, string desk, ClaimsPrincipal user) =>
        await connection.ExecuteAsync(
            "INSERT INTO attendance_event (delegate_id, kind, desk, actor) VALUES (@delegateId, @kind, @desk, @actor)",
            new { delegateId, kind, desk = Desk(desk), actor = user.Actor() }, transaction);

    private static string Desk(string? desk) => string.IsNullOrWhiteSpace(desk) ? "desk" : desk.Trim()[..Math.Min(desk.Trim().Length, 60)];

    private static ScanResultDto Result(ScanOutcome outcome, Found d, DelegateKind kind, DateTime? at) =>
        new(outcome, d.Id, d.FullName, d.Delegation, d.Code, kind, Polls.PollQueries.Utc(at));
}

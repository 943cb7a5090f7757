using System.Security.Claims;
using CongressVote.Server.Audit;
using CongressVote.Server.Live;
using CongressVote.Server.Sessions;
using CongressVote.Shared;
using Dapper;
using Microsoft.AspNetCore.Http.HttpResults;
using Npgsql;

namespace CongressVote.Server.Delegates;

/// <summary>The delegate registry: list and search, counts, add and edit one, remove, import and export.</summary>
public static class DelegatesApi
{
    /// <summary>Larger than any honest list of 20,000 delegates, small enough to refuse a wrong file quickly.</summary>
    public const long MaxUploadBytes = 16 * 1024 * 1024;

    public static IEndpointRouteBuilder MapDelegatesApi(this IEndpointRouteBuilder app)
    {
        var read = app.MapGroup("/api/delegates").RequireAuthorization(p => p.RequireRole(Roles.AnyStaff.Split(',')));
        read.MapGet("", ListAsync);
        read.MapGet("/summary", SummaryAsync);
        read.MapGet("/export", ExportAsync);

        var write = app.MapGroup("/api/delegates").RequireAuthorization(p => p.RequireRole(Roles.ManagesDelegates.Split(',')));
        write.MapPost("", CreateAsync);
        write.MapPut("/{id:guid}", UpdateAsync);
        write.MapDelete("/{id:guid}", DeleteAsync);
        write.MapPost("/import", ImportAsync).DisableAntiforgery();
        return app;
    }

    private static async Task<Ok<DelegateListDto>> ListAsync(
        ClaimsPrincipal user, NpgsqlDataSource db, string? q, string? delegation, DelegateKind? kind, int? take)
    {
        Guid congressId = user.CongressId();
        // Every word must appear, without regard to diacritics or case: "nguyen an" finds "Nguyễn Văn An".
        string[] patterns = DelegateFile.Fold(q ?? "").Split(' ', StringSplitOptions.RemoveEmptyEntries).Select(w => $"%{w}%").ToArray();
        await using var connection = await db.OpenConnectionAsync();
        var rows = await connection.QueryAsync<DelegateRegistry.RegistryEntry>($"""
            {DelegateRegistry.SelectDelegates}
            WHERE d.congress_id = @congressId
              AND (cardinality(@patterns) = 0 OR fold_text(d.full_name || ' ' || d.code) LIKE ALL (@patterns))
              AND (@delegation IS NULL OR dl.name = @delegation)
              AND (@kind IS NULL OR d.kind = @kind)
            """, new { congressId, patterns, delegation = string.IsNullOrEmpty(delegation) ? null : delegation, kind = kind is { } k ? DelegateRegistry.Db(k) : null });
        var sorted = rows.Select(r => r.ToDto()).Order(ByName).ToList();
        var delegations = (await connection.QueryAsync<string>(
            "SELECT name FROM delegation WHERE congress_id = @congressId ORDER BY position", new { congressId })).ToList();
        return TypedResults.Ok(new DelegateListDto(sorted.Count, sorted.Take(Math.Clamp(take ?? 500, 1, 20_000)).ToList(), delegations));
    }

    private static async Task<Ok<DelegateSummaryDto>> SummaryAsync(ClaimsPrincipal user, NpgsqlDataSource db)
    {
        Guid congressId = user.CongressId();
        await using var connection = await db.OpenConnectionAsync();
        var rows = await connection.QueryAsync<(string Kind, string? Gender, string Delegation, int Count)>("""
            SELECT d.kind, d.gender, coalesce(dl.name, '') AS delegation, count(*)::int AS count
            FROM delegate d LEFT JOIN delegation dl ON dl.id = d.delegation_id
            WHERE d.congress_id = @congressId
            GROUP BY d.kind, d.gender, dl.name, dl.position
            ORDER BY dl.position
            """, new { congressId });
        var list = rows.ToList();
        static List<CountDto> By(IEnumerable<(string Key, int Count)> items) =>
            items.GroupBy(i => i.Key).Select(g => new CountDto(g.Key, g.Sum(i => i.Count))).ToList();
        return TypedResults.Ok(new DelegateSummaryDto(
            list.Sum(r => r.Count),
            By(list.Select(r => (r.Kind, r.Count))),
            By(list.Select(r => (r.Gender ?? "", r.Count))),
            By(list.Select(r => (r.Delegation, r.Count)))));
    }

    private static async Task<FileContentHttpResult> ExportAsync(ClaimsPrincipal user, NpgsqlDataSource db, string? format)
    {
        Guid congressId = user.CongressId();
        await using var connection = await db.OpenConnectionAsync();
        var delegates = (await DelegateRegistry.AllAsync(connection, congressId)).Select(d => d.ToDto())
            .OrderBy(d => d.Delegation, VietnameseOrder.Collation).ThenBy(d => d, ByName).ToList();
        string stamp = DateTime.Now.ToString("yyyyMMdd-HHmm", System.Globalization.CultureInfo.InvariantCulture);
        return format == "xlsx"
            ? TypedResults.File(DelegateExport.Xlsx(delegates), "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet", $"dai-bieu-{stamp}.xlsx")
            : TypedResults.File(DelegateExport.Csv(delegates), "text/csv; charset=utf-8", $"dai-bieu-{stamp}.csv");
    }

    /// <summary>
    /// Merges a list into the registry by code: only the columns the file has change, an empty cell keeps the
    /// stored value, the clear marker empties it. With <c>preview=true</c> nothing is written and the report says
    /// what would change; a confirmation sends the preview's <c>plan</c> back, and if the registry has changed
    /// since, nothing is written and a fresh preview comes back instead. Scripts may import in one call.
    /// Each <c>map</c> ("header=Field") reads a column the import does not know as one of the registry's fields.
    /// </summary>
    private static async Task<Results<Ok<ImportReportDto>, BadRequest<ImportReportDto>, ProblemHttpResult>> ImportAsync(
        IFormFile? file, bool? preview, string? plan, [Microsoft.AspNetCore.Mvc.FromQuery] string[]? map, ClaimsPrincipal user, HttpContext http, NpgsqlDataSource db, CongressNotifier notifier)
    {
        if (file is null || file.Length == 0)
        {
            return TypedResults.BadRequest(new ImportReportDto(false, 0, 0, 0, 0, [new ImportProblemDto(0, "", "file_empty", file?.FileName)]));
        }

        if (file.Length > MaxUploadBytes)
        {
            return TypedResults.BadRequest(new ImportReportDto(false, 0, 0, 0, 0, [new ImportProblemDto(0, "", "file_too_large", file.FileName)]));
        }

        byte[] content;
        await using (var stream = file.OpenReadStream())
        using (var buffer = new MemoryStream())
        {
            await stream.CopyToAsync(buffer);
            content = buffer.ToArray();
        }

        // "map=Chức danh=Position": a column the import does not know, read as a field because the caller says so.
        var mapping = new Dictionary<string, DelegateFile.Field>(StringComparer.Ordinal);
        foreach (string assignment in map ?? [])
        {
            int at = assignment.LastIndexOf('=');
            if (at > 0 && Enum.TryParse<DelegateFile.Field>(assignment[(at + 1)..], out var field) && Enum.IsDefined(field))
            {
                mapping[assignment[..at].Trim()] = field;
            }
        }

        var parsed = DelegateFile.Read(file.FileName, content, mapping);
        if (parsed.Problems.Count > 0)
        {
            // Nothing is imported when anything is wrong; the whole list of problems goes back at once.
            return TypedResults.BadRequest(new ImportReportDto(false, 0, 0, 0, 0, parsed.Problems, parsed.Warnings));
        }

        Guid congressId = user.CongressId();
        await using var connection = await db.OpenConnectionAsync();
        await using var transaction = await connection.BeginTransactionAsync();
        await DelegateRegistry.LockAsync(connection, transaction, congressId);
        var planned = await DelegateRegistry.PlanAsync(connection, transaction, congressId, parsed.Rows);
        ImportReportDto Report(bool imported, IReadOnlyList<ImportProblemDto> problems) => new(
            imported, parsed.Rows.Count, planned.Added.Count, planned.Changed.Count, planned.Unchanged, problems, parsed.Warnings,
            planned.Changes, planned.Fingerprint);
        if (planned.Problems.Count > 0)
        {
            return TypedResults.BadRequest(Report(false, planned.Problems));
        }

        if (preview == true)
        {
            return TypedResults.Ok(Report(false, []));
        }

        if (plan is not null && plan != planned.Fingerprint)
        {
            // Someone changed the registry between the preview and the confirmation: show what would happen now.
            return TypedResults.BadRequest(Report(false, [new ImportProblemDto(0, "", "preview_outdated", null)]));
        }

        await DelegateRegistry.ApplyAsync(connection, transaction, congressId, planned);
        await AuditLog.WriteAsync(transaction, user, http, congressId, "delegates.import", file.FileName, new
        {
            rows = parsed.Rows.Count,
            added = planned.Added.Select(r => r.Code),
            changed = planned.Changes.Where(c => c.Field is not null).Select(c => new { c.Code, c.Field, c.Old, c.New }),
            unchanged = planned.Unchanged,
        });
        await transaction.CommitAsync();
        notifier.AttendanceMayHaveChanged(congressId);
        return TypedResults.Ok(Report(true, []));
    }

    private static async Task<Results<Ok<DelegateDto>, BadRequest<ImportReportDto>, ProblemHttpResult>> CreateAsync(
        DelegateEditDto edit, ClaimsPrincipal user, HttpContext http, NpgsqlDataSource db, CongressNotifier notifier) =>
        await SaveAsync(null, edit, user, http, db, notifier);

    private static async Task<Results<Ok<DelegateDto>, BadRequest<ImportReportDto>, ProblemHttpResult>> UpdateAsync(
        Guid id, DelegateEditDto edit, ClaimsPrincipal user, HttpContext http, NpgsqlDataSource db, CongressNotifier notifier) =>
        await SaveAsync(id, edit, user, http, db, notifier);

    private static async Task<Results<Ok<DelegateDto>, BadRequest<ImportReportDto>, ProblemHttpResult>> SaveAsync(
        Guid? id, DelegateEditDto edit, ClaimsPrincipal user, HttpContext http, NpgsqlDataSource db, CongressNotifier notifier)
    {
        var problems = new List<(DelegateFile.Field Field, string Code, string? Value)>();
        // Every field of the form is shown and sent, so an emptied field is meant to be empty.
        var row = DelegateFile.ParseRow(0, field => Normalise(field switch
        {
            DelegateFile.Field.Code => edit.Code,
            DelegateFile.Field.FullName => edit.FullName,
            DelegateFile.Field.Delegation => edit.Delegation,
            DelegateFile.Field.Position => edit.Position,
            DelegateFile.Field.Rank => edit.Rank,
            DelegateFile.Field.Gender => edit.Gender?.ToString(),
            DelegateFile.Field.BirthYear => edit.BirthYear?.ToString(System.Globalization.CultureInfo.InvariantCulture),
            DelegateFile.Field.Kind => edit.Kind.ToString(),
            DelegateFile.Field.Seat => edit.Seat,
            _ => edit.Notes,
        }), emptyClears: true, problems);
        if (row is null)
        {
            return TypedResults.BadRequest(new ImportReportDto(false, 0, 0, 0, 0,
                problems.Select(p => new ImportProblemDto(0, p.Field.ToString(), p.Code, p.Value)).ToList()));
        }

        Guid congressId = user.CongressId();
        await using var connection = await db.OpenConnectionAsync();
        await using var transaction = await connection.BeginTransactionAsync();
        await DelegateRegistry.LockAsync(connection, transaction, congressId);
        var existing = await connection.QuerySingleOrDefaultAsync<(Guid Id, string Code)?>(
            "SELECT id, code FROM delegate WHERE congress_id = @congressId AND upper(code) = upper(@Code)", new { congressId, row.Code }, transaction);
        if (existing is { } other && other.Id != id)
        {
            return TypedResults.BadRequest(new ImportReportDto(false, 0, 0, 0, 0, [new ImportProblemDto(0, "Code", "duplicate_code", row.Code)]));
        }

        if (id is { } editing)
        {
            // Editing may change the code: update by id, then the shared upsert writes the other fields by code.
            int found = await connection.ExecuteAsync(
                "UPDATE delegate SET code = @Code WHERE id = @editing AND congress_id = @congressId", new { row.Code, editing, congressId }, transaction);
            if (found == 0)
            {
                return Problems.NotFound("unknown_delegate", "There is no such delegate in this congress.");
            }
        }

        var upserted = await DelegateRegistry.UpsertAsync(connection, transaction, congressId, [row]);
        if (upserted.Problems.Count > 0)
        {
            return TypedResults.BadRequest(new ImportReportDto(false, 0, 0, 0, 0,
                upserted.Problems.Select(p => p with { Row = 0, Column = nameof(DelegateEditDto.Kind) }).ToList()));
        }

        var saved = await connection.QuerySingleAsync<DelegateRegistry.RegistryEntry>(
            $"{DelegateRegistry.SelectDelegates} WHERE d.congress_id = @congressId AND upper(d.code) = upper(@Code)", new { congressId, row.Code }, transaction);
        await AuditLog.WriteAsync(transaction, user, http, congressId, id is null ? "delegate.add" : "delegate.edit", saved.Id.ToString(), edit);
        await transaction.CommitAsync();
        notifier.AttendanceMayHaveChanged(congressId);
        return TypedResults.Ok(saved.ToDto());
    }

    private static async Task<Results<NoContent, ProblemHttpResult>> DeleteAsync(
        Guid id, ClaimsPrincipal user, HttpContext http, NpgsqlDataSource db, CongressNotifier notifier)
    {
        Guid congressId = user.CongressId();
        await using var connection = await db.OpenConnectionAsync();
        await using var transaction = await connection.BeginTransactionAsync();
        await DelegateRegistry.LockAsync(connection, transaction, congressId);
        var code = await connection.ExecuteScalarAsync<string?>(
            "SELECT code FROM delegate WHERE id = @id AND congress_id = @congressId FOR UPDATE", new { id, congressId }, transaction);
        if (code is null)
        {
            return Problems.NotFound("unknown_delegate", "There is no such delegate in this congress.");
        }

        if (await connection.ExecuteScalarAsync<bool>("SELECT EXISTS (SELECT 1 FROM poll_voter WHERE delegate_id = @id)", new { id }, transaction))
        {
            return Problems.Conflict("delegate_has_voted", "This delegate has voted; the record is kept for the minutes.");
        }

        // The rolls of opened polls are records of who was entitled; they are never rewritten.
        if (await connection.ExecuteScalarAsync<bool>("SELECT EXISTS (SELECT 1 FROM poll_roll WHERE delegate_id = @id)", new { id }, transaction))
        {
            return Problems.Conflict("delegate_in_roll", "This delegate was on the roll of a vote; the record is kept for the minutes.");
        }

        var sessions = (await connection.QueryAsync<Guid>("SELECT id FROM delegate_session WHERE delegate_id = @id AND ended_at IS NULL", new { id }, transaction)).ToList();
        await connection.ExecuteAsync("DELETE FROM delegate WHERE id = @id", new { id }, transaction);
        await AuditLog.WriteAsync(transaction, user, http, congressId, "delegate.remove", code);
        await transaction.CommitAsync();
        foreach (var session in sessions)
        {
            await notifier.SessionEndedAsync(session);
        }

        notifier.AttendanceMayHaveChanged(congressId);
        return TypedResults.NoContent();
    }

    private static string Normalise(string? value) => (value ?? "").Normalize(System.Text.NormalizationForm.FormC).Trim();

    private static readonly IComparer<DelegateDto> ByName =
        Comparer<DelegateDto>.Create((a, b) => VietnameseOrder.Names.Compare(a.FullName, b.FullName));
}

using System.Security.Claims;
using CongressVote.Server.Audit;
using CongressVote.Server.Live;
using CongressVote.Server.Sessions;
using CongressVote.Shared;
using Dapper;
using Microsoft.AspNetCore.Http.HttpResults;
using Npgsql;

namespace CongressVote.Server.Agenda;

/// <summary>The programme: items the secretariat adds, edits, orders and imports, and the one current item.</summary>
public static partial class AgendaApi
{
    private static readonly string[] s_kinds = ["procedural", "report", "discussion", "vote", "election"];

    public static IEndpointRouteBuilder MapAgendaApi(this IEndpointRouteBuilder app)
    {
        var agenda = app.MapGroup("/api/agenda").RequireAuthorization(p => p.RequireRole(Roles.RunsPolls.Split(',')));
        agenda.MapPost("", AddAsync);
        agenda.MapPost("/import", ImportAsync);
        agenda.MapPut("/{id:guid}", EditAsync);
        agenda.MapPost("/{id:guid}/move", MoveAsync);
        agenda.MapPost("/{id:guid}/current", MakeCurrentAsync);
        agenda.MapDelete("/{id:guid}", RemoveAsync);
        return app;
    }

    private static ProblemHttpResult? Validate(AgendaItemEditDto edit)
    {
        if (Problems.InvalidTitle(edit.Title) is { } badTitle)
        {
            return badTitle;
        }

        if (!s_kinds.Contains(edit.Kind))
        {
            return Problems.BadRequest("bad_kind", "The kind is procedural, report, discussion, vote or election.");
        }

        return (edit.Presenter?.Length > 200 || edit.PlannedTime?.Length > 20) ? Problems.BadRequest("too_long", "Presenter or time too long.") : null;
    }

    private static async Task<Results<Ok<AgendaItemDto>, ProblemHttpResult>> AddAsync(
        AgendaItemEditDto edit, ClaimsPrincipal user, HttpContext http, NpgsqlDataSource db, CongressNotifier notifier)
    {
        if (Validate(edit) is { } problem)
        {
            return problem;
        }

        Guid congressId = user.CongressId();
        await using var connection = await db.OpenConnectionAsync();
        await using var transaction = await connection.BeginTransactionAsync();
        var item = await InsertAsync(connection, transaction, congressId, edit);
        await AuditLog.WriteAsync(transaction, user, http, congressId, "agenda.add", item.Title);
        await transaction.CommitAsync();
        await notifier.AgendaChangedAsync(congressId);
        return TypedResults.Ok(item);
    }

    private static async Task<AgendaItemDto> InsertAsync(NpgsqlConnection connection, NpgsqlTransaction transaction, Guid congressId, AgendaItemEditDto edit)
    {
        // Appending takes the congress's agenda lock, so two additions at once get different positions.
        await connection.ExecuteAsync("SELECT pg_advisory_xact_lock(hashtextextended(@key, 11))", new { key = congressId.ToString() }, transaction);
        return await connection.QuerySingleAsync<AgendaItemDto>("""
            INSERT INTO agenda_item (id, congress_id, position, title, kind, presenter, planned_time, parent_id)
            VALUES (gen_random_uuid(), @congressId,
                    coalesce((SELECT max(position) FROM agenda_item WHERE congress_id = @congressId), 0) + 1,
                    @title, @Kind, @presenter, @plannedTime,
                    (SELECT id FROM agenda_item WHERE id = @ParentId AND congress_id = @congressId AND parent_id IS NULL))
            RETURNING id, position, title, kind, presenter, planned_time, parent_id
            """, new
        {
            congressId,
            title = edit.Title.Normalize(System.Text.NormalizationForm.FormC).Trim(),
            edit.Kind,
            presenter = string.IsNullOrWhiteSpace(edit.Presenter) ? null : edit.Presenter.Trim(),
            plannedTime = string.IsNullOrWhiteSpace(edit.PlannedTime) ? null : edit.PlannedTime.Trim(),
            edit.ParentId,
        }, transaction);
    }

    /// <summary>A plain list, one item a line, as a secretary pastes it; the kind is guessed from the wording.</summary>
    private static async Task<Results<Ok<List<AgendaItemDto>>, ProblemHttpResult>> ImportAsync(
        AgendaImportDto import, ClaimsPrincipal user, HttpContext http, NpgsqlDataSource db, CongressNotifier notifier)
    {
        var lines = (import.Lines ?? "").Split('\n').Select(l => l.Trim().TrimStart('-', '•', '*').Trim()).Where(l => l.Length > 0).ToList();
        if (lines.Count is 0 or > 200)
        {
            return Problems.BadRequest("bad_agenda_list", "Paste 1 to 200 lines, one agenda item a line.");
        }

        var raw = (import.Lines ?? "").Split('\n').Where(l => l.Trim().TrimStart('-', '•', '*').Trim().Length > 0).ToList();
        var edits = lines.Select(StripNumber).Select(title => new AgendaItemEditDto(title, GuessKind(title), null, null)).ToList();
        if (edits.Select(Validate).FirstOrDefault(p => p is not null) is { } problem)
        {
            return problem;
        }

        // A line indented, or numbered "4.1", is a sub-item of the item above it.
        bool[] isSub = raw.Select(l => l.StartsWith("  ", StringComparison.Ordinal) || l.StartsWith('\t') || SubNumber().IsMatch(l)).ToArray();

        Guid congressId = user.CongressId();
        await using var connection = await db.OpenConnectionAsync();
        await using var transaction = await connection.BeginTransactionAsync();
        var items = new List<AgendaItemDto>();
        Guid? parent = null;
        for (int i = 0; i < edits.Count; i++)
        {
            var item = await InsertAsync(connection, transaction, congressId, isSub[i] && parent is not null ? edits[i] with { ParentId = parent } : edits[i]);
            if (!isSub[i])
            {
                parent = item.Id;
            }

            items.Add(item);
        }

        await AuditLog.WriteAsync(transaction, user, http, congressId, "agenda.import", null, new { items = items.Count });
        await transaction.CommitAsync();
        await notifier.AgendaChangedAsync(congressId);
        return TypedResults.Ok(items);
    }

    /// <summary>"1. Khai mạc", "2) Báo cáo", "12 - Thông qua", "III. Bầu cử" keep only the title.</summary>
    private static string StripNumber(string line) => LeadingNumber().Replace(line, "").Trim();

    [System.Text.RegularExpressions.GeneratedRegex(@"^\s*(?:\d+(?:\.\d+)*|[IVXLC]+)\s*[.)\-:–]?\s+")]
    private static partial System.Text.RegularExpressions.Regex LeadingNumber();

    [System.Text.RegularExpressions.GeneratedRegex(@"^\s*\d+\.\d+")]
    private static partial System.Text.RegularExpressions.Regex SubNumber();

    public static string GuessKind(string title)
    {
        string folded = Delegates.DelegateFile.Fold(title);
        return folded switch
        {
            _ when folded.StartsWith("bau", StringComparison.Ordinal) => "election",
            _ when folded.Contains("bieu quyet", StringComparison.Ordinal) || folded.StartsWith("thong qua", StringComparison.Ordinal) => "vote",
            _ when folded.StartsWith("bao cao", StringComparison.Ordinal) || folded.StartsWith("phat bieu", StringComparison.Ordinal) => "report",
            _ when folded.StartsWith("thao luan", StringComparison.Ordinal) => "discussion",
            _ => "procedural",
        };
    }

    private static async Task<Results<Ok<AgendaItemDto>, ProblemHttpResult>> EditAsync(
        Guid id, AgendaItemEditDto edit, ClaimsPrincipal user, HttpContext http, NpgsqlDataSource db, CongressNotifier notifier)
    {
        if (Validate(edit) is { } problem)
        {
            return problem;
        }

        Guid congressId = user.CongressId();
        await using var connection = await db.OpenConnectionAsync();
        await using var transaction = await connection.BeginTransactionAsync();
        var item = await connection.QuerySingleOrDefaultAsync<AgendaItemDto>("""
            UPDATE agenda_item SET title = @title, kind = @Kind, presenter = @presenter, planned_time = @plannedTime,
                   parent_id = (SELECT p.id FROM agenda_item p WHERE p.id = @ParentId AND p.congress_id = @congressId AND p.parent_id IS NULL AND p.id <> @id)
            WHERE id = @id AND congress_id = @congressId
            RETURNING id, position, title, kind, presenter, planned_time, parent_id
            """, new
        {
            id,
            congressId,
            title = edit.Title.Normalize(System.Text.NormalizationForm.FormC).Trim(),
            edit.Kind,
            presenter = string.IsNullOrWhiteSpace(edit.Presenter) ? null : edit.Presenter.Trim(),
            plannedTime = string.IsNullOrWhiteSpace(edit.PlannedTime) ? null : edit.PlannedTime.Trim(),
            edit.ParentId,
        }, transaction);
        if (item is null)
        {
            return Problems.NotFound("unknown_agenda_item", "There is no such agenda item in this congress.");
        }

        await AuditLog.WriteAsync(transaction, user, http, congressId, "agenda.edit", item.Title);
        await transaction.CommitAsync();
        await notifier.AgendaChangedAsync(congressId);
        return TypedResults.Ok(item);
    }

    /// <summary>Swaps an item with its neighbour above (by = -1) or below (by = 1).</summary>
    private static async Task<Results<NoContent, ProblemHttpResult>> MoveAsync(
        Guid id, int by, ClaimsPrincipal user, HttpContext http, NpgsqlDataSource db, CongressNotifier notifier)
    {
        Guid congressId = user.CongressId();
        await using var connection = await db.OpenConnectionAsync();
        await using var transaction = await connection.BeginTransactionAsync();
        await connection.ExecuteAsync("SELECT pg_advisory_xact_lock(hashtextextended(@key, 11))", new { key = congressId.ToString() }, transaction);
        await connection.ExecuteAsync("SET CONSTRAINTS agenda_item_congress_id_position_key DEFERRED", transaction: transaction);
        int swapped = await connection.ExecuteAsync("""
            WITH me AS (SELECT id, position FROM agenda_item WHERE id = @id AND congress_id = @congressId),
                 other AS (
                    SELECT a.id, a.position FROM agenda_item a, me
                    WHERE a.congress_id = @congressId
                      AND ((@by < 0 AND a.position < me.position) OR (@by > 0 AND a.position > me.position))
                    ORDER BY CASE WHEN @by < 0 THEN -a.position ELSE a.position END
                    LIMIT 1)
            UPDATE agenda_item a SET position = CASE WHEN a.id = me.id THEN other.position ELSE me.position END
            FROM me, other
            WHERE a.id IN (me.id, other.id)
            """, new { id, congressId, by = Math.Sign(by) }, transaction);
        if (swapped == 0)
        {
            return Problems.Conflict("cannot_move", "The item is already at that end of the agenda, or does not exist.");
        }

        await AuditLog.WriteAsync(transaction, user, http, congressId, "agenda.move", id.ToString(), new { by });
        await transaction.CommitAsync();
        await notifier.AgendaChangedAsync(congressId);
        return TypedResults.NoContent();
    }

    private static async Task<Results<NoContent, ProblemHttpResult>> MakeCurrentAsync(
        Guid id, ClaimsPrincipal user, HttpContext http, NpgsqlDataSource db, CongressNotifier notifier)
    {
        Guid congressId = user.CongressId();
        await using var connection = await db.OpenConnectionAsync();
        await using var transaction = await connection.BeginTransactionAsync();
        int changed = await connection.ExecuteAsync("""
            UPDATE congress SET current_item_id = @id
            WHERE id = @congressId AND EXISTS (SELECT 1 FROM agenda_item WHERE id = @id AND congress_id = @congressId)
            """, new { id, congressId }, transaction);
        if (changed == 0)
        {
            return Problems.NotFound("unknown_agenda_item", "There is no such agenda item in this congress.");
        }

        await AuditLog.WriteAsync(transaction, user, http, congressId, "agenda.current", id.ToString());
        await transaction.CommitAsync();
        await notifier.AgendaChangedAsync(congressId);
        return TypedResults.NoContent();
    }

    private static async Task<Results<NoContent, ProblemHttpResult>> RemoveAsync(
        Guid id, ClaimsPrincipal user, HttpContext http, NpgsqlDataSource db, CongressNotifier notifier)
    {
        Guid congressId = user.CongressId();
        await using var connection = await db.OpenConnectionAsync();
        await using var transaction = await connection.BeginTransactionAsync();
        if (await connection.ExecuteScalarAsync<bool>("SELECT EXISTS (SELECT 1 FROM poll WHERE agenda_item_id = @id AND state <> 'draft')", new { id }, transaction))
        {
            return Problems.Conflict("agenda_item_has_votes", "A vote was held on this item; it stays on the record.");
        }

        await connection.ExecuteAsync("UPDATE congress SET current_item_id = NULL WHERE id = @congressId AND current_item_id = @id", new { id, congressId }, transaction);
        await connection.ExecuteAsync("DELETE FROM poll WHERE agenda_item_id = @id", new { id }, transaction);
        string? title = await connection.ExecuteScalarAsync<string?>(
            "DELETE FROM agenda_item WHERE id = @id AND congress_id = @congressId RETURNING title", new { id, congressId }, transaction);
        if (title is null)
        {
            return Problems.NotFound("unknown_agenda_item", "There is no such agenda item in this congress.");
        }

        await AuditLog.WriteAsync(transaction, user, http, congressId, "agenda.remove", title);
        await transaction.CommitAsync();
        await notifier.AgendaChangedAsync(congressId);
        return TypedResults.NoContent();
    }
}

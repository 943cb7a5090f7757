using System.Security.Claims;
using CongressVote.Server.Audit;
using CongressVote.Server.CheckIn;
using CongressVote.Server.Sessions;
using CongressVote.Shared;
using Dapper;
using Microsoft.AspNetCore.Http.HttpResults;
using Npgsql;

namespace CongressVote.Server.Documents;

/// <summary>
/// The congress's record for the console: the list of documents, each generated afresh from the stored results
/// at every download (so a recount shows in the next copy), as PDF or Word, in Vietnamese or English; and the
/// heading the documents carry.
/// </summary>
public static class DocumentsApi
{
    public static IEndpointRouteBuilder MapDocumentsApi(this IEndpointRouteBuilder app)
    {
        var read = app.MapGroup("/api/documents").RequireAuthorization(p => p.RequireRole(Roles.AnyStaff.Split(',')));
        read.MapGet("", ListAsync);
        read.MapGet("/heading", HeadingAsync);
        read.MapGet("/credentials", CredentialsAsync);
        read.MapGet("/motions/{pollId:guid}", MotionAsync);
        read.MapGet("/elections/{pollId:guid}", ElectionAsync);
        read.MapGet("/congress", CongressAsync);
        app.MapPut("/api/documents/heading", SaveHeadingAsync).RequireAuthorization(p => p.RequireRole(Roles.RunsPolls.Split(',')));
        return app;
    }

    private sealed record CongressRow(string Name);

    private sealed record PollRow(Guid Id, string Kind, string Title, DateTime? ClosedAt, DateTime? RecountedAt);

    private static async Task<Ok<List<RecordDocumentDto>>> ListAsync(ClaimsPrincipal user, NpgsqlDataSource db)
    {
        Guid congressId = user.CongressId();
        await using var connection = await db.OpenConnectionAsync();
        var documents = new List<RecordDocumentDto> { new("credentials", null, "Báo cáo thẩm tra tư cách đại biểu", "/api/documents/credentials", null) };
        // Every counted vote and election, in the programme's order; the time is that of the result the document shows.
        var polls = await connection.QueryAsync<PollRow>("""
            SELECT p.id, p.kind, p.title, p.closed_at, (SELECT max(r.at) FROM poll_recount r WHERE r.poll_id = p.id) AS recounted_at
            FROM poll p JOIN agenda_item a ON a.id = p.agenda_item_id
            WHERE p.congress_id = @congressId AND p.state IN ('closed', 'published') AND NOT p.rehearsal
            ORDER BY a.position, p.closed_at
            """, new { congressId });
        documents.AddRange(polls.Select(p => new RecordDocumentDto(
            p.Kind, p.Id, p.Title, $"/api/documents/{p.Kind}s/{p.Id}", Polls.PollQueries.Utc(p.RecountedAt ?? p.ClosedAt))));
        documents.Add(new RecordDocumentDto("congress", null, "Biên bản đại hội", "/api/documents/congress", null));
        return TypedResults.Ok(documents);
    }

    private static async Task<Ok<DocumentHeadingDto>> HeadingAsync(ClaimsPrincipal user, NpgsqlDataSource db)
    {
        await using var connection = await db.OpenConnectionAsync();
        return TypedResults.Ok(await HeadingSettings.ReadAsync(connection, user.CongressId()));
    }

    private static async Task<Results<Ok<DocumentHeadingDto>, ProblemHttpResult>> SaveHeadingAsync(
        DocumentHeadingDto heading, ClaimsPrincipal user, HttpContext http, NpgsqlDataSource db)
    {
        string? organisation = HeadingSettings.Clean(heading.Organisation, 200, out bool ok1);
        string? superior = HeadingSettings.Clean(heading.SuperiorBody, 200, out bool ok2);
        string? place = HeadingSettings.Clean(heading.Place, 100, out bool ok3);
        // One name a line: line breaks are the only control characters a committee list may hold.
        var names = heading.CommitteeNames().Select(n => HeadingSettings.Clean(n, 200, out bool ok) is { } name && ok ? name : null).ToList();
        string? committee = names.Count == 0 ? null : string.Join("\n", names);
        if (!(ok1 && ok2 && ok3) || names.Any(n => n is null) || committee?.Length > 2000 || !HeadingSettings.Mottos.Contains(heading.Motto))
        {
            return Problems.BadRequest("bad_heading", "The heading is plain text (organisation and superior body up to 200 characters, place up to 100, committee names up to 200 each) and a known motto.");
        }

        Guid congressId = user.CongressId();
        await using var connection = await db.OpenConnectionAsync();
        await using var transaction = await connection.BeginTransactionAsync();
        await HeadingSettings.SaveAsync(connection, transaction, congressId, organisation, superior, place, heading.Motto, committee);
        await AuditLog.WriteAsync(transaction, user, http, congressId, "documents.heading", organisation, heading);
        await transaction.CommitAsync();
        return TypedResults.Ok(await HeadingSettings.ReadAsync(connection, congressId));
    }

    private static async Task<Results<FileContentHttpResult, ProblemHttpResult>> CredentialsAsync(
        ClaimsPrincipal user, NpgsqlDataSource db, string? format, string? lang)
    {
        Guid congressId = user.CongressId();
        var t = DocumentText.For(lang);
        await using var connection = await db.OpenConnectionAsync();
        var today = DateOnly.FromDateTime(DateTime.Now);
        var report = await AttendanceQueries.ReportAsync(connection, congressId, today);
        var (name, heading) = await CongressHeadingAsync(connection, congressId, t, today);
        return File(CredentialsReportDocument.Build(report, name, heading, t), format, t.T("bao-cao-tham-tra-tu-cach-dai-bieu", "credentials-report"));
    }

    private static async Task<Results<FileContentHttpResult, ProblemHttpResult>> MotionAsync(
        Guid pollId, ClaimsPrincipal user, NpgsqlDataSource db, string? format, string? lang)
    {
        Guid congressId = user.CongressId();
        var t = DocumentText.For(lang);
        await using var connection = await db.OpenConnectionAsync();
        var source = await MotionMinutesDocument.LoadAsync(connection, congressId, pollId);
        if (source is null)
        {
            return Problems.NotFound("no_result", "There is no counted motion with this id in this congress.");
        }

        var date = DateOnly.FromDateTime((MotionMinutesDocument.Local(source.Poll.ClosedAt) ?? DateTimeOffset.Now).DateTime);
        var (name, heading) = await CongressHeadingAsync(connection, congressId, t, date);
        return File(MotionMinutesDocument.Build(source, name, heading, t), format, t.T("bien-ban-bieu-quyet-muc-", "minutes-of-vote-item-") + source.AgendaPosition);
    }

    private static async Task<Results<FileContentHttpResult, ProblemHttpResult>> ElectionAsync(
        Guid pollId, ClaimsPrincipal user, NpgsqlDataSource db, string? format, string? lang)
    {
        Guid congressId = user.CongressId();
        var t = DocumentText.For(lang);
        await using var connection = await db.OpenConnectionAsync();
        var source = await CountingMinutesDocument.LoadAsync(connection, congressId, pollId,
            (await HeadingSettings.ReadAsync(connection, congressId)).CommitteeNames());
        if (source is null)
        {
            return Problems.NotFound("no_result", "There is no counted election with this id in this congress.");
        }

        var date = DateOnly.FromDateTime((MotionMinutesDocument.Local(source.Poll.ClosedAt) ?? DateTimeOffset.Now).DateTime);
        var (name, heading) = await CongressHeadingAsync(connection, congressId, t, date);
        return File(CountingMinutesDocument.Build(source, name, heading, t), format, t.T("bien-ban-kiem-phieu-muc-", "counting-minutes-item-") + source.AgendaPosition);
    }

    private static async Task<Results<FileContentHttpResult, ProblemHttpResult>> CongressAsync(
        ClaimsPrincipal user, NpgsqlDataSource db, string? format, string? lang)
    {
        Guid congressId = user.CongressId();
        var t = DocumentText.For(lang);
        await using var connection = await db.OpenConnectionAsync();
        var source = await CongressMinutesDocument.LoadAsync(connection, congressId);
        var (name, heading) = await CongressHeadingAsync(connection, congressId, t, DateOnly.FromDateTime(DateTime.Now));
        return File(CongressMinutesDocument.Build(source, name, heading, t), format, t.T("bien-ban-dai-hoi", "minutes-of-the-congress"));
    }

    private static async Task<(string Name, DocumentHeading Heading)> CongressHeadingAsync(NpgsqlConnection connection, Guid congressId, DocumentText t, DateOnly date)
    {
        var congress = await connection.QuerySingleAsync<CongressRow>("SELECT name FROM congress WHERE id = @congressId", new { congressId });
        var settings = await HeadingSettings.ReadAsync(connection, congressId);
        return (congress.Name, HeadingSettings.Heading(settings, congress.Name, null, date, t));
    }

    private static Results<FileContentHttpResult, ProblemHttpResult> File(RecordDocument document, string? format, string fileName) => format switch
    {
        null or "pdf" => TypedResults.File(RecordPdf.Render(document), "application/pdf", fileName + ".pdf"),
        "docx" => TypedResults.File(RecordDocx.Render(document), "application/vnd.openxmlformats-officedocument.wordprocessingml.document", fileName + ".docx"),
        _ => Problems.BadRequest("bad_format", "The format is pdf or docx."),
    };
}

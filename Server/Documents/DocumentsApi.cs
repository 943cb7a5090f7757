using System.Security.Claims;
using CongressVote.Server.Audit;
using CongressVote.Server.Sessions;
using CongressVote.Shared;
using Microsoft.AspNetCore.Http.HttpResults;
using Npgsql;

namespace CongressVote.Server.Documents;

/// <summary>
/// The congress's record for the console: the list of documents, each generated afresh from the stored results
/// at every download (so a recount shows in the next copy), as PDF or Word, in Vietnamese or English; the archive of
/// the whole record; and the heading the documents carry.
/// </summary>
public static class DocumentsApi
{
    public static IEndpointRouteBuilder MapDocumentsApi(this IEndpointRouteBuilder app)
    {
        var read = app.MapGroup("/api/documents").RequireAuthorization(p => p.RequireRole(Roles.AnyStaff.Split(',')));
        read.MapGet("", ListAsync);
        read.MapGet("/heading", HeadingAsync);
        read.MapGet("/credentials", (ClaimsPrincipal user, NpgsqlDataSource db, string? format, string? lang) => DocumentAsync(user, db, "credentials", null, format, lang));
        read.MapGet("/signin", (ClaimsPrincipal user, NpgsqlDataSource db, string? format, string? lang) => DocumentAsync(user, db, "signin", null, format, lang));
        read.MapGet("/motions/{pollId:guid}", (Guid pollId, ClaimsPrincipal user, NpgsqlDataSource db, string? format, string? lang) => DocumentAsync(user, db, "motion", pollId, format, lang));
        read.MapGet("/elections/{pollId:guid}", (Guid pollId, ClaimsPrincipal user, NpgsqlDataSource db, string? format, string? lang) => DocumentAsync(user, db, "election", pollId, format, lang));
        read.MapGet("/ballots/{pollId:guid}", (Guid pollId, ClaimsPrincipal user, NpgsqlDataSource db, string? format, string? lang) => DocumentAsync(user, db, "ballot", pollId, format, lang));
        read.MapGet("/congress", (ClaimsPrincipal user, NpgsqlDataSource db, string? format, string? lang) => DocumentAsync(user, db, "congress", null, format, lang));
        // The archive holds the audit trail: for those who may read it.
        app.MapGet("/api/documents/archive", RecordArchive.DownloadAsync).RequireAuthorization(p => p.RequireRole(Roles.Admin, Roles.Chair, Roles.Secretary));
        app.MapPut("/api/documents/heading", SaveHeadingAsync).RequireAuthorization(p => p.RequireRole(Roles.RunsPolls.Split(',')));
        return app;
    }

    private static async Task<Ok<List<RecordDocumentDto>>> ListAsync(ClaimsPrincipal user, NpgsqlDataSource db)
    {
        await using var connection = await db.OpenConnectionAsync();
        return TypedResults.Ok(await RecordDocuments.ListAsync(connection, user.CongressId()));
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

    private static async Task<Results<FileContentHttpResult, ProblemHttpResult>> DocumentAsync(
        ClaimsPrincipal user, NpgsqlDataSource db, string kind, Guid? pollId, string? format, string? lang)
    {
        if (format is not (null or "pdf" or "docx"))
        {
            return Problems.BadRequest("bad_format", "The format is pdf or docx.");
        }

        await using var connection = await db.OpenConnectionAsync();
        var made = await RecordDocuments.MakeAsync(connection, user.CongressId(), kind, pollId, DocumentText.For(lang));
        if (made is null)
        {
            return Problems.NotFound("no_result", kind == "ballot"
                ? "There is no vote or election with this id in this congress."
                : $"There is no counted {kind} with this id in this congress.");
        }

        return format == "docx"
            ? TypedResults.File(RecordDocx.Render(made.Parts), "application/vnd.openxmlformats-officedocument.wordprocessingml.document", made.FileName + ".docx")
            : TypedResults.File(RecordPdf.Render(made.Parts), "application/pdf", made.FileName + ".pdf");
    }
}

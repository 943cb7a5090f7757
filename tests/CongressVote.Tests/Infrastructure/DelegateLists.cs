using System.Net.Http.Headers;
using System.Net.Http.Json;
using System.Text;
using CongressVote.Shared;
using Dapper;
using Npgsql;

namespace CongressVote.Tests.Infrastructure;

/// <summary>Builds delegate lists the way units send them, and uploads them through the console's endpoint.</summary>
public static class DelegateLists
{
    public const string VietnameseHeader = "Mã đại biểu;Họ và tên;Đoàn;Chức vụ;Giới tính;Năm sinh;Loại đại biểu";

    /// <summary>A semicolon CSV (Excel's choice where the decimal mark is a comma), UTF-8 with a BOM.</summary>
    public static byte[] Csv(params string[] lines) =>
        [.. Encoding.UTF8.GetPreamble(), .. Encoding.UTF8.GetBytes(string.Join("\r\n", lines) + "\r\n")];

    public static string Line(string code, string name, string delegation = "Quân khu 1", string gender = "Nam", string kind = "Chính thức", string year = "1985", string position = "Ủy viên") =>
        $"{code};{name};{delegation};{position};{gender};{year};{kind}";

    /// <summary>Uploads a list; <paramref name="query"/> is e.g. "?preview=true" or "?plan=…".</summary>
    public static async Task<(HttpResponseMessage Response, ImportReportDto Report)> ImportAsync(HttpClient staff, byte[] file, string fileName = "danh-sach.csv", string query = "")
    {
        ArgumentNullException.ThrowIfNull(staff);
        using var content = new MultipartFormDataContent();
        var body = new ByteArrayContent(file);
        body.Headers.ContentType = new MediaTypeHeaderValue(fileName.EndsWith(".xlsx", StringComparison.Ordinal)
            ? "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet" : "text/csv");
        content.Add(body, "file", fileName);
        var response = await staff.PostAsync("/api/delegates/import" + query, content);
        var report = (await response.Content.ReadFromJsonAsync<ImportReportDto>(TestJson.Options))!;
        return (response, report);
    }

    public static async Task<DelegateListDto> ListAsync(HttpClient staff, string query = "")
    {
        ArgumentNullException.ThrowIfNull(staff);
        return (await staff.GetFromJsonAsync<DelegateListDto>($"/api/delegates?q={Uri.EscapeDataString(query)}&take=20000", TestJson.Options))!;
    }

    /// <summary>A delegate as PostgreSQL holds it, read past the API, so a test sees exactly what was written.</summary>
    public sealed record Stored(
        string Code, string FullName, string Delegation, string? Position, string? Rank, string? Gender, int? BirthYear,
        string Kind, string? Seat, string? Notes);

    public static async Task<List<Stored>> StoredAsync(NpgsqlDataSource db, Guid congressId)
    {
        ArgumentNullException.ThrowIfNull(db);
        await using var connection = await db.OpenConnectionAsync();
        return (await connection.QueryAsync<Stored>("""
            SELECT d.code, d.full_name AS FullName, coalesce(dl.name, '') AS delegation, d.position, d.rank, d.gender,
                   d.birth_year AS BirthYear, d.kind, d.seat, d.notes
            FROM delegate d LEFT JOIN delegation dl ON dl.id = d.delegation_id
            WHERE d.congress_id = @congressId ORDER BY d.code
            """, new { congressId })).ToList();
    }
}

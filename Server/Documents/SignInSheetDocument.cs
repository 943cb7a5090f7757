using CongressVote.Shared;
using Dapper;
using Npgsql;

namespace CongressVote.Server.Documents;

/// <summary>
/// Danh sách đại biểu ký tên: the attendance sheet each delegation signs at the door, one sheet per delegation (in the
/// programme's order of delegations, those without one last), each delegate by given name in Vietnamese order, with
/// room to sign. Guests sign a sheet of their own.
/// </summary>
public static class SignInSheetDocument
{
    public sealed record Person(string Code, string FullName, string Delegation, int DelegationOrder, string Kind, string? Position);

    public static async Task<IReadOnlyList<Person>> LoadAsync(NpgsqlConnection connection, Guid congressId)
    {
        ArgumentNullException.ThrowIfNull(connection);
        return (await connection.QueryAsync<Person>("""
            SELECT d.code, d.full_name, coalesce(dl.name, '') AS delegation, coalesce(dl.position, 2147483647) AS delegation_order, d.kind, d.position
            FROM delegate d LEFT JOIN delegation dl ON dl.id = d.delegation_id
            WHERE d.congress_id = @congressId
            """, new { congressId })).ToList();
    }

    /// <summary>One document per sheet: every delegation's delegates and alternates, then the guests.</summary>
    public static IReadOnlyList<RecordDocument> Build(IReadOnlyList<Person> people, string congressName, DocumentHeading heading, DocumentText t)
    {
        ArgumentNullException.ThrowIfNull(people);
        ArgumentNullException.ThrowIfNull(t);
        var sheets = people.Where(p => p.Kind != "guest")
            .GroupBy(p => (p.DelegationOrder, p.Delegation))
            .OrderBy(g => g.Key.DelegationOrder).ThenBy(g => g.Key.Delegation, VietnameseOrder.Collation)
            .Select(g => Sheet(g.Key.Delegation.Length > 0 ? g.Key.Delegation : t.T("Đại biểu không thuộc đoàn", "Delegates without a delegation"), g.ToList(), congressName, heading, t))
            .ToList();
        var guests = people.Where(p => p.Kind == "guest").ToList();
        if (guests.Count > 0)
        {
            sheets.Add(Sheet(t.T("Khách mời", "Guests"), guests, congressName, heading, t));
        }

        if (sheets.Count == 0)
        {
            sheets.Add(Sheet("", [], congressName, heading, t));
        }

        return sheets;
    }

    private static RecordDocument Sheet(string group, IReadOnlyList<Person> people, string congressName, DocumentHeading heading, DocumentText t)
    {
        var sorted = people.OrderBy(p => p.FullName, VietnameseOrder.Names).ToList();
        var body = new List<Block>
        {
            new Paragraph(congressName, Bold: true, Centered: true),
            new Table(
                [new(t.T("STT", "No."), 0.8, true), new(t.T("Họ và tên", "Full name"), 3.6), new(t.T("Mã", "Code"), 1.2),
                 new(t.T("Chức vụ", "Position"), 2.8), new(t.T("Ký tên", "Signature"), 3)],
                sorted.Select((p, i) => (IReadOnlyList<string>)[t.Number(i + 1), p.FullName + KindMark(p.Kind, t), p.Code, p.Position ?? "", ""]).ToList(),
                RowHeight: 26),
            new Paragraph(t.T($"Tổng số: {t.Number(sorted.Count)} người.", $"In all: {t.Number(sorted.Count)}."), Italic: true),
            new Signatures(
                [new(t.T("XÁC NHẬN CỦA", "CONFIRMED BY"), t.T("TRƯỞNG ĐOÀN", "THE HEAD OF THE DELEGATION"), null),
                 new(t.T("T/M BAN THẨM TRA TƯ CÁCH ĐẠI BIỂU", "FOR THE CREDENTIALS COMMITTEE"), t.T("TRƯỞNG BAN", "CHAIR"), null)],
                t.T("(Ký, ghi rõ họ tên)", "(Signature and full name)")),
        };
        return new RecordDocument(heading, t.T("DANH SÁCH ĐẠI BIỂU KÝ TÊN", "DELEGATES' SIGN-IN SHEET"), group, body);
    }

    private static string KindMark(string kind, DocumentText t) => kind switch
    {
        "alternate" => t.T(" (dự khuyết)", " (alternate)"),
        _ => "",
    };
}

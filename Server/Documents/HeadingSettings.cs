using System.Data;
using CongressVote.Shared;
using Dapper;

namespace CongressVote.Server.Documents;

/// <summary>
/// The per-congress heading of the record, stored on the congress row; what is not set comes from the preset
/// (a Party congress heads its documents "ĐẢNG CỘNG SẢN VIỆT NAM", a Trade Union or an association the national
/// motto, a simple assembly nothing).
/// </summary>
public static class HeadingSettings
{
    public static readonly string[] Mottos = ["national", "party", "youth_union", "none"];

    private sealed record Row(string Name, string Preset, string? DocOrganisation, string? DocSuperiorBody, string? DocPlace, string? DocMotto, string? CountingCommittee);

    public static string DefaultMotto(string preset) => preset switch
    {
        "party" => "party",
        "simple" => "none",
        _ => "national",
    };

    /// <summary>The stored heading with the preset's defaults filled in.</summary>
    public static async Task<DocumentHeadingDto> ReadAsync(IDbConnection connection, Guid congressId)
    {
        var row = await connection.QuerySingleAsync<Row>("""
            SELECT name, preset, doc_organisation, doc_superior_body, doc_place, doc_motto, counting_committee FROM congress WHERE id = @congressId
            """, new { congressId });
        return new DocumentHeadingDto(
            row.DocOrganisation ?? "",
            row.DocSuperiorBody ?? "",
            row.DocPlace ?? "",
            row.DocMotto ?? DefaultMotto(row.Preset),
            row.CountingCommittee ?? "");
    }

    /// <summary>Plain text of at most <paramref name="max"/> characters, or null for an empty field.</summary>
    public static string? Clean(string? value, int max, out bool ok)
    {
        string text = (value ?? "").Normalize(System.Text.NormalizationForm.FormC).Trim();
        ok = text.Length <= max && !text.Any(char.IsControl);
        return text.Length == 0 ? null : text;
    }

    public static async Task SaveAsync(
        IDbConnection connection, IDbTransaction transaction, Guid congressId, string? organisation, string? superiorBody, string? place, string motto, string? committee) =>
        await connection.ExecuteAsync("""
            UPDATE congress SET doc_organisation = @organisation, doc_superior_body = @superiorBody, doc_place = @place, doc_motto = @motto,
                                counting_committee = @committee
            WHERE id = @congressId
            """, new { organisation, superiorBody, place, motto, committee, congressId }, transaction);

    /// <summary>
    /// The heading as printed: upper case for the bodies, the motto's two lines, and "Hà Nội, ngày 02 tháng 12 năm
    /// 2026". Without an organisation the congress itself ("ĐẠI HỘI …") issues the document.
    /// </summary>
    public static DocumentHeading Heading(DocumentHeadingDto settings, string congressName, string? number, DateOnly date, DocumentText text)
    {
        ArgumentNullException.ThrowIfNull(settings);
        ArgumentNullException.ThrowIfNull(text);
        string organisation = settings.Organisation.Length > 0 ? settings.Organisation : congressName;
        (string? top, string? bottom) = (settings.Motto, text.Vietnamese) switch
        {
            ("national", true) => ("CỘNG HOÀ XÃ HỘI CHỦ NGHĨA VIỆT NAM", "Độc lập - Tự do - Hạnh phúc"),
            ("national", false) => ("SOCIALIST REPUBLIC OF VIETNAM", "Independence - Freedom - Happiness"),
            ("party", true) => ("ĐẢNG CỘNG SẢN VIỆT NAM", null),
            ("party", false) => ("COMMUNIST PARTY OF VIETNAM", null),
            ("youth_union", true) => ("ĐOÀN TNCS HỒ CHÍ MINH", null),
            ("youth_union", false) => ("HO CHI MINH COMMUNIST YOUTH UNION", null),
            _ => (null, null),
        };
        string dateLine = text.Date(date);
        // "Hà Nội, ngày 02 tháng 12 năm 2026"; without a place the line starts the sentence: "Ngày 02 tháng 12 …".
        string place = settings.Place.Length > 0 ? settings.Place + ", " : "";
        if (place.Length == 0)
        {
            dateLine = char.ToUpper(dateLine[0], text.Culture) + dateLine[1..];
        }

        return new DocumentHeading(
            settings.SuperiorBody.ToUpper(text.Culture),
            organisation.ToUpper(text.Culture),
            number,
            top,
            bottom,
            place + dateLine);
    }
}

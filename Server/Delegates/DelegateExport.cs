using System.Globalization;
using System.Text;
using CongressVote.Shared;
using DocumentFormat.OpenXml;
using DocumentFormat.OpenXml.Packaging;
using DocumentFormat.OpenXml.Spreadsheet;

namespace CongressVote.Server.Delegates;

/// <summary>Writes the registry with the import's own headers, so an exported file imports back unchanged.</summary>
public static class DelegateExport
{
    private static string?[] Cells(DelegateDto d) =>
    [
        d.Code, d.FullName, d.Delegation, d.Position, d.Rank, d.Gender is { } g ? DelegateFile.GenderText(g) : null,
        d.BirthYear?.ToString(CultureInfo.InvariantCulture), DelegateFile.KindText(d.Kind), d.Seat, d.Notes,
    ];

    /// <summary>UTF-8 with a byte-order mark and commas: what Excel opens correctly with Vietnamese text.</summary>
    public static byte[] Csv(IEnumerable<DelegateDto> delegates)
    {
        var text = new StringBuilder();
        text.AppendJoin(',', DelegateFile.ExportHeaders.Select(h => Quote(h.Header))).Append("\r\n");
        foreach (var d in delegates)
        {
            text.AppendJoin(',', Cells(d).Select(c => Quote(Spreadsheet.Defuse(c ?? "")))).Append("\r\n");
        }

        return [.. Encoding.UTF8.GetPreamble(), .. Encoding.UTF8.GetBytes(text.ToString())];
    }


    private static string Quote(string value) =>
        value.IndexOfAny([',', '"', '\r', '\n', ';']) >= 0 ? "\"" + value.Replace("\"", "\"\"", StringComparison.Ordinal) + "\"" : value;

    public static byte[] Xlsx(IEnumerable<DelegateDto> delegates)
    {
        using var stream = new MemoryStream();
        using (var document = SpreadsheetDocument.Create(stream, SpreadsheetDocumentType.Workbook))
        {
            var workbook = document.AddWorkbookPart();
            workbook.Workbook = new Workbook();
            var worksheet = workbook.AddNewPart<WorksheetPart>();
            var data = new SheetData();
            data.Append(Row(DelegateFile.ExportHeaders.Select(h => h.Header)));
            foreach (var d in delegates)
            {
                data.Append(Row(Cells(d)));
            }

            worksheet.Worksheet = new Worksheet(data);
            workbook.Workbook.AppendChild(new Sheets(new Sheet { Id = workbook.GetIdOfPart(worksheet), SheetId = 1, Name = "Đại biểu" }));
            workbook.Workbook.Save();
        }

        return stream.ToArray();
    }

    private static Row Row(IEnumerable<string?> values)
    {
        var row = new Row();
        foreach (string? value in values)
        {
            // Inline strings keep codes like "0042" and years as text, exactly as typed.
            row.Append(new Cell { DataType = CellValues.InlineString, InlineString = new InlineString(new Text(value ?? "") { Space = SpaceProcessingModeValues.Preserve }) });
        }

        return row;
    }
}

using System.Globalization;
using System.Text;
using System.Xml;
using System.Xml.Linq;
using CongressVote.Shared;
using DocumentFormat.OpenXml.Packaging;
using DocumentFormat.OpenXml.Spreadsheet;

namespace CongressVote.Server;

/// <summary>
/// Reads a table as units send it, for the delegate list and the candidate list alike: CSV (UTF-8 with or without
/// BOM; comma, semicolon or tab, as Excel writes it; RFC 4180 quotes) or the first sheet of an XLSX workbook. Rows
/// keep their number in the file so a problem can name it; a file that is neither says what it looks like.
/// </summary>
/// <remarks>
/// CSV is parsed here rather than by a library: the delimiter is told from the header line, a record's number is
/// its line in the spreadsheet the user sees (blank lines count), and reading stops past the row limit; those are
/// the three things a general reader would have to be bent to.
/// </remarks>
public static class TableFile
{
    public const int MaxRows = 20_000;

    /// <summary>Excel's own last column (XFD).</summary>
    private const int MaxColumns = 16_384;

    public static List<(int Row, string[] Cells)>? Read(string fileName, byte[] content, List<ImportProblemDto> problems)
    {
        if (content.Length == 0)
        {
            problems.Add(new ImportProblemDto(0, "", "file_empty", fileName));
            return null;
        }

        string? notSpreadsheet = Sniff(content);
        if (notSpreadsheet is "xlsx")
        {
            try
            {
                return ReadXlsx(content);
            }
            catch (Exception ex) when (ex is not OutOfMemoryException)
            {
                // Whatever is wrong inside the workbook, the answer is the same: it cannot be read as a list.
                problems.Add(new ImportProblemDto(0, "", "file_not_spreadsheet", "damaged XLSX"));
                return null;
            }
        }

        if (notSpreadsheet is not null)
        {
            problems.Add(new ImportProblemDto(0, "", "file_not_spreadsheet", notSpreadsheet));
            return null;
        }

        string? text = DecodeText(content, problems);
        return text is null ? null : ReadCsv(text);
    }

    /// <summary>Null for text that may be CSV; "xlsx" for a workbook; otherwise what the file looks like.</summary>
    private static string? Sniff(byte[] content)
    {
        ReadOnlySpan<byte> head = content.AsSpan(0, Math.Min(content.Length, 8));
        if (head.StartsWith("PK\u0003\u0004"u8))
        {
            return "xlsx";
        }

        if (head.StartsWith(new byte[] { 0xD0, 0xCF, 0x11, 0xE0 }))
        {
            return "Excel 97-2003 (.xls)";
        }

        if (head.StartsWith("%PDF"u8))
        {
            return "PDF";
        }

        if (head.StartsWith(new byte[] { 0x89, (byte)'P', (byte)'N', (byte)'G' }) || head.StartsWith(new byte[] { 0xFF, 0xD8, 0xFF }))
        {
            return "image";
        }

        return null;
    }

    private static string? DecodeText(byte[] content, List<ImportProblemDto> problems)
    {
        if (content.AsSpan().StartsWith(new byte[] { 0xFF, 0xFE }) || content.AsSpan().StartsWith(new byte[] { 0xFE, 0xFF }))
        {
            problems.Add(new ImportProblemDto(0, "", "file_encoding", content[0] == 0xFF ? "UTF-16 LE" : "UTF-16 BE"));
            return null;
        }

        int sample = Math.Min(content.Length, 4096);
        int zeros = content.AsSpan(0, sample).Count((byte)0);
        if (zeros > sample / 10)
        {
            // Text with a zero in every other byte and no byte-order mark is UTF-16 saved without one.
            problems.Add(new ImportProblemDto(0, "", "file_encoding", "UTF-16"));
            return null;
        }

        if (zeros > 0)
        {
            problems.Add(new ImportProblemDto(0, "", "file_not_spreadsheet", "binary"));
            return null;
        }

        var strict = new UTF8Encoding(encoderShouldEmitUTF8Identifier: false, throwOnInvalidBytes: true);
        try
        {
            string text = strict.GetString(content);
            return text.Length > 0 && text[0] == '\uFEFF' ? text[1..] : text;
        }
        catch (DecoderFallbackException)
        {
            // Not UTF-8: Vietnamese lists in that state are Windows-1258, TCVN3 (ABC) or VNI.
            problems.Add(new ImportProblemDto(0, "", "file_encoding", "Windows-1258 / TCVN3 / VNI"));
            return null;
        }
    }

    /// <summary>
    /// RFC 4180 CSV with the delimiter Excel used (comma, or semicolon where the decimal mark is a comma, or tab),
    /// told apart by counting them in the header line outside quotes.
    /// </summary>
    private static List<(int Row, string[] Cells)> ReadCsv(string text)
    {
        char delimiter = DetectDelimiter(text);
        var rows = new List<(int, string[])>();
        var cells = new List<string>();
        var cell = new StringBuilder();
        bool quoted = false;
        int row = 1;
        int filled = 0;
        for (int i = 0; i < text.Length; i++)
        {
            char c = text[i];
            if (quoted)
            {
                if (c == '"' && i + 1 < text.Length && text[i + 1] == '"')
                {
                    cell.Append('"');
                    i++;
                }
                else if (c == '"')
                {
                    quoted = false;
                }
                else
                {
                    cell.Append(c);
                }
            }
            else if (c == '"' && cell.Length == 0)
            {
                quoted = true;
            }
            else if (c == delimiter)
            {
                cells.Add(cell.ToString());
                cell.Clear();
            }
            else if (c is '\r' or '\n')
            {
                if (c == '\r' && i + 1 < text.Length && text[i + 1] == '\n')
                {
                    i++;
                }

                cells.Add(cell.ToString());
                cell.Clear();
                rows.Add((row++, cells.ToArray()));
                cells.Clear();
                // Blank lines do not count toward the limit; past it, reading stops and the check below refuses.
                if (rows[^1].Item2.Any(c => c.Length > 0) && ++filled > MaxRows + 1)
                {
                    return rows;
                }
            }
            else
            {
                cell.Append(c);
            }
        }

        if (cell.Length > 0 || cells.Count > 0)
        {
            cells.Add(cell.ToString());
            rows.Add((row, cells.ToArray()));
        }

        return rows;
    }

    private static char DetectDelimiter(string text)
    {
        int commas = 0, semicolons = 0, tabs = 0;
        bool quoted = false;
        foreach (char c in text)
        {
            if (c == '"')
            {
                quoted = !quoted;
            }
            else if (!quoted && c is '\r' or '\n')
            {
                break;
            }
            else if (!quoted)
            {
                commas += c == ',' ? 1 : 0;
                semicolons += c == ';' ? 1 : 0;
                tabs += c == '\t' ? 1 : 0;
            }
        }

        return semicolons > commas && semicolons >= tabs ? ';' : tabs > commas ? '\t' : ',';
    }

    /// <summary>
    /// The first sheet, read as XML from its part: a workbook whose formatting reaches a million empty rows is a few
    /// megabytes on disk but hundreds in a document tree, so neither the sheet nor the shared strings are loaded
    /// whole, no object is made for an empty row, and rows without a value are never kept.
    /// </summary>
    private static List<(int Row, string[] Cells)> ReadXlsx(byte[] content)
    {
        using var stream = new MemoryStream(content, writable: false);
        using var document = SpreadsheetDocument.Open(stream, isEditable: false);
        var workbook = document.WorkbookPart ?? throw new InvalidDataException("no workbook");
        var sheet = workbook.Workbook.Sheets?.Elements<Sheet>().FirstOrDefault() ?? throw new InvalidDataException("no sheet");
        var worksheet = (WorksheetPart)workbook.GetPartById(sheet.Id!.Value!);
        string[] shared = SharedStrings(workbook.SharedStringTablePart);
        var rows = new List<(int, string[])>();
        int filled = 0;
        int rowNumber = 0;
        var cells = new List<string>();
        using var part = worksheet.GetStream(FileMode.Open, FileAccess.Read);
        using var xml = XmlReader.Create(part, new XmlReaderSettings { DtdProcessing = DtdProcessing.Prohibit, IgnoreWhitespace = true });
        while (xml.Read())
        {
            if (xml.NodeType != XmlNodeType.Element || xml.NamespaceURI != Main)
            {
                continue;
            }

            if (xml.LocalName == "row")
            {
                rowNumber = int.TryParse(xml.GetAttribute("r"), NumberStyles.None, CultureInfo.InvariantCulture, out int r) ? r : rowNumber + 1;
                cells.Clear();
                if (!xml.IsEmptyElement)
                {
                    ReadRow(xml, cells, shared);
                }

                if (!cells.Any(c => c.Length > 0))
                {
                    continue; // blank rows are skipped by every reader of the table; keeping a million of them costs memory
                }

                rows.Add((rowNumber, cells.ToArray()));
                if (++filled > MaxRows + 1)
                {
                    break;
                }
            }
        }

        return rows;
    }

    private const string Main = "http://schemas.openxmlformats.org/spreadsheetml/2006/main";

    /// <summary>The cells of the row the reader is on, placed by their reference (a gap is an empty cell).</summary>
    private static void ReadRow(XmlReader xml, List<string> cells, string[] shared)
    {
        int depth = xml.Depth;
        while (xml.Read() && xml.Depth > depth)
        {
            if (xml.NodeType != XmlNodeType.Element || xml.LocalName != "c" || xml.NamespaceURI != Main)
            {
                continue;
            }

            int column = xml.GetAttribute("r") is { } reference ? ColumnIndex(reference) : cells.Count;
            if (column is < 0 or > MaxColumns)
            {
                throw new InvalidDataException("a cell beyond the last column Excel allows");
            }

            string? type = xml.GetAttribute("t");
            string value = xml.IsEmptyElement ? "" : CellValue(xml, type, shared);
            while (cells.Count < column)
            {
                cells.Add("");
            }

            cells.Add(value);
        }
    }

    /// <summary>A cell's text: its value, the shared string it points to, or its inline string.</summary>
    private static string CellValue(XmlReader xml, string? type, string[] shared)
    {
        int depth = xml.Depth;
        string? value = null;
        var inline = new StringBuilder();
        while (xml.Read() && xml.Depth > depth)
        {
            if (xml.NodeType != XmlNodeType.Element || xml.NamespaceURI != Main)
            {
                continue;
            }

            if (xml.LocalName == "v")
            {
                value = xml.ReadElementContentAsString();
                if (xml.Depth <= depth)
                {
                    break;
                }
            }
            else if (xml.LocalName == "t")
            {
                inline.Append(xml.ReadElementContentAsString());
                if (xml.Depth <= depth)
                {
                    break;
                }
            }
        }

        return type switch
        {
            "s" => int.TryParse(value, NumberStyles.None, CultureInfo.InvariantCulture, out int i) && i < shared.Length ? shared[i] : "",
            "inlineStr" => inline.ToString(),
            _ => value ?? "",
        };
    }

    private static string[] SharedStrings(SharedStringTablePart? part)
    {
        if (part is null)
        {
            return [];
        }

        XNamespace main = Main;
        var strings = new List<string>();
        using var stream = part.GetStream(FileMode.Open, FileAccess.Read);
        using var xml = XmlReader.Create(stream, new XmlReaderSettings { DtdProcessing = DtdProcessing.Prohibit });
        xml.MoveToContent();
        while (!xml.EOF)
        {
            if (xml.NodeType == XmlNodeType.Element && xml.LocalName == "si")
            {
                // One string at a time as a small tree (ReadFrom moves past it); phonetic runs (rPh) are a reading
                // aid, not the cell's text.
                var item = (XElement)XNode.ReadFrom(xml);
                strings.Add(string.Concat(item.Descendants(main + "t").Where(t => t.Parent?.Name != main + "rPh").Select(t => t.Value)));
            }
            else
            {
                xml.Read();
            }
        }

        return [.. strings];
    }

    private static int ColumnIndex(string reference)
    {
        int index = 0;
        foreach (char c in reference)
        {
            if (!char.IsAsciiLetter(c))
            {
                break;
            }

            index = (index * 26) + (char.ToUpperInvariant(c) - 'A' + 1);
        }

        return index - 1;
    }
}

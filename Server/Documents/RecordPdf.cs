using CongressVote.Server.Badges;
using PdfSharp;
using PdfSharp.Drawing;
using PdfSharp.Pdf;

namespace CongressVote.Server.Documents;

/// <summary>
/// A <see cref="RecordDocument"/> as an A4 PDF in the layout of Decree 30/2020/NĐ-CP: margins 20 mm top and
/// bottom, 30 mm left (the binding), 15 mm right; page numbers at the top centre from page 2. The DejaVu Sans
/// shipped for badges carries every Vietnamese glyph and is embedded, so the file prints the same anywhere.
/// </summary>
public sealed class RecordPdf : IDisposable
{
    private const double Mm = 72 / 25.4;
    private const double Left = 30 * Mm;
    private const double Right = 15 * Mm;
    private const double Top = 20 * Mm;
    private const double Bottom = 20 * Mm;
    private const double BodySize = 10.5;
    private const double CellPadding = 3;

    private static readonly XPdfFontOptions s_fontOptions = new(PdfFontEncoding.Unicode, PdfFontEmbedding.EmbedCompleteFontFile);

    private readonly PdfDocument _document = new();
    private readonly Dictionary<(double Size, bool Bold, bool Italic), XFont> _fonts = [];
    private readonly List<int> _firstPages = [];
    private PdfPage _page = default!;
    private XGraphics _graphics = default!;
    private double _y;

    private RecordPdf()
    {
    }

    private double Width => _page.Width.Point - Left - Right;

    public static byte[] Render(RecordDocument document)
    {
        ArgumentNullException.ThrowIfNull(document);
        return Render([document]);
    }

    /// <summary>
    /// Several documents in one file, each from a new page with its own heading and its own page numbers: the
    /// sign-in sheets of every delegation, each handed to its delegation.
    /// </summary>
    public static byte[] Render(IReadOnlyList<RecordDocument> documents)
    {
        ArgumentNullException.ThrowIfNull(documents);
        BadgeFonts.EnsurePdfFontResolver();
        using var pdf = new RecordPdf();
        pdf._document.Info.Title = documents[0].Title;
        foreach (var document in documents)
        {
            pdf._firstPages.Add(pdf._document.PageCount);
            pdf.NewPage();
            pdf.Draw(document);
        }

        return pdf.Finish();
    }

    private void Draw(RecordDocument document)
    {
        DrawHeading(document.Heading);
        Space(18);
        Text(document.Title, Font(13, bold: true), XStringAlignment.Center, Left, Width);
        if (document.Subtitle is { } subtitle)
        {
            Space(2);
            Text(subtitle, Font(11.5, bold: true), XStringAlignment.Center, Left, Width);
        }

        Space(12);
        foreach (var block in document.Body)
        {
            Draw(block);
        }
    }

    private XFont Font(double size, bool bold = false, bool italic = false)
    {
        if (!_fonts.TryGetValue((size, bold, italic), out var font))
        {
            var style = (bold, italic) switch
            {
                (true, true) => XFontStyleEx.BoldItalic,
                (true, false) => XFontStyleEx.Bold,
                (false, true) => XFontStyleEx.Italic,
                _ => XFontStyleEx.Regular,
            };
            font = new XFont(BadgeFonts.FamilyName, size, style, s_fontOptions);
            _fonts[(size, bold, italic)] = font;
        }

        return font;
    }

    private void NewPage()
    {
        _graphics?.Dispose();
        _page = _document.AddPage();
        _page.Size = PageSize.A4;
        _graphics = XGraphics.FromPdfPage(_page);
        _y = Top;
    }

    private void Space(double points) => _y += points;

    /// <summary>Starts a new page unless <paramref name="height"/> more points fit on this one.</summary>
    private void Ensure(double height)
    {
        if (_y + height > _page.Height.Point - Bottom && _y > Top)
        {
            NewPage();
        }
    }

    private static double LineHeight(XFont font) => font.Size * 1.35;

    /// <summary>Breaks text into lines no wider than <paramref name="width"/>, at spaces, or inside a word too long for a line.</summary>
    private List<string> Wrap(string text, XFont font, double width)
    {
        var lines = new List<string>();
        foreach (string paragraph in text.Split('\n'))
        {
            string line = "";
            foreach (string word in paragraph.Split(' '))
            {
                string candidate = line.Length == 0 ? word : line + " " + word;
                if (_graphics.MeasureString(candidate, font).Width <= width)
                {
                    line = candidate;
                    continue;
                }

                if (line.Length > 0)
                {
                    lines.Add(line);
                }

                line = word;
                while (line.Length > 1 && _graphics.MeasureString(line, font).Width > width)
                {
                    int fits = line.Length - 1;
                    while (fits > 1 && _graphics.MeasureString(line[..fits], font).Width > width)
                    {
                        fits--;
                    }

                    lines.Add(line[..fits]);
                    line = line[fits..];
                }
            }

            lines.Add(line);
        }

        return lines;
    }

    /// <summary>Wrapped text at the current line, moving down; a new page between lines when the page is full.</summary>
    private void Text(string text, XFont font, XStringAlignment alignment, double left, double width)
    {
        foreach (string line in Wrap(text, font, width))
        {
            Ensure(LineHeight(font));
            DrawLine(line, font, alignment, left, width, _y);
            _y += LineHeight(font);
        }
    }

    private void DrawLine(string line, XFont font, XStringAlignment alignment, double left, double width, double top)
    {
        var format = new XStringFormat { Alignment = alignment, LineAlignment = XLineAlignment.Near };
        _graphics.DrawString(line, font, XBrushes.Black, new XRect(left, top, width, LineHeight(font)), format);
    }

    /// <summary>Lines centred in a column from <paramref name="top"/>; returns the bottom of the last line.</summary>
    private double Column(IEnumerable<(string Text, XFont Font)> lines, double left, double width, double top)
    {
        double y = top;
        foreach (var (text, font) in lines)
        {
            foreach (string line in Wrap(text, font, width))
            {
                DrawLine(line, font, XStringAlignment.Center, left, width, y);
                y += LineHeight(font);
            }
        }

        return y;
    }

    private void Rule(double centre, double y, double length) =>
        _graphics.DrawLine(new XPen(XColors.Black, 0.6), centre - length / 2, y, centre + length / 2, y);

    /// <summary>
    /// The bodies top left over a short rule, the motto top right over a rule as long as its second line, then the
    /// number on the left and the place and date in italics on the right.
    /// </summary>
    private void DrawHeading(DocumentHeading heading)
    {
        double leftWidth = Width * 0.42;
        double rightLeft = Left + leftWidth;
        double rightWidth = Width - leftWidth;
        var left = new List<(string, XFont)>();
        if (heading.SuperiorBody.Length > 0)
        {
            left.Add((heading.SuperiorBody, Font(9.5)));
        }

        left.Add((heading.Organisation, Font(9.5, bold: true)));
        double leftBottom = Column(left, Left, leftWidth, _y);
        Rule(Left + leftWidth / 2, leftBottom + 2, leftWidth * 0.35);

        double rightBottom = _y;
        if (heading.MottoTop is { } top)
        {
            var right = new List<(string, XFont)> { (top, Font(9.5, bold: true)) };
            if (heading.MottoBottom is { } bottom)
            {
                right.Add((bottom, Font(10.5, bold: true)));
            }

            rightBottom = Column(right, rightLeft, rightWidth, _y);
            double ruleLength = _graphics.MeasureString(heading.MottoBottom ?? top, Font(10.5, bold: true)).Width;
            Rule(rightLeft + rightWidth / 2, rightBottom + 2, ruleLength);
        }

        _y = Math.Max(leftBottom, rightBottom) + 8;
        double lineTop = _y;
        if (heading.Number is { } number)
        {
            Column([(number, Font(10))], Left, leftWidth, lineTop);
        }

        _y = Column([(heading.PlaceAndDate, Font(10.5, italic: true))], rightLeft, rightWidth, lineTop);
    }

    private void Draw(Block block)
    {
        switch (block)
        {
            case Section section:
                Ensure(LineHeight(Font(BodySize, bold: true)) * 3);
                Space(6);
                Text(section.Text, Font(BodySize, bold: true), XStringAlignment.Near, Left, Width);
                Space(2);
                break;
            case Paragraph p:
                Text(p.Text, Font(BodySize, p.Bold, p.Italic), p.Centered ? XStringAlignment.Center : XStringAlignment.Near, Left, Width);
                Space(3);
                break;
            case Table table:
                DrawTable(table);
                Space(6);
                break;
            case Signatures signatures:
                DrawSignatures(signatures);
                break;
            case StampBox stamp:
                DrawStamp(stamp);
                break;
            case PageBreak:
                NewPage();
                break;
        }
    }

    private void DrawTable(Table table)
    {
        double total = table.Columns.Sum(c => c.Width);
        double[] widths = table.Columns.Select(c => c.Width / total * Width).ToArray();
        var body = Font(9.5);
        var bold = Font(9.5, bold: true);

        void Row(IReadOnlyList<string> cells, XFont font, bool header)
        {
            var wrapped = cells.Select((c, i) => Wrap(c, font, widths[i] - 2 * CellPadding)).ToList();
            double height = wrapped.Max(w => w.Count) * LineHeight(font) + 2 * CellPadding;
            if (!header && table.RowHeight is { } least)
            {
                height = Math.Max(height, least);
            }

            if (_y + height > _page.Height.Point - Bottom)
            {
                NewPage();
                if (!header)
                {
                    // The header again at the top of each page the table runs onto.
                    Row(table.Columns.Select(c => c.Header).ToList(), bold, header: true);
                }
            }

            double x = Left;
            var pen = new XPen(XColors.Black, 0.5);
            for (int i = 0; i < cells.Count; i++)
            {
                if (header)
                {
                    _graphics.DrawRectangle(new XSolidBrush(XColor.FromArgb(235, 235, 235)), x, _y, widths[i], height);
                }

                _graphics.DrawRectangle(pen, x, _y, widths[i], height);
                var alignment = header ? XStringAlignment.Center : table.Columns[i].Numeric ? XStringAlignment.Far : XStringAlignment.Near;
                double lineTop = _y + CellPadding;
                foreach (string line in wrapped[i])
                {
                    DrawLine(line, font, alignment, x + CellPadding, widths[i] - 2 * CellPadding, lineTop);
                    lineTop += LineHeight(font);
                }

                x += widths[i];
            }

            _y += height;
        }

        Ensure(LineHeight(bold) * 4);
        Row(table.Columns.Select(c => c.Header).ToList(), bold, header: true);
        foreach (var cells in table.Rows)
        {
            Row(cells, body, header: false);
        }

        if (table.Total is { } totalRow)
        {
            Row(totalRow, bold, header: false);
        }
    }

    /// <summary>The blocks side by side, each centred in its share of the width, kept together on one page.</summary>
    private void DrawSignatures(Signatures signatures)
    {
        var bold = Font(BodySize, bold: true);
        var italic = Font(9.5, italic: true);
        Ensure(12 + LineHeight(bold) * 2 + LineHeight(italic) + 60 + LineHeight(bold));
        Space(12);
        double width = Width / signatures.Blocks.Count;
        double bottom = _y;
        for (int i = 0; i < signatures.Blocks.Count; i++)
        {
            var s = signatures.Blocks[i];
            double left = Left + i * width;
            double y = Column([(s.OnBehalfOf, bold), (s.Title, bold), (signatures.Caption, italic)], left, width, _y);
            y += 60;
            if (s.Name is { } name)
            {
                y = Column([(name, bold)], left, width, y);
            }

            bottom = Math.Max(bottom, y);
        }

        _y = bottom + 12;
    }

    /// <summary>A dashed frame 50 by 30 mm at the right margin, the caption inside at its top, kept on one page.</summary>
    private void DrawStamp(StampBox stamp)
    {
        const double width = 50 * Mm;
        const double height = 30 * Mm;
        Ensure(height + 8);
        double left = Left + Width - width;
        _graphics.DrawRectangle(new XPen(XColors.Black, 0.6) { DashStyle = XDashStyle.Dash }, left, _y, width, height);
        Column([(stamp.Caption, Font(9, italic: true))], left, width, _y + 3);
        _y += height + 8;
    }

    /// <summary>Page numbers top centre from each document's second page (Decree 30), then the file.</summary>
    private byte[] Finish()
    {
        _graphics.Dispose();
        _graphics = null!;
        for (int i = 0; i < _document.PageCount; i++)
        {
            int first = _firstPages.Last(p => p <= i);
            if (i == first)
            {
                continue;
            }

            using var graphics = XGraphics.FromPdfPage(_document.Pages[i], XGraphicsPdfPageOptions.Append);
            graphics.DrawString((i - first + 1).ToString(System.Globalization.CultureInfo.InvariantCulture), Font(10), XBrushes.Black,
                new XRect(0, 10 * Mm, _document.Pages[i].Width.Point, 12), XStringFormats.TopCenter);
        }

        using var stream = new MemoryStream();
        _document.Save(stream, closeStream: false);
        return stream.ToArray();
    }

    public void Dispose()
    {
        _graphics?.Dispose();
        _document.Dispose();
    }
}

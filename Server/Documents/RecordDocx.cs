using DocumentFormat.OpenXml;
using DocumentFormat.OpenXml.Packaging;
using DocumentFormat.OpenXml.Wordprocessing;
using W = DocumentFormat.OpenXml.Wordprocessing;

namespace CongressVote.Server.Documents;

/// <summary>
/// A <see cref="RecordDocument"/> as a .docx the secretariat edits before signing: real Word styles (Normal, Title,
/// Subtitle, Heading 1, a bordered table style), A4 with the margins of Decree 30/2020/NĐ-CP, Times New Roman 13
/// as the decree asks (every Windows machine has it, with the Vietnamese glyphs). The heading and the signatures are
/// tables without borders, the way such documents are typed by hand.
/// </summary>
public static class RecordDocx
{
    private const string Font = "Times New Roman";
    private const string TableStyle = "RecordTable";
    private const string PlainTableStyle = "RecordLayout";

    public static byte[] Render(RecordDocument document)
    {
        ArgumentNullException.ThrowIfNull(document);
        return Render([document]);
    }

    /// <summary>Several documents in one file, each from a new page with its own heading.</summary>
    public static byte[] Render(IReadOnlyList<RecordDocument> documents)
    {
        ArgumentNullException.ThrowIfNull(documents);
        using var stream = new MemoryStream();
        using (var package = WordprocessingDocument.Create(stream, WordprocessingDocumentType.Document))
        {
            package.PackageProperties.Title = documents[0].Title;
            var main = package.AddMainDocumentPart();
            main.AddNewPart<StyleDefinitionsPart>().Styles = Styles();
            var body = new Body();
            for (int i = 0; i < documents.Count; i++)
            {
                var document = documents[i];
                if (i > 0)
                {
                    body.Append(new W.Paragraph(new Run(new Break { Type = BreakValues.Page })));
                }

                body.Append(Heading(document.Heading));
                body.Append(Para(document.Title, "Title"));
                if (document.Subtitle is { } subtitle)
                {
                    body.Append(Para(subtitle, "Subtitle"));
                }

                foreach (var block in document.Body)
                {
                    body.Append(Render(block));
                }
            }

            body.Append(new SectionProperties(
                new W.PageSize { Width = 11906, Height = 16838 },
                new PageMargin { Top = 1134, Bottom = 1134, Left = 1701, Right = 850, Header = 567, Footer = 567, Gutter = 0 }));
            main.Document = new W.Document(body);
        }

        return stream.ToArray();
    }

    private static IEnumerable<OpenXmlElement> Render(Block block) => block switch
    {
        Section s => [Para(s.Text, "Heading1")],
        Paragraph p => [Para(p.Text, null, p.Bold, p.Italic, p.Centered ? JustificationValues.Center : JustificationValues.Both)],
        Table t => [DataTable(t), Para("", null)],
        Signatures s => [SignatureTable(s)],
        StampBox s => [Stamp(s), Para("", null)],
        PageBreak => [new W.Paragraph(new Run(new Break { Type = BreakValues.Page }))],
        _ => [],
    };

    /// <summary>A paragraph in a style; a line break in the text becomes a line break in Word.</summary>
    private static W.Paragraph Para(
        string text, string? style, bool bold = false, bool italic = false, JustificationValues? justification = null, int? size = null, SpacingBetweenLines? spacing = null)
    {
        // The schema fixes the order of paragraph properties: style, spacing, justification.
        var properties = new ParagraphProperties();
        if (style is not null)
        {
            properties.Append(new ParagraphStyleId { Val = style });
        }

        if (spacing is not null)
        {
            properties.Append(spacing);
        }

        if (justification is { } j)
        {
            properties.Append(new Justification { Val = j });
        }

        var paragraph = new W.Paragraph(properties);
        string[] lines = text.Split('\n');
        for (int i = 0; i < lines.Length; i++)
        {
            var runProperties = new RunProperties();
            if (bold)
            {
                runProperties.Append(new Bold());
            }

            if (italic)
            {
                runProperties.Append(new Italic());
            }

            if (size is { } s)
            {
                runProperties.Append(new FontSize { Val = (s * 2).ToString(System.Globalization.CultureInfo.InvariantCulture) });
            }

            var run = new Run(runProperties);
            if (i > 0)
            {
                run.Append(new Break());
            }

            run.Append(new Text(lines[i]) { Space = SpaceProcessingModeValues.Preserve });
            paragraph.Append(run);
        }

        return paragraph;
    }

    private static W.Paragraph Centred(string text, bool bold = false, bool italic = false, int size = 13, bool underline = false)
    {
        var paragraph = Para(text, null, bold, italic, JustificationValues.Center, size, new SpacingBetweenLines { After = "0" });
        if (underline)
        {
            // The short rule under the issuing body and the motto: a bottom border on the paragraph would span the
            // cell, so the last line is underlined instead, as typists do.
            foreach (var properties in paragraph.Descendants<RunProperties>())
            {
                properties.Append(new Underline { Val = UnderlineValues.Single });
            }
        }

        return paragraph;
    }

    private static W.Table Heading(DocumentHeading heading)
    {
        var left = new List<OpenXmlElement>();
        if (heading.SuperiorBody.Length > 0)
        {
            left.Add(Centred(heading.SuperiorBody, size: 12));
        }

        left.Add(Centred(heading.Organisation, bold: true, size: 12, underline: true));
        if (heading.Number is { } number)
        {
            left.Add(Centred(number, size: 12));
        }

        var right = new List<OpenXmlElement>();
        if (heading.MottoTop is { } top)
        {
            right.Add(Centred(top, bold: true, size: 12, underline: heading.MottoBottom is null));
        }

        if (heading.MottoBottom is { } bottom)
        {
            right.Add(Centred(bottom, bold: true, size: 13, underline: true));
        }

        right.Add(Centred(heading.PlaceAndDate, italic: true, size: 13));
        return LayoutTable([3800, 5500], [left, right]);
    }

    private static W.Table SignatureTable(Signatures signatures)
    {
        int width = 9300 / signatures.Blocks.Count;
        var cells = signatures.Blocks.Select(s =>
        {
            var lines = new List<OpenXmlElement>
            {
                Centred(s.OnBehalfOf, bold: true), Centred(s.Title, bold: true), Centred(signatures.Caption, italic: true, size: 12),
                Centred(""), Centred(""), Centred(""),
            };
            if (s.Name is { } name)
            {
                lines.Add(Centred(name, bold: true));
            }

            return (IReadOnlyList<OpenXmlElement>)lines;
        }).ToList();
        return LayoutTable(Enumerable.Repeat(width, signatures.Blocks.Count).ToArray(), cells);
    }

    /// <summary>A framed cell 50 by 30 mm at the right margin: the place for the stamp.</summary>
    private static W.Table Stamp(StampBox stamp)
    {
        const string width = "2835";
        var table = new W.Table(new TableProperties(
            new TableStyle { Val = TableStyle },
            new TableWidth { Width = width, Type = TableWidthUnitValues.Dxa },
            new TableJustification { Val = TableRowAlignmentValues.Right },
            new TableLayout { Type = TableLayoutValues.Fixed }));
        table.Append(new TableGrid(new GridColumn { Width = width }));
        table.Append(new TableRow(
            new TableRowProperties(new TableRowHeight { Val = 1701, HeightType = HeightRuleValues.Exact }),
            new TableCell(new TableCellProperties(new TableCellWidth { Width = width, Type = TableWidthUnitValues.Dxa }),
                Centred(stamp.Caption, italic: true, size: 11))));
        return table;
    }

    /// <summary>A one-row table without borders that places blocks side by side.</summary>
    private static W.Table LayoutTable(int[] widths, List<IReadOnlyList<OpenXmlElement>> cells)
    {
        var table = new W.Table(new TableProperties(
            new TableStyle { Val = PlainTableStyle },
            new TableWidth { Width = widths.Sum().ToString(System.Globalization.CultureInfo.InvariantCulture), Type = TableWidthUnitValues.Dxa },
            new TableLayout { Type = TableLayoutValues.Fixed }));
        table.Append(new TableGrid(widths.Select(w => new GridColumn { Width = w.ToString(System.Globalization.CultureInfo.InvariantCulture) })));
        var row = new TableRow();
        for (int i = 0; i < cells.Count; i++)
        {
            var cell = new TableCell(new TableCellProperties(new TableCellWidth { Width = widths[i].ToString(System.Globalization.CultureInfo.InvariantCulture), Type = TableWidthUnitValues.Dxa }));
            cell.Append(cells[i].Select(e => e.CloneNode(true)));
            row.Append(cell);
        }

        table.Append(row);
        return table;
    }

    private static W.Table DataTable(Table source)
    {
        const int total = 9300;
        double sum = source.Columns.Sum(c => c.Width);
        int[] widths = source.Columns.Select(c => (int)(c.Width / sum * total)).ToArray();
        var table = new W.Table(new TableProperties(
            new TableStyle { Val = TableStyle },
            new TableWidth { Width = total.ToString(System.Globalization.CultureInfo.InvariantCulture), Type = TableWidthUnitValues.Dxa }));
        table.Append(new TableGrid(widths.Select(w => new GridColumn { Width = w.ToString(System.Globalization.CultureInfo.InvariantCulture) })));

        TableRow Row(IReadOnlyList<string> cells, bool header, bool bold)
        {
            var row = new TableRow();
            if (header)
            {
                row.Append(new TableRowProperties(new TableHeader()));
            }
            else if (source.RowHeight is { } least)
            {
                // Points to twentieths of a point: room to sign or mark, the row growing with longer text.
                row.Append(new TableRowProperties(new TableRowHeight { Val = (uint)(least * 20), HeightType = HeightRuleValues.AtLeast }));
            }

            for (int i = 0; i < cells.Count; i++)
            {
                var alignment = header ? JustificationValues.Center : source.Columns[i].Numeric ? JustificationValues.Right : JustificationValues.Left;
                var paragraph = Para(cells[i], null, bold, false, alignment, 12, new SpacingBetweenLines { Before = "20", After = "20" });
                row.Append(new TableCell(
                    new TableCellProperties(new TableCellWidth { Width = widths[i].ToString(System.Globalization.CultureInfo.InvariantCulture), Type = TableWidthUnitValues.Dxa }),
                    paragraph));
            }

            return row;
        }

        table.Append(Row(source.Columns.Select(c => c.Header).ToList(), header: true, bold: true));
        foreach (var cells in source.Rows)
        {
            table.Append(Row(cells, header: false, bold: false));
        }

        if (source.Total is { } totalRow)
        {
            table.Append(Row(totalRow, header: false, bold: true));
        }

        return table;
    }

    private static Style ParagraphStyle(string id, string name, StyleParagraphProperties paragraph, StyleRunProperties run, bool primary = true)
    {
        var style = new Style { Type = StyleValues.Paragraph, StyleId = id };
        style.Append(new StyleName { Val = name }, new BasedOn { Val = "Normal" }, new NextParagraphStyle { Val = "Normal" });
        if (primary)
        {
            style.Append(new PrimaryStyle());
        }

        style.Append(paragraph, run);
        return style;
    }

    private static Styles Styles()
    {
        var defaults = new DocDefaults(
            new RunPropertiesDefault(new RunPropertiesBaseStyle(
                new RunFonts { Ascii = Font, HighAnsi = Font, ComplexScript = Font, EastAsia = Font },
                new FontSize { Val = "26" }, new FontSizeComplexScript { Val = "26" }, new Languages { Val = "vi-VN" })),
            new ParagraphPropertiesDefault(new ParagraphPropertiesBaseStyle(new SpacingBetweenLines { After = "80", Line = "276", LineRule = LineSpacingRuleValues.Auto })));
        var normal = new Style(new StyleName { Val = "Normal" }, new PrimaryStyle()) { Type = StyleValues.Paragraph, StyleId = "Normal", Default = true };
        var title = ParagraphStyle("Title", "Title",
            new StyleParagraphProperties(new SpacingBetweenLines { Before = "360", After = "0" }, new Justification { Val = JustificationValues.Center }),
            new StyleRunProperties(new Bold(), new FontSize { Val = "28" }));
        var subtitle = ParagraphStyle("Subtitle", "Subtitle",
            new StyleParagraphProperties(new SpacingBetweenLines { After = "240" }, new Justification { Val = JustificationValues.Center }),
            new StyleRunProperties(new Bold(), new FontSize { Val = "26" }));
        var heading1 = ParagraphStyle("Heading1", "heading 1",
            new StyleParagraphProperties(new KeepNext(), new SpacingBetweenLines { Before = "200", After = "80" }, new OutlineLevel { Val = 0 }),
            new StyleRunProperties(new Bold(), new FontSize { Val = "26" }));
        // Child elements in the schema's order: top, left, bottom, right, then the inside borders.
        var border = () => new TableBorders(
            new TopBorder { Val = BorderValues.Single, Size = 4 }, new LeftBorder { Val = BorderValues.Single, Size = 4 },
            new BottomBorder { Val = BorderValues.Single, Size = 4 }, new RightBorder { Val = BorderValues.Single, Size = 4 },
            new InsideHorizontalBorder { Val = BorderValues.Single, Size = 4 }, new InsideVerticalBorder { Val = BorderValues.Single, Size = 4 });
        var table = new Style(
            new StyleName { Val = "Record Table" }, new PrimaryStyle(),
            new StyleTableProperties(border(), new TableCellMarginDefault(
                new TopMargin { Width = "40", Type = TableWidthUnitValues.Dxa }, new TableCellLeftMargin { Width = 80, Type = TableWidthValues.Dxa },
                new BottomMargin { Width = "40", Type = TableWidthUnitValues.Dxa }, new TableCellRightMargin { Width = 80, Type = TableWidthValues.Dxa })))
        { Type = StyleValues.Table, StyleId = TableStyle };
        var layout = new Style(new StyleName { Val = "Record Layout" }, new StyleTableProperties(new TableBorders(
            new TopBorder { Val = BorderValues.None }, new LeftBorder { Val = BorderValues.None }, new BottomBorder { Val = BorderValues.None },
            new RightBorder { Val = BorderValues.None }, new InsideHorizontalBorder { Val = BorderValues.None }, new InsideVerticalBorder { Val = BorderValues.None })))
        { Type = StyleValues.Table, StyleId = PlainTableStyle };
        return new Styles(defaults, normal, title, subtitle, heading1, table, layout);
    }
}

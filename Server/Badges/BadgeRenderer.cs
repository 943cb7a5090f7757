using System.Globalization;
using System.Text;
using System.Xml.Linq;
using PdfSharp;
using PdfSharp.Drawing;
using PdfSharp.Pdf;
using QRCoder;
using SkiaSharp;

namespace CongressVote.Server.Badges;

/// <summary>What one badge shows. <see cref="Kind"/> is "official", "alternate" or "guest".</summary>
public sealed record BadgeData(
    string CongressName, string FullName, string Delegation, string? Position, string Code, string Kind, string Url);

/// <summary>
/// Draws delegate badges, 90 × 60 mm, as PNG, SVG or an A4 sheet of eight for cutting. All three are drawn from
/// one layout measured with the embedded DejaVu Sans, so a badge looks the same in every format.
/// </summary>
public static class BadgeRenderer
{
    public const double WidthMm = 90;
    public const double HeightMm = 60;
    public const int Dpi = 300;
    public const int BadgesPerPage = Columns * Rows;

    private const int Columns = 2;
    private const int Rows = 4;
    private const double MmPerInch = 25.4;
    private const double PointsPerMm = 72 / MmPerInch;

    private const double Margin = 4;
    private const double LineSpacing = 1.2;
    private const double BandTop = 10;
    private const double BandHeight = 8;

    // 32 mm with the quiet zone leaves about 26 mm of modules for a version 4 code (0.8 mm a module), above
    // the 25 mm that phones need to read a code off paper without zooming.
    private const double QrSize = 32;
    private const double QrLeft = WidthMm - 2 - QrSize;
    private const double QrTop = 19.5;

    // The text column stops short of the QR's quiet zone, which must stay white to scan.
    private const double ColumnLeft = Margin;
    private const double ColumnWidth = QrLeft - 1 - ColumnLeft;
    private const double ColumnTop = 19.5;
    private const double ColumnHeight = HeightMm - 2 - ColumnTop;

    // On the sheet the badges are 6 mm apart, so cut marks sit in the gutters and never print on a badge.
    private const double PageWidthMm = 210;
    private const double PageHeightMm = 297;
    private const double GutterMm = 6;
    private const double SheetLeft = (PageWidthMm - (Columns * WidthMm) - ((Columns - 1) * GutterMm)) / 2;
    private const double SheetTop = (PageHeightMm - (Rows * HeightMm) - ((Rows - 1) * GutterMm)) / 2;
    private const double CutMarkOffset = 1;
    private const double CutMarkLength = 3;

    private const int Ink = 0x111827;
    private const int SoftInk = 0x374151;
    private const int GreyInk = 0x4b5563;
    private const int White = 0xffffff;

    // Unicode encoding writes a ToUnicode map, so the Vietnamese text can be searched and copied from the PDF.
    // The whole font file is embedded because PDFsharp 6.2's subsetter drops the nested accent parts of
    // DejaVu's composite glyphs: "ố" printed as "o" and "ễ" as "ê".
    private static readonly XPdfFontOptions s_pdfFontOptions = new(PdfFontEncoding.Unicode, PdfFontEmbedding.EmbedCompleteFontFile);
    private static readonly XNamespace s_svg = "http://www.w3.org/2000/svg";

    public static byte[] Png(BadgeData badge)
    {
        BadgeLayout layout = LayOut(badge);
        float pixelsPerMm = (float)(Dpi / MmPerInch);
        var info = new SKImageInfo(
            (int)Math.Round(WidthMm * pixelsPerMm), (int)Math.Round(HeightMm * pixelsPerMm), SKColorType.Rgba8888, SKAlphaType.Premul);

        using SKSurface surface = SKSurface.Create(info) ?? throw new InvalidOperationException("SkiaSharp could not create a raster surface.");
        SKCanvas canvas = surface.Canvas;
        canvas.Clear(SKColors.White);
        canvas.Scale(pixelsPerMm);

        using var paint = new SKPaint { IsAntialias = true, Style = SKPaintStyle.Fill };
        foreach (Box box in layout.Boxes)
        {
            paint.Color = SkColor(box.Rgb);
            canvas.DrawRect((float)box.X, (float)box.Y, (float)box.Width, (float)box.Height, paint);
        }

        using SKFont regular = NewSkFont(BadgeFonts.Regular);
        using SKFont bold = NewSkFont(BadgeFonts.Bold);
        foreach (TextRun text in layout.Texts)
        {
            SKFont font = text.Bold ? bold : regular;
            font.Size = (float)text.SizeMm;
            paint.Color = SkColor(text.Rgb);
            SKTextAlign align = text.Centered ? SKTextAlign.Center : SKTextAlign.Left;
            canvas.DrawText(text.Text, (float)text.X, (float)text.Baseline, align, font, paint);
        }

        // Without anti-aliasing the modules keep hard edges, which is what a scanner wants.
        using var modules = new SKPath();
        foreach (XRect run in layout.Qr.Runs())
        {
            modules.AddRect(SKRect.Create((float)run.X, (float)run.Y, (float)run.Width, (float)run.Height));
        }

        using var black = new SKPaint { IsAntialias = false, Color = SKColors.Black, Style = SKPaintStyle.Fill };
        canvas.DrawPath(modules, black);

        using SKImage image = surface.Snapshot();
        using SKData png = image.Encode(SKEncodedImageFormat.Png, 100);
        return png.ToArray();
    }

    public static string Svg(BadgeData badge)
    {
        BadgeLayout layout = LayOut(badge);
        var root = new XElement(
            s_svg + "svg",
            new XAttribute("width", $"{Number(WidthMm)}mm"),
            new XAttribute("height", $"{Number(HeightMm)}mm"),
            new XAttribute("viewBox", $"0 0 {Number(WidthMm)} {Number(HeightMm)}"),
            new XAttribute("font-family", $"'{BadgeFonts.FamilyName}', sans-serif"),
            new XElement(s_svg + "title", $"{layout.FullName} · {layout.Code}"),
            new XElement(
                s_svg + "rect",
                new XAttribute("width", Number(WidthMm)),
                new XAttribute("height", Number(HeightMm)),
                new XAttribute("fill", SvgColor(White))));

        foreach (Box box in layout.Boxes)
        {
            root.Add(new XElement(
                s_svg + "rect",
                new XAttribute("x", Number(box.X)),
                new XAttribute("y", Number(box.Y)),
                new XAttribute("width", Number(box.Width)),
                new XAttribute("height", Number(box.Height)),
                new XAttribute("fill", SvgColor(box.Rgb))));
        }

        foreach (TextRun text in layout.Texts)
        {
            var element = new XElement(
                s_svg + "text",
                new XAttribute("class", text.Role),
                new XAttribute("x", Number(text.X)),
                new XAttribute("y", Number(text.Baseline)),
                new XAttribute("font-size", Number(text.SizeMm)),
                new XAttribute("fill", SvgColor(text.Rgb)),
                text.Text);
            if (text.Bold)
            {
                element.Add(new XAttribute("font-weight", "bold"));
            }

            // Centred lines are anchored in the middle so a viewer that substitutes another font still centres them.
            if (text.Centered)
            {
                element.Add(new XAttribute("text-anchor", "middle"));
            }

            root.Add(element);
        }

        var path = new StringBuilder();
        foreach (XRect run in layout.Qr.Runs())
        {
            path.Append(CultureInfo.InvariantCulture, $"M{Number(run.X)} {Number(run.Y)}h{Number(run.Width)}v{Number(run.Height)}h-{Number(run.Width)}z");
        }

        root.Add(new XElement(
            s_svg + "path",
            new XAttribute("class", "qr"),
            new XAttribute("d", path.ToString()),
            new XAttribute("fill", "#000000"),
            new XAttribute("shape-rendering", "crispEdges")));

        return root.ToString(SaveOptions.DisableFormatting);
    }

    public static byte[] PdfSheet(IReadOnlyList<BadgeData> badges)
    {
        ArgumentNullException.ThrowIfNull(badges);
        if (badges.Count == 0)
        {
            throw new ArgumentException("A badge sheet needs at least one badge.", nameof(badges));
        }

        // Lay out every badge first so bad data fails before any PDF work starts.
        var layouts = new List<BadgeLayout>(badges.Count);
        using (var ruler = new Ruler())
        {
            layouts.AddRange(badges.Select(badge => LayOut(badge, ruler)));
        }

        BadgeFonts.EnsurePdfFontResolver();
        using var document = new PdfDocument();
        document.Info.Title = $"{layouts[0].CongressName} · Badges";
        document.Options.CompressContentStreams = true;

        var fonts = new Dictionary<(double SizeMm, bool Bold), XFont>();
        for (int first = 0; first < layouts.Count; first += BadgesPerPage)
        {
            PdfPage page = document.AddPage();
            page.Width = XUnit.FromMillimeter(PageWidthMm);
            page.Height = XUnit.FromMillimeter(PageHeightMm);
            page.Orientation = PageOrientation.Portrait;
            using XGraphics graphics = XGraphics.FromPdfPage(page);

            int count = Math.Min(BadgesPerPage, layouts.Count - first);
            for (int slot = 0; slot < count; slot++)
            {
                double left = SheetLeft + (slot % Columns * (WidthMm + GutterMm));
                double top = SheetTop + (slot / Columns * (HeightMm + GutterMm));

                XGraphicsState state = graphics.Save();
                graphics.TranslateTransform(left * PointsPerMm, top * PointsPerMm);
                graphics.ScaleTransform(PointsPerMm);
                DrawPdfBadge(graphics, layouts[first + slot], fonts);
                graphics.Restore(state);

                DrawCutMarks(graphics, left, top);
            }
        }

        using var stream = new MemoryStream();
        document.Save(stream, false);
        return stream.ToArray();
    }

    private static void DrawPdfBadge(XGraphics graphics, BadgeLayout layout, Dictionary<(double SizeMm, bool Bold), XFont> fonts)
    {
        foreach (Box box in layout.Boxes)
        {
            graphics.DrawRectangle(new XSolidBrush(PdfColor(box.Rgb)), box.X, box.Y, box.Width, box.Height);
        }

        foreach (TextRun text in layout.Texts)
        {
            if (!fonts.TryGetValue((text.SizeMm, text.Bold), out XFont? font))
            {
                font = new XFont(BadgeFonts.FamilyName, text.SizeMm, text.Bold ? XFontStyleEx.Bold : XFontStyleEx.Regular, s_pdfFontOptions);
                fonts.Add((text.SizeMm, text.Bold), font);
            }

            XStringFormat format = text.Centered ? XStringFormats.BaseLineCenter : XStringFormats.BaseLineLeft;
            graphics.DrawString(text.Text, font, new XSolidBrush(PdfColor(text.Rgb)), text.X, text.Baseline, format);
        }

        // One path for the whole symbol, so viewers do not draw hairline seams between modules.
        var modules = new XGraphicsPath();
        foreach (XRect run in layout.Qr.Runs())
        {
            modules.AddRectangle(run);
        }

        graphics.DrawPath(XBrushes.Black, modules);
    }

    private static void DrawCutMarks(XGraphics graphics, double left, double top)
    {
        var pen = new XPen(XColors.Black, 0.25);
        foreach (double x in (double[])[left, left + WidthMm])
        {
            foreach (double y in (double[])[top, top + HeightMm])
            {
                double outwardX = x == left ? -1 : 1;
                double outwardY = y == top ? -1 : 1;
                double nearX = x + (outwardX * CutMarkOffset);
                double farX = x + (outwardX * (CutMarkOffset + CutMarkLength));
                double nearY = y + (outwardY * CutMarkOffset);
                double farY = y + (outwardY * (CutMarkOffset + CutMarkLength));
                graphics.DrawLine(pen, nearX * PointsPerMm, y * PointsPerMm, farX * PointsPerMm, y * PointsPerMm);
                graphics.DrawLine(pen, x * PointsPerMm, nearY * PointsPerMm, x * PointsPerMm, farY * PointsPerMm);
            }
        }
    }

    private static BadgeLayout LayOut(BadgeData badge)
    {
        using var ruler = new Ruler();
        return LayOut(badge, ruler);
    }

    private static BadgeLayout LayOut(BadgeData badge, Ruler ruler)
    {
        ArgumentNullException.ThrowIfNull(badge);
        (string label, int rgb) = KindOf(badge.Kind);
        string congressName = Clean(badge.CongressName);
        string fullName = Clean(badge.FullName);
        string delegation = Clean(badge.Delegation);
        string position = Clean(badge.Position);
        string code = Clean(badge.Code);
        if (fullName.Length == 0 || code.Length == 0)
        {
            throw new ArgumentException("A badge needs a name and a code.", nameof(badge));
        }

        if (string.IsNullOrWhiteSpace(badge.Url))
        {
            throw new ArgumentException("A badge needs a URL for its QR code.", nameof(badge));
        }

        var texts = new List<TextRun>();
        const double fullWidth = WidthMm - (2 * Margin);
        const double middle = WidthMm / 2;

        Block congress = ruler.Fit(congressName, bold: false, fullWidth, maxLines: 2, maxPoints: 7, minPoints: 4.5);
        Place(texts, "congress", congress, middle, centered: true, top: 2, height: BandTop - 2.5, SoftInk);

        Block band = ruler.Fit(label, bold: true, fullWidth, maxLines: 1, maxPoints: 9.5, minPoints: 5);
        Place(texts, "kind", band, middle, centered: true, BandTop, BandHeight, White);

        const double codeTop = QrTop + QrSize;
        Block codeBlock = ruler.Fit($"Số / No. {code}", bold: true, QrSize, maxLines: 1, maxPoints: 9, minPoints: 5.5);
        Place(texts, "code", codeBlock, QrLeft + (QrSize / 2), centered: true, codeTop, HeightMm - 1.5 - codeTop, Ink);

        // Shrink the whole column together in the rare case that long text overflows it, rather than cut anything.
        const double nameGap = 2;
        const double positionGap = 0.8;
        Block nameBlock, delegationBlock, positionBlock;
        double total;
        double scale = 1;
        do
        {
            nameBlock = ruler.Fit(fullName, bold: true, ColumnWidth, maxLines: 2, maxPoints: 17 * scale, minPoints: 8 * scale);
            delegationBlock = ruler.Fit(delegation, bold: false, ColumnWidth, maxLines: 2, maxPoints: 10 * scale, minPoints: 6.5 * scale);
            positionBlock = ruler.Fit(position, bold: false, ColumnWidth, maxLines: 2, maxPoints: 9 * scale, minPoints: 6 * scale);
            total = nameBlock.Height + (delegationBlock.Height > 0 ? nameGap + delegationBlock.Height : 0)
                + (positionBlock.Height > 0 ? positionGap + positionBlock.Height : 0);
            scale *= 0.9;
        }
        while (total > ColumnHeight && scale > 0.5);

        double y = ColumnTop + Math.Max(0, (ColumnHeight - total) / 2);
        Place(texts, "name", nameBlock, ColumnLeft, centered: false, y, nameBlock.Height, Ink);
        y += nameBlock.Height;
        if (delegationBlock.Height > 0)
        {
            y += nameGap;
            Place(texts, "delegation", delegationBlock, ColumnLeft, centered: false, y, delegationBlock.Height, SoftInk);
            y += delegationBlock.Height;
        }

        if (positionBlock.Height > 0)
        {
            y += positionGap;
            Place(texts, "position", positionBlock, ColumnLeft, centered: false, y, positionBlock.Height, GreyInk);
        }

        return new BadgeLayout(
            congressName, fullName, code, [new Box(0, BandTop, WidthMm, BandHeight, rgb)], texts, QrSymbol.For(badge.Url, QrLeft, QrTop, QrSize));
    }

    private static (string Label, int Rgb) KindOf(string kind)
    {
        return kind?.Trim().ToUpperInvariant() switch
        {
            "OFFICIAL" => ("ĐẠI BIỂU CHÍNH THỨC · OFFICIAL DELEGATE", 0xb3141b),
            "ALTERNATE" => ("ĐẠI BIỂU DỰ KHUYẾT · ALTERNATE DELEGATE", 0x1d4ed8),
            "GUEST" => ("KHÁCH MỜI · GUEST", 0x15803d),
            _ => throw new ArgumentException($"Unknown badge kind '{kind}'; expected official, alternate or guest.", nameof(kind)),
        };
    }

    /// <summary>
    /// Puts a block's lines inside a band of the badge, centred vertically on the font's ascent and descent
    /// (not on the ink), so lines with and without diacritics sit on the same baselines.
    /// </summary>
    private static void Place(List<TextRun> texts, string role, Block block, double x, bool centered, double top, double height, int rgb)
    {
        double lineHeight = block.SizeMm * LineSpacing;
        double first = top + ((height - block.Height) / 2)
            + ((lineHeight - ((Ruler.Ascent + Ruler.Descent) * block.SizeMm)) / 2) + (Ruler.Ascent * block.SizeMm);
        for (int i = 0; i < block.Lines.Count; i++)
        {
            texts.Add(new TextRun(role, block.Lines[i], x, first + (i * lineHeight), block.SizeMm, block.Bold, centered, rgb));
        }
    }

    /// <summary>
    /// NFC first: the fonts have precomposed Vietnamese letters, and a decomposed "ễ" would otherwise be drawn
    /// as a base letter with loose marks and be found by no search. Control characters cannot be drawn
    /// (and are not allowed in XML), and runs of white space become one space so lines wrap cleanly.
    /// </summary>
    private static string Clean(string? text)
    {
        if (string.IsNullOrWhiteSpace(text))
        {
            return "";
        }

        string composed = text.Normalize(NormalizationForm.FormC);
        var clean = new StringBuilder(composed.Length);
        bool pendingSpace = false;
        foreach (char c in composed)
        {
            if (char.IsWhiteSpace(c))
            {
                pendingSpace = clean.Length > 0;
            }
            else if (!char.IsControl(c))
            {
                if (pendingSpace)
                {
                    clean.Append(' ');
                    pendingSpace = false;
                }

                clean.Append(c);
            }
        }

        return clean.ToString();
    }

    private static SKFont NewSkFont(SKTypeface typeface)
    {
        return new SKFont(typeface) { Subpixel = true, LinearMetrics = true, Hinting = SKFontHinting.None, Edging = SKFontEdging.Antialias };
    }

    private static SKColor SkColor(int rgb) => new((byte)(rgb >> 16), (byte)(rgb >> 8), (byte)rgb);

    private static XColor PdfColor(int rgb) => XColor.FromArgb((rgb >> 16) & 0xff, (rgb >> 8) & 0xff, rgb & 0xff);

    private static string SvgColor(int rgb) => $"#{rgb:x6}";

    private static string Number(double value) => value.ToString("0.###", CultureInfo.InvariantCulture);

    private sealed record BadgeLayout(
        string CongressName, string FullName, string Code, IReadOnlyList<Box> Boxes, IReadOnlyList<TextRun> Texts, QrSymbol Qr);

    private sealed record Box(double X, double Y, double Width, double Height, int Rgb);

    /// <summary>One line of text; <see cref="Role"/> names its part of the badge (a class in the SVG).</summary>
    private sealed record TextRun(string Role, string Text, double X, double Baseline, double SizeMm, bool Bold, bool Centered, int Rgb);

    private sealed record Block(IReadOnlyList<string> Lines, double SizeMm, bool Bold)
    {
        public double Height => Lines.Count * SizeMm * LineSpacing;
    }

    /// <summary>A QR symbol as horizontal runs of dark modules, quiet zone included in its size.</summary>
    private sealed class QrSymbol(double left, double top, double moduleMm, IReadOnlyList<(int Row, int Column, int Length)> runs)
    {
        public static QrSymbol For(string url, double left, double top, double size)
        {
            using QRCodeData data = QRCodeGenerator.GenerateQrCode(url, QRCodeGenerator.ECCLevel.M);
            List<System.Collections.BitArray> matrix = data.ModuleMatrix;
            var runs = new List<(int Row, int Column, int Length)>();
            for (int row = 0; row < matrix.Count; row++)
            {
                int column = 0;
                while (column < matrix.Count)
                {
                    if (!matrix[row][column])
                    {
                        column++;
                        continue;
                    }

                    int start = column;
                    while (column < matrix.Count && matrix[row][column])
                    {
                        column++;
                    }

                    runs.Add((row, start, column - start));
                }
            }

            return new QrSymbol(left, top, size / matrix.Count, runs);
        }

        public IEnumerable<XRect> Runs()
        {
            return runs.Select(run => new XRect(
                left + (run.Column * moduleMm), top + (run.Row * moduleMm), run.Length * moduleMm, moduleMm));
        }
    }

    /// <summary>
    /// Measures with the embedded fonts at a large size and scales linearly, so small sizes are not distorted
    /// by hinting; SkiaSharp and PDFsharp both place glyphs by the same advance widths without kerning.
    /// </summary>
    private sealed class Ruler : IDisposable
    {
        private const float ReferenceSize = 100;

        private static readonly (double Ascent, double Descent) s_metrics = ReadMetrics();

        private readonly SKFont _regular = new(BadgeFonts.Regular, ReferenceSize) { Subpixel = true, LinearMetrics = true, Hinting = SKFontHinting.None };
        private readonly SKFont _bold = new(BadgeFonts.Bold, ReferenceSize) { Subpixel = true, LinearMetrics = true, Hinting = SKFontHinting.None };

        public static double Ascent => s_metrics.Ascent;

        public static double Descent => s_metrics.Descent;

        public void Dispose()
        {
            _regular.Dispose();
            _bold.Dispose();
        }

        /// <summary>
        /// The largest size, in steps of a quarter point, at which the text fits the width in at most
        /// <paramref name="maxLines"/> lines. Text that does not fit even at the smallest size gets more lines,
        /// and a single word wider than the column gets a smaller size: nothing is ever cut.
        /// </summary>
        public Block Fit(string text, bool bold, double maxWidth, int maxLines, double maxPoints, double minPoints)
        {
            if (text.Length == 0)
            {
                return new Block([], PointsToMm(minPoints), bold);
            }

            string[] words = text.Split(' ');
            for (double points = maxPoints; points >= minPoints - 0.001; points -= 0.25)
            {
                double size = PointsToMm(points);
                List<string>? lines = Wrap(words, bold, size, maxWidth);
                if (lines is not null && lines.Count <= maxLines)
                {
                    return new Block(lines.Count == 2 ? Balance(words, bold, size, maxWidth) : lines, size, bold);
                }
            }

            double widest = words.Max(word => Width(word, bold, PointsToMm(minPoints)));
            double last = PointsToMm(minPoints) * Math.Min(1, maxWidth / widest);
            return new Block(Wrap(words, bold, last, maxWidth + 0.001) ?? [text], last, bold);
        }

        private double Width(string text, bool bold, double sizeMm)
        {
            return (bold ? _bold : _regular).MeasureText(text) * sizeMm / ReferenceSize;
        }

        private List<string>? Wrap(string[] words, bool bold, double sizeMm, double maxWidth)
        {
            var lines = new List<string>();
            string line = "";
            foreach (string word in words)
            {
                if (Width(word, bold, sizeMm) > maxWidth)
                {
                    return null;
                }

                string longer = line.Length == 0 ? word : $"{line} {word}";
                if (line.Length > 0 && Width(longer, bold, sizeMm) > maxWidth)
                {
                    lines.Add(line);
                    line = word;
                }
                else
                {
                    line = longer;
                }
            }

            lines.Add(line);
            return lines;
        }

        /// <summary>Two lines of similar length read better than a full line and a stray word.</summary>
        private List<string> Balance(string[] words, bool bold, double sizeMm, double maxWidth)
        {
            List<string> best = [];
            double bestWidth = double.MaxValue;
            for (int split = 1; split < words.Length; split++)
            {
                string first = string.Join(' ', words[..split]);
                string second = string.Join(' ', words[split..]);
                double wider = Math.Max(Width(first, bold, sizeMm), Width(second, bold, sizeMm));
                if (wider <= maxWidth && wider < bestWidth)
                {
                    best = [first, second];
                    bestWidth = wider;
                }
            }

            return best;
        }

        private static double PointsToMm(double points) => points / PointsPerMm;

        private static (double Ascent, double Descent) ReadMetrics()
        {
            using SKFont font = new(BadgeFonts.Regular, ReferenceSize);
            SKFontMetrics metrics = font.Metrics;
            return (-metrics.Ascent / ReferenceSize, metrics.Descent / ReferenceSize);
        }
    }
}

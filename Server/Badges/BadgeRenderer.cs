using System.Globalization;
using System.Text;
using System.Xml.Linq;
using PdfSharp;
using PdfSharp.Drawing;
using PdfSharp.Pdf;
using SkiaSharp;

namespace CongressVote.Server.Badges;

/// <summary>What one badge shows. <see cref="Kind"/> is "official", "alternate" or "guest".</summary>
public sealed record BadgeData(
    string CongressName, string FullName, string Delegation, string? Position, string Code, string Kind, string Url);

/// <summary>
/// Draws delegate badges, 90 × 60 mm, as PNG, SVG or an A4 sheet of eight for cutting. All three are drawn from
/// one layout measured with the embedded DejaVu Sans, so a badge looks the same in every format. This file draws the
/// formats; BadgeLayout.cs measures and places what a badge shows.
/// </summary>
public static partial class BadgeRenderer
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

    private static SKFont NewSkFont(SKTypeface typeface)
    {
        return new SKFont(typeface) { Subpixel = true, LinearMetrics = true, Hinting = SKFontHinting.None, Edging = SKFontEdging.Antialias };
    }

    private static SKColor SkColor(int rgb) => new((byte)(rgb >> 16), (byte)(rgb >> 8), (byte)rgb);

    private static XColor PdfColor(int rgb) => XColor.FromArgb((rgb >> 16) & 0xff, (rgb >> 8) & 0xff, rgb & 0xff);

    private static string SvgColor(int rgb) => $"#{rgb:x6}";

    private static string Number(double value) => value.ToString("0.###", CultureInfo.InvariantCulture);
}

using System.Text;
using PdfSharp.Drawing;
using QRCoder;
using SkiaSharp;

namespace CongressVote.Server.Badges;

/// <summary>
/// The one layout of a badge, in millimetres, that the PNG, the SVG and the PDF sheet all draw: the texts measured
/// with the embedded font and wrapped to their boxes, the coloured band of the delegate's kind, the QR symbol.
/// </summary>
public static partial class BadgeRenderer
{
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

using System.Diagnostics;
using System.Xml.Linq;
using SkiaSharp;
using ZXing;
using ZXing.Common;

namespace CongressVote.Tests.Infrastructure;

/// <summary>Reads QR codes back from images with ZXing, as a phone camera would.</summary>
public static class QrCodes
{
    /// <summary>
    /// The text of the QR code in a picture, read as a phone's scanner does: from several sizes of the same picture.
    /// ZXing misses about one valid symbol in a hundred or two at one given size (zbarimg reads those badges, and ZXing
    /// itself at another size), so one size alone made badge tests fail now and then on a badge that scans.
    /// </summary>
    public static string? Read(byte[] png)
    {
        using var bitmap = SKBitmap.Decode(png);
        using var rgba = bitmap.Copy(SKColorType.Rgba8888);
        var reader = new BarcodeReaderGeneric { Options = new DecodingOptions { PossibleFormats = [BarcodeFormat.QR_CODE], TryHarder = true } };
        foreach (float scale in s_scales)
        {
            using var sized = scale == 1 ? rgba.Copy() : rgba.Resize(
                new SKImageInfo((int)(rgba.Width * scale), (int)(rgba.Height * scale), SKColorType.Rgba8888), new SKSamplingOptions(SKFilterMode.Linear));
            var source = new RGBLuminanceSource(sized.Bytes, sized.Width, sized.Height, RGBLuminanceSource.BitmapFormat.RGBA32);
            if (reader.Decode(source)?.Text is { } text)
            {
                return text;
            }
        }

        return null;
    }

    private static readonly float[] s_scales = [1f, 0.75f, 0.6f, 0.5f];

    /// <summary>The QR code of an SVG badge: its one path (in millimetres) drawn black on white at 12 pixels a millimetre.</summary>
    public static string? ReadSvg(string svg)
    {
        XNamespace ns = "http://www.w3.org/2000/svg";
        string data = XDocument.Parse(svg).Descendants(ns + "path").Single(p => (string?)p.Attribute("class") == "qr").Attribute("d")!.Value;
        using var path = SKPath.ParseSvgPathData(data);
        var bounds = path.Bounds;
        const float scale = 12;
        const int margin = 60;
        using var surface = SKSurface.Create(new SKImageInfo((int)(bounds.Width * scale) + 2 * margin, (int)(bounds.Height * scale) + 2 * margin));
        surface.Canvas.Clear(SKColors.White);
        surface.Canvas.Translate(margin - bounds.Left * scale, margin - bounds.Top * scale);
        surface.Canvas.Scale(scale);
        using var paint = new SKPaint { Color = SKColors.Black, IsAntialias = false };
        surface.Canvas.DrawPath(path, paint);
        using var image = surface.Snapshot();
        using var png = image.Encode(SKEncodedImageFormat.Png, 100);
        return Read(png.ToArray());
    }

    /// <summary>The QR code on the first page of a one-badge PDF sheet, as poppler prints it at 200 dpi.</summary>
    public static string? ReadPdf(byte[] pdf)
    {
        string folder = Path.Combine(Path.GetTempPath(), $"congressvote-qr-{Guid.NewGuid():N}");
        Directory.CreateDirectory(folder);
        try
        {
            File.WriteAllBytes(Path.Combine(folder, "sheet.pdf"), pdf);
            var start = new ProcessStartInfo("/usr/bin/pdftoppm") { UseShellExecute = false, RedirectStandardError = true };
            foreach (string argument in new[] { "-r", "200", "-f", "1", "-l", "1", "-png", "-singlefile", Path.Combine(folder, "sheet.pdf"), Path.Combine(folder, "page") })
            {
                start.ArgumentList.Add(argument);
            }

            using (var process = Process.Start(start) ?? throw new InvalidOperationException("pdftoppm did not start."))
            {
                process.StandardError.ReadToEnd();
                process.WaitForExit();
            }

            return Read(File.ReadAllBytes(Path.Combine(folder, "page.png")));
        }
        finally
        {
            Directory.Delete(folder, recursive: true);
        }
    }
}

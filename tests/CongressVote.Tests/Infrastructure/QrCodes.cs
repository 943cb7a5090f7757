using SkiaSharp;
using ZXing;
using ZXing.Common;

namespace CongressVote.Tests.Infrastructure;

/// <summary>Reads QR codes back from images with ZXing, as a phone camera would.</summary>
public static class QrCodes
{
    public static string? Read(byte[] png)
    {
        using var bitmap = SKBitmap.Decode(png);
        using var rgba = bitmap.Copy(SKColorType.Rgba8888);
        var source = new RGBLuminanceSource(rgba.Bytes, rgba.Width, rgba.Height, RGBLuminanceSource.BitmapFormat.RGBA32);
        var reader = new BarcodeReaderGeneric { Options = new DecodingOptions { PossibleFormats = [BarcodeFormat.QR_CODE], TryHarder = true } };
        return reader.Decode(source)?.Text;
    }
}

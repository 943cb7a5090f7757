using PdfSharp.Fonts;
using SkiaSharp;

namespace CongressVote.Server.Badges;

/// <summary>
/// The DejaVu Sans faces embedded in the server assembly, for SkiaSharp and PDFsharp alike. Badges never
/// touch system fonts: the server may run on a machine that has none, and a badge must look the same
/// wherever it is printed.
/// </summary>
public static class BadgeFonts
{
    public const string FamilyName = "DejaVu Sans";

    private const string RegularFace = "DejaVuSans";
    private const string BoldFace = "DejaVuSans-Bold";

    private static readonly Lazy<byte[]> s_regularBytes = new(() => Load(RegularFace));
    private static readonly Lazy<byte[]> s_boldBytes = new(() => Load(BoldFace));
    private static readonly Lazy<SKTypeface> s_regularTypeface = new(() => Typeface(s_regularBytes.Value, RegularFace));
    private static readonly Lazy<SKTypeface> s_boldTypeface = new(() => Typeface(s_boldBytes.Value, BoldFace));
    private static readonly EmbeddedFontResolver s_resolver = new();
    private static readonly Lock s_resolverLock = new();

    /// <summary>
    /// The resolver PDFsharp needs in this process. Program start-up may set it on
    /// <see cref="GlobalFontSettings.FontResolver"/> itself when other PDF code runs before the first badge sheet.
    /// </summary>
    public static IFontResolver PdfFontResolver => s_resolver;

    internal static SKTypeface Regular => s_regularTypeface.Value;

    internal static SKTypeface Bold => s_boldTypeface.Value;

    /// <summary>
    /// PDFsharp keeps one font resolver per process, which may be set only once and before any font is used;
    /// requests for badge sheets can arrive on many threads at once, so the first one sets it under a lock.
    /// A resolver set by other code is kept if it can also resolve DejaVu Sans.
    /// </summary>
    public static void EnsurePdfFontResolver()
    {
        if (ReferenceEquals(GlobalFontSettings.FontResolver, s_resolver))
        {
            return;
        }

        lock (s_resolverLock)
        {
            IFontResolver? current = GlobalFontSettings.FontResolver;
            if (current is null)
            {
                GlobalFontSettings.FontResolver = s_resolver;
            }
            else if (!ReferenceEquals(current, s_resolver) && current.ResolveTypeface(FamilyName, true, false) is null)
            {
                throw new InvalidOperationException(
                    $"GlobalFontSettings.FontResolver is already set to {current.GetType().FullName}, which does not resolve "
                    + $"'{FamilyName}'. Set it to {nameof(BadgeFonts)}.{nameof(PdfFontResolver)} instead, or make it delegate to that resolver.");
            }
        }
    }

    private static byte[] Load(string face)
    {
        string name = $"fonts/{face}.ttf";
        using Stream stream = typeof(BadgeFonts).Assembly.GetManifestResourceStream(name)
            ?? throw new InvalidOperationException($"The embedded font resource '{name}' is missing from {typeof(BadgeFonts).Assembly.GetName().Name}.");
        using var copy = new MemoryStream();
        stream.CopyTo(copy);
        return copy.ToArray();
    }

    private static SKTypeface Typeface(byte[] bytes, string face)
    {
        using SKData data = SKData.CreateCopy(bytes);
        return SKTypeface.FromData(data) ?? throw new InvalidOperationException($"SkiaSharp could not read the embedded font {face}.");
    }

    /// <summary>
    /// Every family resolves to DejaVu Sans because it is the only font shipped; that keeps any other PDF code
    /// in the process from failing on a machine without system fonts. DejaVu has no italic here, so italic is simulated.
    /// </summary>
    private sealed class EmbeddedFontResolver : IFontResolver
    {
        public FontResolverInfo ResolveTypeface(string familyName, bool isBold, bool isItalic)
        {
            return new FontResolverInfo(isBold ? BoldFace : RegularFace, mustSimulateBold: false, mustSimulateItalic: isItalic);
        }

        public byte[]? GetFont(string faceName)
        {
            return faceName switch
            {
                RegularFace => s_regularBytes.Value,
                BoldFace => s_boldBytes.Value,
                _ => null,
            };
        }
    }
}

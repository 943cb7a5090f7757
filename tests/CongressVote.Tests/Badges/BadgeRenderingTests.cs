using System.Buffers.Text;
using System.Diagnostics;
using System.Security.Cryptography;
using System.Text;
using System.Xml.Linq;
using CongressVote.Server.Badges;
using NUnit.Framework.Constraints;
using PdfSharp.Pdf;
using PdfSharp.Pdf.IO;
using SkiaSharp;
using ZXing;
using ZXing.Common;
using ZXing.Multi;
using ZXing.QrCode;

namespace CongressVote.Tests.Badges;

/// <summary>
/// Badges are checked the way they are used: the QR codes are read back by a decoder from the pixels, and the
/// PDF is read by poppler (pdftotext, pdftoppm), not by the library that wrote it.
/// </summary>
public sealed class BadgeRenderingTests
{
    private const string Congress = "Đại hội đại biểu toàn quốc lần thứ XIV Công đoàn Việt Nam, nhiệm kỳ 2028–2033";
    private const string LongName = "Nguyễn Thị Phương Hoàng Quỳnh Anh";
    private const int DelegateCount = 363;

    private static readonly XNamespace s_svg = "http://www.w3.org/2000/svg";

    // As some keyboards and spreadsheet exports deliver it: base letters followed by combining marks.
    private static readonly string s_decomposedName = "Trần Thị Thu Hằng".Normalize(NormalizationForm.FormD);

    private static readonly string[] s_familyNames =
        ["Nguyễn", "Trần", "Lê", "Phạm", "Hoàng", "Huỳnh", "Phan", "Vũ", "Võ", "Đặng", "Bùi", "Đỗ", "Hồ", "Ngô", "Dương", "Lý"];

    private static readonly string[] s_middleNames = ["Văn", "Thị", "Hữu", "Đức", "Minh", "Thanh", "Quốc", "Ngọc", "Xuân", "Thu", "Thế"];

    private static readonly string[] s_givenNames =
        ["Anh", "Bảo", "Cường", "Dũng", "Giang", "Hằng", "Hiếu", "Hương", "Khánh", "Linh", "Lộc", "Mỹ", "Nghĩa", "Phúc",
         "Quyên", "Sơn", "Tâm", "Thảo", "Tuấn", "Vy", "Yến", "Ẩn", "Tố", "Mẫn", "Nhật", "Dưỡng", "Hiển"];

    private static readonly string[] s_delegations =
        ["Đoàn đại biểu Thành phố Hà Nội", "Đoàn đại biểu Thành phố Hồ Chí Minh", "Đoàn đại biểu tỉnh Thừa Thiên Huế",
         "Đoàn đại biểu tỉnh Đắk Lắk", "Đoàn đại biểu tỉnh Bà Rịa – Vũng Tàu", "Đoàn Khối Doanh nghiệp Trung ương"];

    private static readonly string?[] s_positions =
        ["Chủ tịch Công đoàn cơ sở", null, "Phó Chủ tịch Liên đoàn Lao động tỉnh", "Công nhân kỹ thuật", "Trưởng ban Tuyên giáo"];

    // The first and the decomposed name, and others spread over the sheet up to the last page.
    private static readonly int[] s_sampledDelegates = [0, 1, 2, 57, 180, 362];

    private static readonly DecodingOptions s_qrOnly = new()
    {
        PossibleFormats = [BarcodeFormat.QR_CODE],
        TryHarder = true,
    };

    private List<BadgeData> _delegates = [];
    private string _folder = "";
    private string _sheetPath = "";

    [OneTimeSetUp]
    public void Make_the_sheet_for_the_whole_congress()
    {
        _delegates = Delegates(DelegateCount);
        _folder = Path.Combine(Path.GetTempPath(), $"congressvote-badges-{Guid.NewGuid():N}");
        Directory.CreateDirectory(_folder);
        _sheetPath = Path.Combine(_folder, "sheet.pdf");
        File.WriteAllBytes(_sheetPath, BadgeRenderer.PdfSheet(_delegates));
    }

    [OneTimeTearDown]
    public void Remove_the_files()
    {
        if (Directory.Exists(_folder))
        {
            Directory.Delete(_folder, recursive: true);
        }
    }

    [Test]
    public void A_PNG_badge_decodes_back_to_the_delegates_URL()
    {
        BadgeData badge = _delegates[0];

        using SKBitmap bitmap = SKBitmap.Decode(BadgeRenderer.Png(badge));
        Result? result = new BarcodeReaderGeneric { AutoRotate = false, Options = s_qrOnly }.Decode(Luminance(bitmap));

        Assert.That(result?.Text, Is.EqualTo(badge.Url));
    }

    [Test]
    public void A_PNG_badge_is_90_by_60_mm_at_300_dpi()
    {
        using SKBitmap bitmap = SKBitmap.Decode(BadgeRenderer.Png(_delegates[1]));

        Assert.Multiple(() =>
        {
            Assert.That(bitmap.Width, Is.EqualTo(1063));
            Assert.That(bitmap.Height, Is.EqualTo(709));
        });
    }

    [Test]
    public void An_SVG_badge_is_well_formed_and_carries_the_name_in_NFC_and_the_code()
    {
        BadgeData badge = _delegates[1];
        Assert.That(badge.FullName.IsNormalized(NormalizationForm.FormC), Is.False, "the test name must arrive decomposed");

        string svg = BadgeRenderer.Svg(badge);
        XDocument document = XDocument.Parse(svg);
        string composedName = badge.FullName.Normalize(NormalizationForm.FormC);

        Assert.Multiple(() =>
        {
            Assert.That(document.Root?.Name, Is.EqualTo(s_svg + "svg"));
            Assert.That(TextOf(document, "name"), Is.EqualTo(composedName));
            Assert.That(svg, ContainsExactly(composedName));
            Assert.That(svg, Is.Not.Append(ContainsExactly(badge.FullName)), "decomposed marks must not reach the drawing");
            Assert.That(TextOf(document, "code"), Is.EqualTo("Số / No. DB0002"));
            Assert.That(document.Root?.Attribute("font-family")?.Value, Does.StartWith("'DejaVu Sans'").And.EndWith("sans-serif"));
            Assert.That(document.Descendants(s_svg + "path").Single().Attribute("d")?.Value, Does.StartWith("M"));
        });
    }

    [Test]
    public void A_long_name_is_shrunk_onto_at_most_two_lines_and_never_cut()
    {
        XDocument document = XDocument.Parse(BadgeRenderer.Svg(_delegates[0]));
        List<XElement> lines = document.Descendants(s_svg + "text").Where(text => (string?)text.Attribute("class") == "name").ToList();

        Assert.Multiple(() =>
        {
            Assert.That(lines, Has.Count.InRange(1, 2));
            Assert.That(string.Join(' ', lines.Select(line => line.Value)), Is.EqualTo(LongName));
        });
    }

    [TestCase("Tôn Nữ Thị Phương Hoàng Quỳnh Anh Ngọc Bích Thủy Tiên Huyền Trân Bảo Châu")]
    [TestCase("Nguyễn-Trần-Phạm-Hoàng-Huỳnh-Phan-Vũ-Võ-Đặng Thị Quỳnh")]
    public void An_absurdly_long_name_is_still_printed_whole(string fullName)
    {
        XDocument document = XDocument.Parse(BadgeRenderer.Svg(_delegates[5] with { FullName = fullName }));

        Assert.That(TextOf(document, "name"), Is.EqualTo(fullName));
    }

    [TestCase("official", "ĐẠI BIỂU CHÍNH THỨC · OFFICIAL DELEGATE", "#b3141b")]
    [TestCase("alternate", "ĐẠI BIỂU DỰ KHUYẾT · ALTERNATE DELEGATE", "#1d4ed8")]
    [TestCase("guest", "KHÁCH MỜI · GUEST", "#15803d")]
    public void Each_kind_of_delegate_gets_its_own_colour_and_bilingual_label(string kind, string label, string colour)
    {
        XDocument document = XDocument.Parse(BadgeRenderer.Svg(_delegates[2] with { Kind = kind }));
        IEnumerable<string?> fills = document.Descendants(s_svg + "rect").Select(rect => (string?)rect.Attribute("fill"));

        Assert.Multiple(() =>
        {
            Assert.That(TextOf(document, "kind"), Is.EqualTo(label));
            Assert.That(fills, Does.Contain(colour));
        });
    }

    [Test]
    public void An_unknown_kind_of_delegate_is_refused()
    {
        BadgeData badge = _delegates[3] with { Kind = "observer" };

        Assert.That(() => BadgeRenderer.Png(badge), Throws.ArgumentException.With.Message.Contains("observer"));
    }

    [Test]
    public void A_sheet_of_363_badges_has_46_A4_pages()
    {
        using PdfDocument document = PdfReader.Open(_sheetPath, PdfDocumentOpenMode.Import);

        Assert.Multiple(() =>
        {
            Assert.That(document.PageCount, Is.EqualTo(46));
            Assert.That(document.Pages[0].Width.Millimeter, Is.EqualTo(210).Within(0.5));
            Assert.That(document.Pages[0].Height.Millimeter, Is.EqualTo(297).Within(0.5));
        });
    }

    [Test]
    public void The_sheet_carries_the_names_as_text_with_their_diacritics()
    {
        string textPath = Path.Combine(_folder, "sheet.txt");
        Poppler("pdftotext", "-raw", "-enc", "UTF-8", _sheetPath, textPath);

        // Content order keeps a name's two lines together; joining the lines makes the name whole again.
        string text = string.Join(' ', File.ReadAllText(textPath, Encoding.UTF8)
            .Normalize(NormalizationForm.FormC)
            .Split((char[])[' ', '\n', '\r', '\f'], StringSplitOptions.RemoveEmptyEntries));
        string[] names = [.. s_sampledDelegates.Select(i => _delegates[i].FullName.Normalize(NormalizationForm.FormC))];

        Assert.Multiple(() =>
        {
            foreach (string name in names)
            {
                Assert.That(text, ContainsExactly(name));
            }

            Assert.That(text, ContainsExactly("ĐẠI BIỂU CHÍNH THỨC · OFFICIAL DELEGATE"));
            Assert.That(text, ContainsExactly("Số / No. DB0363"));
        });
    }

    [Test]
    public void The_QR_codes_on_the_printed_first_page_decode_to_their_URLs()
    {
        string prefix = Path.Combine(_folder, "page1");
        Poppler("pdftoppm", "-r", "200", "-f", "1", "-l", "1", "-png", "-singlefile", _sheetPath, prefix);

        using SKBitmap page = SKBitmap.Decode($"{prefix}.png");
        var reader = new GenericMultipleBarcodeReader(new QRCodeReader());
        var hints = new Dictionary<DecodeHintType, object>
        {
            [DecodeHintType.TRY_HARDER] = true,
            [DecodeHintType.POSSIBLE_FORMATS] = new List<BarcodeFormat> { BarcodeFormat.QR_CODE },
        };
        Result[]? results = reader.decodeMultiple(new BinaryBitmap(new HybridBinarizer(Luminance(page))), hints);
        string[] urls = [.. (results ?? []).Select(result => result.Text)];

        Assert.Multiple(() =>
        {
            Assert.That(urls, Does.Contain(_delegates[0].Url));
            Assert.That(urls, Is.EquivalentTo(_delegates.Take(BadgeRenderer.BadgesPerPage).Select(badge => badge.Url)));
        });
    }

    [TestCase("ố", "ô", "o")]
    [TestCase("ễ", "ê", "e")]
    [TestCase("ầ", "â", "a")]
    [TestCase("Ể", "Ê", "E")]
    public void Stacked_Vietnamese_marks_are_printed_in_the_PDF(string stacked, string oneMark, string bare)
    {
        // The three letters have the same width, so the sheets differ only in the marks: a font subset that
        // lost a mark prints the stacked letter like one of the other two (PDFsharp 6.2's subsetter does).
        string printed = PrintedName($"T{stacked}");

        Assert.Multiple(() =>
        {
            Assert.That(printed, Is.Not.EqualTo(PrintedName($"T{oneMark}")), $"{stacked} printed as {oneMark}");
            Assert.That(printed, Is.Not.EqualTo(PrintedName($"T{bare}")), $"{stacked} printed as {bare}");
        });
    }

    [Test]
    public void Sheets_can_be_made_on_several_threads_at_once()
    {
        byte[][] sheets = new byte[6][];

        Parallel.For(0, sheets.Length, i => sheets[i] = BadgeRenderer.PdfSheet(_delegates.Skip(i * 10).Take(9 + i).ToList()));

        Assert.Multiple(() =>
        {
            for (int i = 0; i < sheets.Length; i++)
            {
                using var stream = new MemoryStream(sheets[i]);
                using PdfDocument document = PdfReader.Open(stream, PdfDocumentOpenMode.Import);
                Assert.That(document.PageCount, Is.EqualTo(2), $"sheet {i}");
            }
        });
    }

    [Test]
    public void An_empty_sheet_is_refused()
    {
        Assert.That(() => BadgeRenderer.PdfSheet([]), Throws.ArgumentException);
    }

    private static List<BadgeData> Delegates(int count)
    {
        var delegates = new List<BadgeData>(count);
        for (int i = 0; i < count; i++)
        {
            string name = i switch
            {
                0 => LongName,
                1 => s_decomposedName,
                _ => $"{s_familyNames[i % s_familyNames.Length]} {s_middleNames[i / 3 % s_middleNames.Length]} {s_givenNames[i * 7 % s_givenNames.Length]}",
            };
            string kind = i switch
            {
                < 330 => "official",
                < 350 => "alternate",
                _ => "guest",
            };

            // 128 bits as 22 base64url characters, like BadgeTokens, but fixed so failures can be reproduced.
            string token = Base64Url.EncodeToString(SHA256.HashData(Encoding.UTF8.GetBytes($"badge {i}")).AsSpan(0, 16));
            delegates.Add(new BadgeData(
                Congress, name, s_delegations[i % s_delegations.Length], s_positions[i % s_positions.Length],
                $"DB{i + 1:0000}", kind, $"http://192.168.1.10:5000/t/{token}"));
        }

        return delegates;
    }

    /// <summary>
    /// Ordinal, because NUnit's default culture-aware comparison finds a decomposed "ằ" in a composed one and
    /// would hide the very difference these tests look for.
    /// </summary>
    private static SubstringConstraint ContainsExactly(string expected)
    {
        return new SubstringConstraint(expected).Using(StringComparison.Ordinal);
    }

    private static string TextOf(XDocument svg, string role)
    {
        return string.Join(' ', svg.Descendants(s_svg + "text").Where(text => (string?)text.Attribute("class") == role).Select(text => text.Value));
    }

    private static RGBLuminanceSource Luminance(SKBitmap bitmap)
    {
        using SKBitmap rgba = bitmap.Copy(SKColorType.Rgba8888);
        return new RGBLuminanceSource(rgba.Bytes, rgba.Width, rgba.Height, RGBLuminanceSource.BitmapFormat.RGBA32);
    }

    /// <summary>A fingerprint of the first page of a one-badge sheet as poppler prints it.</summary>
    private string PrintedName(string fullName)
    {
        string name = Guid.NewGuid().ToString("N");
        string pdfPath = Path.Combine(_folder, $"{name}.pdf");
        string prefix = Path.Combine(_folder, name);
        File.WriteAllBytes(pdfPath, BadgeRenderer.PdfSheet([_delegates[4] with { FullName = fullName }]));
        Poppler("pdftoppm", "-r", "100", "-f", "1", "-l", "1", "-png", "-singlefile", pdfPath, prefix);
        return Convert.ToHexString(SHA256.HashData(File.ReadAllBytes($"{prefix}.png")));
    }

    private static void Poppler(string tool, params string[] arguments)
    {
        string path = $"/usr/bin/{tool}";
        if (!File.Exists(path))
        {
            Assert.Fail($"{path} is missing; install it with: apt-get install poppler-utils");
        }

        var start = new ProcessStartInfo(path) { RedirectStandardError = true, UseShellExecute = false };
        foreach (string argument in arguments)
        {
            start.ArgumentList.Add(argument);
        }

        using Process process = Process.Start(start) ?? throw new InvalidOperationException($"{tool} did not start.");
        string errors = process.StandardError.ReadToEnd();
        if (!process.WaitForExit(TimeSpan.FromMinutes(2)))
        {
            process.Kill();
            Assert.Fail($"{tool} did not finish within two minutes.");
        }

        Assert.That(process.ExitCode, Is.Zero, $"{tool} failed: {errors}");
    }
}

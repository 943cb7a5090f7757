using System.Globalization;

namespace CongressVote.Shared;

/// <summary>
/// The Vietnamese order of names: by given name (the last word), then the rest, with Vietnamese collation
/// (An &lt; Anh &lt; Ánh &lt; Ân; D &lt; Đ). Ordinal order would put "Ánh" after "Yến".
/// </summary>
public sealed class VietnameseOrder : IComparer<string>
{
    private static readonly StringComparer s_collation = StringComparer.Create(CultureInfo.GetCultureInfo("vi-VN"), ignoreCase: false);

    public static VietnameseOrder Names { get; } = new();

    public static StringComparer Collation => s_collation;

    public int Compare(string? x, string? y)
    {
        if (ReferenceEquals(x, y))
        {
            return 0;
        }

        if (x is null || y is null)
        {
            return x is null ? -1 : 1;
        }

        int byGivenName = s_collation.Compare(GivenName(x), GivenName(y));
        return byGivenName != 0 ? byGivenName : s_collation.Compare(x, y);
    }

    public static string GivenName(string fullName)
    {
        ArgumentNullException.ThrowIfNull(fullName);
        string trimmed = fullName.Trim();
        int space = trimmed.LastIndexOf(' ');
        return space < 0 ? trimmed : trimmed[(space + 1)..];
    }
}

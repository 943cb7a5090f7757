using System.Globalization;
using CongressVote.Shared;

namespace CongressVote.Client;

public static class Languages
{
    public const string Vietnamese = "vi";
    public const string English = "en";

    public static bool IsVietnamese => RuleWording.IsVietnamese(CultureInfo.CurrentUICulture);

    /// <summary>
    /// The culture the app speaks and formats with: the neutral language ("vi" or "en"), whose name also picks the
    /// resource satellite. The browser app ships without ICU data, so a culture arrives with invariant formats; the
    /// two things the app shows that differ by language are set here: "93,9%" and "1.234" in Vietnamese, "93.9%" and
    /// "1,234" in English. Dates and times use explicit patterns ("HH:mm, dd/MM/yyyy").
    /// </summary>
    public static CultureInfo Culture(string? language)
    {
        var culture = new CultureInfo(language == English ? English : Vietnamese);
        if (culture.Name == Vietnamese && culture.NumberFormat.NumberDecimalSeparator == ".")
        {
            var numbers = culture.NumberFormat;
            numbers.NumberDecimalSeparator = numbers.PercentDecimalSeparator = numbers.CurrencyDecimalSeparator = ",";
            numbers.NumberGroupSeparator = numbers.PercentGroupSeparator = numbers.CurrencyGroupSeparator = ".";
        }

        return CultureInfo.ReadOnly(culture);
    }
}

namespace CongressVote.Client;

public static class Languages
{
    public const string Vietnamese = "vi";
    public const string English = "en";

    public static string CultureFor(string? language) => language == English ? "en-GB" : "vi-VN";

    public static bool IsVietnamese => System.Globalization.CultureInfo.CurrentUICulture.TwoLetterISOLanguageName == Vietnamese;
}

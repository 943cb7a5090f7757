using System.Globalization;
using CongressVote.Client.Services;

namespace CongressVote.Client;

/// <summary>
/// A sentence about a count in the right number: English nouns change with it ("1 row", "3 rows"), Vietnamese ones
/// do not. When the count is 1 the sentence is read from its "_One" text, which only English has; other languages
/// fall back to the plain text.
/// </summary>
public static class Counted
{
    public static string Format(Texts localizer, string key, long count, params object[] more)
    {
        ArgumentNullException.ThrowIfNull(localizer);
        var one = count == 1 ? localizer[key + "_One"] : default;
        string text = count == 1 && !one.ResourceNotFound ? one.Value : localizer[key].Value;
        return string.Format(CultureInfo.CurrentCulture, text, [count, .. more]);
    }
}

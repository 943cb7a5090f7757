using CongressVote.Shared;

namespace CongressVote.Client.Services;

/// <summary>Turns server codes and statuses into sentences in the reader's language.</summary>
public static class Messages
{
    public static string ForError(Texts localizer, ApiError error)
    {
        ArgumentNullException.ThrowIfNull(localizer);
        ArgumentNullException.ThrowIfNull(error);
        if (error.Code.StartsWith("import_", StringComparison.Ordinal))
        {
            // A form refused by the import's row rules: the same sentence the import report uses.
            // The detail is "Column" or "Column: value".
            int colon = error.Detail.IndexOf(": ", StringComparison.Ordinal);
            string column = colon < 0 ? error.Detail : error.Detail[..colon];
            if (ForImportProblem(localizer, error.Code["import_".Length..], colon < 0 ? null : error.Detail[(colon + 2)..]) is { } sentence)
            {
                return $"{column}: {sentence}";
            }
        }

        var text = localizer["Error_" + error.Code];
        // An unknown code still says something true: the server's own words.
        if (text.ResourceNotFound)
        {
            return $"{localizer["Error_server_error"]} ({error.Detail})";
        }

        return error.Args is { Length: > 0 } args ? string.Format(System.Globalization.CultureInfo.CurrentCulture, text.Value, args) : text.Value;
    }

    /// <summary>A problem in an imported row as a sentence, or null when the code is not one of the import's own.</summary>
    public static string? ForImportProblem(Texts localizer, string code, string? value)
    {
        ArgumentNullException.ThrowIfNull(localizer);
        var rule = localizer["Import_" + code];
        // A control character's value is "U+0007;12": the code point and its position, two parts of the sentence.
        int semicolon = code == "control_characters" ? value?.IndexOf(';', StringComparison.Ordinal) ?? -1 : -1;
        return rule.ResourceNotFound ? null : semicolon < 0
            ? string.Format(System.Globalization.CultureInfo.CurrentCulture, rule.Value, value ?? "", "")
            : string.Format(System.Globalization.CultureInfo.CurrentCulture, rule.Value, value![..semicolon], value[(semicolon + 1)..]);
    }

    public static string ForCast(Texts localizer, CastStatus status)
    {
        ArgumentNullException.ThrowIfNull(localizer);
        return localizer["Cast_" + status];
    }

    public static string ForChoice(Texts localizer, VoteChoice choice)
    {
        ArgumentNullException.ThrowIfNull(localizer);
        return localizer["Choice_" + choice];
    }

    public static string ForState(Texts localizer, PollState state)
    {
        ArgumentNullException.ThrowIfNull(localizer);
        return localizer["State_" + state];
    }

    public static string Percent(int part, int whole) =>
        whole == 0 ? "0%" : (100.0 * part / whole).ToString("0.0", System.Globalization.CultureInfo.CurrentCulture) + "%";
}

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
            var rule = localizer["Import_" + error.Code["import_".Length..]];
            if (!rule.ResourceNotFound)
            {
                return $"{error.Detail}: {string.Format(System.Globalization.CultureInfo.CurrentCulture, rule.Value, "")}";
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

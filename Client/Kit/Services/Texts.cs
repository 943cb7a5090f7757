using System.Globalization;
using System.Resources;

namespace CongressVote.Client.Services;

/// <summary>One interface string in the reader's language; a missing key says so instead of failing.</summary>
public readonly record struct Text(string Value, bool ResourceNotFound)
{
    public static implicit operator string(Text text) => text.Value;

    public override string ToString() => Value;
}

/// <summary>
/// The interface strings (Resources/Strings.resx in Vietnamese, Strings.en.resx in English), read for the current
/// UI culture. A plain ResourceManager: the localization package would add its weight to every tablet's download.
/// </summary>
public sealed class Texts
{
    private static readonly ResourceManager s_resources = new("CongressVote.Client.Resources.Strings", typeof(Texts).Assembly);

    public Text this[string name] => s_resources.GetString(name, CultureInfo.CurrentUICulture) is { } value
        ? new Text(value, ResourceNotFound: false)
        : new Text(name, ResourceNotFound: true);
}

using System.Globalization;

namespace CongressVote.Server.Documents;

/// <summary>
/// The document's language: Vietnamese (the original) or English (the same content). Each document writes both
/// phrasings side by side, <c>T("Vắng mặt", "Absent")</c>, so a figure can never be in one and not the other.
/// </summary>
public sealed class DocumentText(bool vietnamese)
{
    public bool Vietnamese { get; } = vietnamese;

    public CultureInfo Culture { get; } = CultureInfo.GetCultureInfo(vietnamese ? "vi-VN" : "en-GB");

    public static DocumentText For(string? language) => new(!string.Equals(language, "en", StringComparison.OrdinalIgnoreCase));

    public string Language => Vietnamese ? "vi" : "en";

    public string T(string vi, string en) => Vietnamese ? vi : en;

    public string Number(int value) => value.ToString("N0", Culture);

    /// <summary>An English count with its noun in the right number ("1 seat", "2 seats"); Vietnamese nouns do not change.</summary>
    public string Count(int value, string one, string many) => $"{Number(value)} {(value == 1 ? one : many)}";

    /// <summary>A share as the record writes it: one decimal, the culture's separator ("93,9%" or "93.9%").</summary>
    public string Percent(int part, int whole) => whole == 0 ? "–" : (100m * part / whole).ToString("0.0", Culture) + "%";

    /// <summary>"ngày 02 tháng 12 năm 2026" / "2 December 2026".</summary>
    public string Date(DateOnly date) => Vietnamese
        ? $"ngày {date.Day:00} tháng {date.Month:00} năm {date.Year}"
        : date.ToString("d MMMM yyyy", Culture);

    /// <summary>A moment in the hall's time: "08 giờ 15 phút, ngày 02/12/2026" / "08:15 on 2 December 2026".</summary>
    public string Moment(DateTimeOffset at) => Vietnamese
        ? $"{at.Hour:00} giờ {at.Minute:00} phút, ngày {at:dd/MM/yyyy}"
        : $"{at:HH:mm} on {at.ToString("d MMMM yyyy", Culture)}";
}

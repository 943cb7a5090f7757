using System.Globalization;

namespace CongressVote.Shared;

/// <summary>What a rule's fraction is taken of (docs/architecture.md §3).</summary>
public enum RuleBase
{
    /// <summary>Delegates entitled to vote (summoned), excused delegates excluded where the preset says so.</summary>
    Summoned,
    /// <summary>Entitled delegates present when the poll closed.</summary>
    Present,
    /// <summary>Ballots cast, abstentions included.</summary>
    Cast,
    /// <summary>Yes plus no votes.</summary>
    YesPlusNo,
    /// <summary>Valid ballots (elections).</summary>
    ValidBallots,
}

/// <summary>
/// A majority rule as data: votes must be more than (or at least) Numerator/Denominator of a base, plus a constant.
/// Arithmetic is exact in integers, so 181.5 of 363 is never rounded the wrong way.
/// </summary>
public sealed record MajorityRule(int Numerator, int Denominator, bool Strict, RuleBase Base, int Constant = 0)
{
    /// <summary>The default of army mass organisations, the Trade Union and the Youth Union for decisions.</summary>
    public static MajorityRule MoreThanHalfOfSummoned { get; } = new(1, 2, Strict: true, RuleBase.Summoned);

    public decimal Required(int baseCount) => (decimal)baseCount * Numerator / Denominator + Constant;

    public bool IsMet(int votes, int baseCount)
    {
        // votes > base * p / q + c  <=>  votes * q > base * p + c * q   (q > 0)
        long left = (long)votes * Denominator;
        long right = ((long)baseCount * Numerator) + ((long)Constant * Denominator);
        return Strict ? left > right : left >= right;
    }

    public int BaseCount(PollFigures figures)
    {
        ArgumentNullException.ThrowIfNull(figures);
        return Base switch
        {
            RuleBase.Summoned => figures.Entitled,
            RuleBase.Present => figures.Present,
            RuleBase.Cast => figures.Yes + figures.No + figures.Abstain,
            RuleBase.YesPlusNo => figures.Yes + figures.No,
            RuleBase.ValidBallots => figures.Yes + figures.No + figures.Abstain,
            _ => throw new ArgumentOutOfRangeException(nameof(figures), Base, "Unknown rule base."),
        };
    }

    /// <summary>
    /// Applies the rule to a motion's yes votes. With a quorum rule, a vote closed without the quorum present
    /// is void (no quorum) whatever its count. A failed motion is reported as a tie only when the tie decided it:
    /// one delegate moving from no to yes would have carried it. One yes and one no of 363 summoned is no tie verdict.
    /// </summary>
    public PollResultDto Decide(PollFigures figures, MajorityRule? quorum = null)
    {
        ArgumentNullException.ThrowIfNull(figures);
        int baseCount = BaseCount(figures);
        bool quorumMet = quorum is null || quorum.IsMet(figures.Present, figures.Entitled);
        bool passed = quorumMet && IsMet(figures.Yes, baseCount);
        // A vote moving from no to yes leaves every base as it is.
        bool tieDecided = quorumMet && !passed && figures.Yes == figures.No && figures.No > 0 && IsMet(figures.Yes + 1, baseCount);
        var verdict = !quorumMet ? Verdict.NoQuorum : passed ? Verdict.Passed : tieDecided ? Verdict.Tie : Verdict.Failed;
        return new PollResultDto(
            figures.Yes,
            figures.No,
            figures.Abstain,
            figures.Entitled,
            figures.Present,
            Passed: passed,
            Base,
            baseCount,
            Required(baseCount),
            Strict,
            verdict);
    }
}

/// <summary>The counts a motion's rule is applied to, read from the database at close.</summary>
public sealed record PollFigures(int Yes, int No, int Abstain, int Entitled, int Present);

/// <summary>
/// The result in words, as the hall reads it: "Adopted: 341 yes of 363 summoned (93.9%); required more than 181.5".
/// Kept with the rule so the projector, the console and the minutes say the same thing.
/// </summary>
public static class RuleWording
{
    public static string Describe(PollResultDto result, CultureInfo culture)
    {
        ArgumentNullException.ThrowIfNull(result);
        ArgumentNullException.ThrowIfNull(culture);
        bool vi = RuleWording.IsVietnamese(culture);
        string percent = result.BaseCount == 0
            ? "0"
            : (100m * result.Yes / result.BaseCount).ToString("0.0", culture);
        string required = Threshold(result.Required, result.Strict, culture);
        if (result.Verdict == Verdict.NoQuorum)
        {
            return vi
                ? $"Không có hiệu lực: khi kết thúc chỉ có {result.Present}/{result.Entitled} đại biểu có mặt, không đủ số quy định"
                : $"Void: only {result.Present} of {result.Entitled} delegates were present at the close, short of the quorum";
        }

        if (vi)
        {
            string verdict = result.Passed ? "Thông qua" : result.Verdict == Verdict.Tie ? "Không thông qua (hòa)" : "Không thông qua";
            string comparison = result.Strict ? "trên" : "ít nhất";
            return $"{verdict}: {result.Yes} tán thành / {result.BaseCount} {BaseName(result.Base, vi)} ({percent}%); yêu cầu {comparison} {required}";
        }
        else
        {
            string verdict = result.Passed ? "Adopted" : result.Verdict == Verdict.Tie ? "Not adopted (tie)" : "Not adopted";
            string comparison = result.Strict ? "more than" : "at least";
            return $"{verdict}: {result.Yes} yes of {result.BaseCount} {BaseName(result.Base, vi)} ({percent}%); required {comparison} {required}";
        }
    }

    /// <summary>
    /// "more than 181.5" reads right as it is; "at least 6.67" does not: a count that must be at least 6.67
    /// must be at least 7, so a non-strict threshold is shown rounded up.
    /// </summary>
    public static string Threshold(decimal required, bool strict, CultureInfo culture) =>
        (strict ? required : Math.Ceiling(required)).ToString("0.##", culture);

    /// <summary>
    /// By the culture's name, not its data: the browser app runs without ICU, where every culture reports the
    /// invariant language ("iv") but keeps the name it was created with.
    /// </summary>
    public static bool IsVietnamese(CultureInfo culture)
    {
        ArgumentNullException.ThrowIfNull(culture);
        return culture.Name == "vi" || culture.Name.StartsWith("vi-", StringComparison.Ordinal);
    }

    public static string BaseName(RuleBase ruleBase, bool vietnamese) => (ruleBase, vietnamese) switch
    {
        (RuleBase.Summoned, true) => "đại biểu được triệu tập",
        (RuleBase.Summoned, false) => "summoned",
        (RuleBase.Present, true) => "đại biểu có mặt",
        (RuleBase.Present, false) => "present",
        (RuleBase.Cast, true) => "phiếu đã bỏ",
        (RuleBase.Cast, false) => "ballots cast",
        (RuleBase.YesPlusNo, true) => "phiếu tán thành và không tán thành",
        (RuleBase.YesPlusNo, false) => "yes and no votes",
        (RuleBase.ValidBallots, true) => "phiếu hợp lệ",
        _ => "valid ballots",
    };
}

/// <summary>The quorum in words: "Quorum reached: 301 of 363 present (82.9%); required at least 242".</summary>
public static class QuorumWording
{

    public static string Describe(AttendanceDto attendance, CultureInfo culture)
    {
        ArgumentNullException.ThrowIfNull(attendance);
        ArgumentNullException.ThrowIfNull(culture);
        bool vi = RuleWording.IsVietnamese(culture);
        string percent = attendance.Summoned == 0 ? "0" : (100m * attendance.Present / attendance.Summoned).ToString("0.0", culture);
        string required = RuleWording.Threshold(attendance.QuorumRequired, attendance.QuorumStrict, culture);
        if (!attendance.QuorumApplies)
        {
            return vi
                ? $"Có mặt: {attendance.Present}/{attendance.Summoned} ({percent}%); không yêu cầu số đại biểu tối thiểu"
                : $"Present: {attendance.Present} of {attendance.Summoned} ({percent}%); no quorum required";
        }

        if (vi)
        {
            string verdict = attendance.QuorumReached ? "Đủ số đại biểu" : "Chưa đủ số đại biểu";
            string comparison = attendance.QuorumStrict ? "trên" : "ít nhất";
            return $"{verdict}: {attendance.Present}/{attendance.Summoned} có mặt ({percent}%); cần {comparison} {required}";
        }
        else
        {
            string verdict = attendance.QuorumReached ? "Quorum reached" : "No quorum";
            string comparison = attendance.QuorumStrict ? "more than" : "at least";
            return $"{verdict}: {attendance.Present} of {attendance.Summoned} present ({percent}%); required {comparison} {required}";
        }
    }
}

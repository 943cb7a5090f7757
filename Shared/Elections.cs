using System.Globalization;
using System.Security.Cryptography;

namespace CongressVote.Shared;

public enum PollKind
{
    Motion,
    Election,
}

/// <summary>A name on an election ballot, in the order the ballot lists it.</summary>
public sealed record CandidateDto(int Position, string FullName, int? BirthYear, string? JobTitle, string? Unit);

public sealed record CandidateEditDto(string FullName, int? BirthYear, string? JobTitle, string? Unit);

public enum CandidateOutcome
{
    Elected,
    /// <summary>Tied for the last seat: neither elected nor out until a runoff decides.</summary>
    Tied,
    NotElected,
}

public sealed record CandidateResultDto(int Position, string FullName, int Votes, CandidateOutcome Outcome);

/// <summary>
/// An election's stored result: the counting minutes' figures, the rule applied, and every candidate ranked by
/// votes. <see cref="Verdict"/> is Passed when every seat is filled, Tie for a tie at the last seat, Shortfall
/// when fewer candidates met the rule than there are seats.
/// </summary>
public sealed record ElectionResultDto(
    int Seats,
    int Issued,
    int Returned,
    int Valid,
    int Invalid,
    int Entitled,
    int Present,
    RuleBase Base,
    int BaseCount,
    decimal Required,
    bool Strict,
    Verdict Verdict,
    IReadOnlyList<CandidateResultDto> Ranked)
{
    public int Elected => Ranked.Count(c => c.Outcome == CandidateOutcome.Elected);
}

/// <summary>The counts an election's rule is applied to, read from the database at close.</summary>
public sealed record ElectionFigures(int Issued, int Returned, int Valid, int Invalid, int Entitled, int Present);

/// <summary>An election as the secretariat drafts it. Left out, an empty ballot counts as valid, as in the console.</summary>
public sealed record ElectionEditDto(
    Guid AgendaItemId, string Title, int Seats, bool? EmptyBallotValid, MajorityRule? Rule, int? CountdownSeconds = null, bool Rehearsal = false);

/// <summary>
/// Why the counting committee found a paper ballot invalid, in the cases election rules list: not issued by the
/// committee or without its stamp, more names kept than seats, every name struck out (where that is invalid), a name
/// added or writing or a mark on it; and any other reason. Codes on the wire (strings, no enum: the tablet's download
/// stays small); counts by reason are given in this order.
/// </summary>
public static class InvalidReasons
{
    public static readonly IReadOnlyList<string> Codes = ["NotIssued", "TooMany", "AllStruck", "Marked", "Other"];
}

/// <summary>
/// One paper ballot as one member of the counting committee read it; a second member enters it again. An invalid
/// ballot carries the reason the member found (the two entries must agree on it too).
/// </summary>
public sealed record PaperBallotDto(int BallotNo, IReadOnlyList<int> Kept, bool Invalid, string? Reason = null);

public enum PaperBallotState
{
    /// <summary>Entered once; waits for a second member of the committee.</summary>
    Waiting,
    Confirmed,
    /// <summary>The two entries differ: not counted, and closing is refused until it is entered again.</summary>
    Mismatch,
}

public sealed record PaperBallotStatusDto(int BallotNo, PaperBallotState State, IReadOnlyList<string> EnteredBy, IReadOnlyList<int>? Kept, bool Invalid);

/// <summary>
/// Paper ballots counted as totals: issued, returned, invalid, and the votes per candidate in ballot order; the invalid
/// ones by reason (in the order of <see cref="InvalidReasons.Codes"/>), when given, add up to <see cref="Invalid"/>.
/// </summary>
public sealed record PaperTotalsDto(
    int Issued, int Returned, int Invalid, IReadOnlyList<int> Votes, string? Note, IReadOnlyList<int>? InvalidByReason = null);

public sealed record PaperSummaryDto(
    IReadOnlyList<PaperBallotStatusDto> Ballots, int TotalsIssued, int TotalsReturned, int TotalsInvalid, IReadOnlyList<int> TotalsVotes);

/// <summary>A published ballot: its receipt code and the candidates it kept. No voter, no time.</summary>
public sealed record PublishedBallotDto(string Receipt, IReadOnlyList<int> Kept);

public sealed record RunoffRequestDto(string Title);

/// <summary>The data of the counting minutes (biên bản kiểm phiếu).</summary>
public sealed record CountingMinutesDto(
    string CongressName, PollDto Election, IReadOnlyList<CandidateDto> Candidates, IReadOnlyList<string> Committee,
    int ElectronicBallots, int PaperBallots);

/// <summary>
/// Counting an election (docs/architecture.md §3): a candidate must meet the rule; of those who do, the most votes win, at
/// most as many as there are seats. A tie for the last seat is reported, never broken silently.
/// </summary>
public static class ElectionCount
{
    public static int BaseCount(MajorityRule rule, ElectionFigures figures)
    {
        ArgumentNullException.ThrowIfNull(rule);
        ArgumentNullException.ThrowIfNull(figures);
        return rule.Base switch
        {
            RuleBase.Summoned => figures.Entitled,
            RuleBase.Present => figures.Present,
            RuleBase.Cast => figures.Returned,
            _ => figures.Valid,
        };
    }

    public static ElectionResultDto Decide(
        int seats, IReadOnlyList<(CandidateDto Candidate, int Votes)> votes, ElectionFigures figures, MajorityRule rule, MajorityRule? quorum = null)
    {
        ArgumentNullException.ThrowIfNull(votes);
        ArgumentNullException.ThrowIfNull(rule);
        ArgumentOutOfRangeException.ThrowIfLessThan(seats, 1);
        int baseCount = BaseCount(rule, figures);
        bool quorumMet = quorum is null || quorum.IsMet(figures.Present, figures.Entitled);
        var ranked = votes.OrderByDescending(v => v.Votes).ThenBy(v => v.Candidate.Position).ToList();
        var eligible = quorumMet ? ranked.Where(v => rule.IsMet(v.Votes, baseCount)).ToList() : [];

        var elected = new HashSet<int>();
        var tied = new HashSet<int>();
        Verdict verdict;
        if (!quorumMet)
        {
            verdict = Verdict.NoQuorum;
        }
        else if (eligible.Count <= seats)
        {
            elected.UnionWith(eligible.Select(v => v.Candidate.Position));
            verdict = eligible.Count == seats ? Verdict.Passed : Verdict.Shortfall;
        }
        else
        {
            int last = eligible[seats - 1].Votes;
            if (eligible[seats].Votes == last)
            {
                // Everyone above the last seat's count is elected; everyone on it is tied for what is left.
                elected.UnionWith(eligible.Where(v => v.Votes > last).Select(v => v.Candidate.Position));
                tied.UnionWith(eligible.Where(v => v.Votes == last).Select(v => v.Candidate.Position));
                verdict = Verdict.Tie;
            }
            else
            {
                elected.UnionWith(eligible.Take(seats).Select(v => v.Candidate.Position));
                verdict = Verdict.Passed;
            }
        }

        var results = ranked.Select(v => new CandidateResultDto(
            v.Candidate.Position, v.Candidate.FullName, v.Votes,
            elected.Contains(v.Candidate.Position) ? CandidateOutcome.Elected
                : tied.Contains(v.Candidate.Position) ? CandidateOutcome.Tied : CandidateOutcome.NotElected)).ToList();
        return new ElectionResultDto(seats, figures.Issued, figures.Returned, figures.Valid, figures.Invalid, figures.Entitled, figures.Present,
            rule.Base, baseCount, rule.Required(baseCount), rule.Strict, verdict, results);
    }

    /// <summary>Seats a runoff or second round is for: the tied seats, or the seats left empty.</summary>
    public static int SeatsLeft(ElectionResultDto result)
    {
        ArgumentNullException.ThrowIfNull(result);
        return result.Seats - result.Elected;
    }
}

/// <summary>An election's result in words, in the reader's language, with the rule that decided it.</summary>
public static class ElectionWording
{
    public static string Describe(ElectionResultDto result, CultureInfo culture)
    {
        ArgumentNullException.ThrowIfNull(result);
        ArgumentNullException.ThrowIfNull(culture);
        bool vi = RuleWording.IsVietnamese(culture);
        string required = RuleWording.Threshold(result.Required, result.Strict, culture);
        string comparison = (result.Strict, vi) switch
        {
            (true, true) => "trên",
            (false, true) => "ít nhất",
            (true, false) => "more than",
            _ => "at least",
        };
        string rule = vi
            ? $"yêu cầu {comparison} {required} phiếu ({result.BaseCount} {RuleWording.BaseName(result.Base, true)})"
            : $"required {comparison} {required} votes ({result.BaseCount} {RuleWording.BaseName(result.Base, false)})";
        int tied = result.Ranked.Count(c => c.Outcome == CandidateOutcome.Tied);
        int left = ElectionCount.SeatsLeft(result);
        return (result.Verdict, vi) switch
        {
            (Verdict.NoQuorum, true) => $"Không có hiệu lực: khi kết thúc chỉ có {result.Present}/{result.Entitled} đại biểu có mặt, không đủ số quy định",
            (Verdict.NoQuorum, false) => $"Void: only {result.Present} of {result.Entitled} delegates were present at the close, short of the quorum",
            (Verdict.Tie, true) => $"Trúng cử {result.Elected}/{result.Seats}; {tied} người bằng phiếu cho {left} ghế cuối: cần bầu lại giữa những người này; {rule}",
            (Verdict.Tie, false) => $"Elected {result.Elected} of {result.Seats}; {tied} candidates tied for {(left == 1 ? "the last seat" : $"the last {left} seats")}: a runoff between them is needed; {rule}",
            (Verdict.Shortfall, true) => $"Trúng cử {result.Elected}/{result.Seats}; còn thiếu {left}: cần bầu vòng hai; {rule}",
            (Verdict.Shortfall, false) => $"Elected {result.Elected} of {result.Seats}; {(left == 1 ? "1 seat" : $"{left} seats")} unfilled: a second round is needed; {rule}",
            (_, true) => $"Trúng cử đủ {result.Elected}/{result.Seats}; {rule}",
            _ => result.Seats == 1 ? $"The seat is filled; {rule}" : $"All {result.Seats} seats filled; {rule}",
        };
    }
}

/// <summary>
/// Receipt codes. The tablet draws the code itself and sends it with the ballot, so a retried cast keeps the code
/// the delegate was shown, and the server never holds anything that ties a code to a voter.
/// </summary>
public static class Receipts
{
    // Crockford's base 32: no I, L, O or U, so a code read aloud or copied by hand is not misread.
    private const string Alphabet = "0123456789ABCDEFGHJKMNPQRSTVWXYZ";

    public const int Length = 10;

    public static string NewCode()
    {
        Span<byte> bytes = stackalloc byte[Length];
        RandomNumberGenerator.Fill(bytes);
        var chars = new char[Length];
        for (int i = 0; i < Length; i++)
        {
            chars[i] = Alphabet[bytes[i] & 31];
        }

        return new string(chars);
    }

    public static bool IsValid(string? code) => code is { Length: Length } && code.All(c => Alphabet.Contains(c, StringComparison.Ordinal));

    /// <summary>What a person types ("k7m2-qx9p0", spaces, lower case, O for 0) back to the stored form.</summary>
    public static string Normalize(string? typed) => new((typed ?? "")
        .ToUpperInvariant()
        .Where(char.IsLetterOrDigit)
        .Select(c => c switch { 'O' => '0', 'I' or 'L' => '1', _ => c })
        .ToArray());

    /// <summary>"K7M2QX9P0A" shown as "K7M2Q-X9P0A".</summary>
    public static string Display(string code) => code is { Length: Length } ? $"{code[..5]}-{code[5..]}" : code;
}

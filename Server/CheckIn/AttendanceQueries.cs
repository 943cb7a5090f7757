using System.Data;
using CongressVote.Shared;
using Dapper;

namespace CongressVote.Server.CheckIn;

/// <summary>
/// Attendance and quorum, counted from the delegate rows: no counters to drift. The desk, the console's
/// credentials page and the credentials report all read their figures here, so each count has one definition:
/// <list type="bullet">
/// <item>summoned: delegates with a vote, less those excused where the preset says excused absences leave the count;</item>
/// <item>present: delegates with a vote who are checked in (an excused delegate is never checked in);</item>
/// <item>absent: summoned and not present, so that present + absent = summoned in every group;</item>
/// <item>excused: delegates with a vote who are not present and have a reason recorded;</item>
/// <item>alternates and guests have no vote: they are counted apart (invited, present) and never in the totals.</item>
/// </list>
/// </summary>
public static class AttendanceQueries
{
    /// <summary>Delegates alike in every way a report groups by, and how many of them there are.</summary>
    private sealed record CountRow(
        string Kind, string? Gender, string Delegation, int DelegationPosition, int? BirthYear, bool MayVote, bool Present, bool Excused, int Count);

    private sealed record CongressRules(string Preset, bool ExcusedReduceSummoned, long Version);

    /// <summary>The figures of one group: <see cref="Summoned"/> = <see cref="Present"/> + <see cref="Absent"/>.</summary>
    private sealed record Tally(int Summoned, int Present, int Absent, int Excused);

    private static Tally Count(IEnumerable<CountRow> rows, bool excusedReduceSummoned)
    {
        int summoned = 0, present = 0, excused = 0;
        foreach (var r in rows.Where(r => r.MayVote))
        {
            if (!(r.Excused && excusedReduceSummoned))
            {
                summoned += r.Count;
            }

            present += r.Present ? r.Count : 0;
            excused += r.Excused ? r.Count : 0;
        }

        return new Tally(summoned, present, summoned - present, excused);
    }

    private static async Task<(CongressRules Rules, List<CountRow> Rows)> LoadAsync(IDbConnection connection, Guid congressId, IDbTransaction? transaction)
    {
        var rules = await connection.QuerySingleAsync<CongressRules>("""
            SELECT c.preset, c.excused_reduce_summoned,
                   coalesce((SELECT max(e.id) FROM attendance_event e JOIN delegate d ON d.id = e.delegate_id WHERE d.congress_id = c.id), 0) AS version
            FROM congress c WHERE c.id = @congressId
            """, new { congressId }, transaction);
        var rows = (await connection.QueryAsync<CountRow>("""
            SELECT d.kind, d.gender, coalesce(dl.name, '') AS delegation, coalesce(dl.position, 0) AS delegation_position, d.birth_year,
                   d.may_vote, d.checked_in_at IS NOT NULL AS present, d.excused_reason IS NOT NULL AS excused, count(*)::int AS count
            FROM delegate d LEFT JOIN delegation dl ON dl.id = d.delegation_id
            WHERE d.congress_id = @congressId
            GROUP BY 1, 2, 3, 4, 5, 6, 7, 8
            """, new { congressId }, transaction)).ToList();
        return (rules, rows);
    }

    public static async Task<AttendanceDto> ReadAsync(IDbConnection connection, Guid congressId, IDbTransaction? transaction = null)
    {
        var (rules, rows) = await LoadAsync(connection, congressId, transaction);
        return Attendance(rules, rows);
    }

    private static AttendanceDto Attendance(CongressRules rules, List<CountRow> rows)
    {
        var total = Count(rows, rules.ExcusedReduceSummoned);
        var preset = CongressPreset.ByKey(rules.Preset);
        // A kind with a vote shows summoned / present; a kind without one (alternates, guests) shows invited / present.
        var byKind = rows.GroupBy(r => r.Kind)
            .Select(g => g.Any(r => r.MayVote)
                ? new GroupCountDto(g.Key, Count(g, rules.ExcusedReduceSummoned).Summoned, Count(g, rules.ExcusedReduceSummoned).Present)
                : new GroupCountDto(g.Key, g.Sum(r => r.Count), g.Where(r => r.Present).Sum(r => r.Count)))
            .OrderBy(g => KindOrder(g.Key))
            .ToList();
        var byDelegation = rows.Where(r => r.MayVote).GroupBy(r => (r.Delegation, r.DelegationPosition)).OrderBy(g => g.Key.DelegationPosition)
            .Select(g => { var t = Count(g, rules.ExcusedReduceSummoned); return new GroupCountDto(g.Key.Delegation, t.Summoned, t.Present); })
            .ToList();
        return new AttendanceDto(
            rules.Version,
            total.Summoned,
            total.Present,
            total.Excused,
            rows.Where(r => r.Kind == "guest" && r.Present).Sum(r => r.Count),
            preset.QuorumReached(total.Present, total.Summoned),
            preset.Quorum?.Required(total.Summoned) ?? 0,
            preset.Quorum?.Strict ?? false,
            preset.Quorum is not null,
            byKind,
            byDelegation);
    }

    /// <summary>Age bands by completed decades; the youngest band takes everyone under 30.</summary>
    private static readonly string[] s_ageBands = ["< 30", "30–39", "40–49", "50–59", "≥ 60"];

    private static int KindOrder(string kind) => kind switch { "official" => 0, "alternate" => 1, _ => 2 };

    /// <summary>
    /// The figures of the credentials report: the totals, the delegates with a vote by kind, gender, delegation and
    /// age band (each group's rows add up to the totals), those without a vote apart, and every absent delegate
    /// with the reason recorded.
    /// </summary>
    public static async Task<CredentialsReportDto> ReportAsync(IDbConnection connection, Guid congressId, DateOnly today, IDbTransaction? transaction = null)
    {
        var (rules, rows) = await LoadAsync(connection, congressId, transaction);
        var attendance = Attendance(rules, rows);
        var voting = rows.Where(r => r.MayVote).ToList();
        string AgeBand(int? birthYear) => birthYear is not { } b ? "?" : s_ageBands[Math.Clamp((today.Year - b - 20) / 10, 0, s_ageBands.Length - 1)];
        IEnumerable<ReportRowDto> By(string group, Func<CountRow, string> key, Func<IGrouping<string, CountRow>, int>? order = null) =>
            voting.GroupBy(key).OrderBy(g => order?.Invoke(g) ?? 0).ThenBy(g => g.Key, StringComparer.Ordinal).Select(g =>
            {
                var t = Count(g, rules.ExcusedReduceSummoned);
                return new ReportRowDto(group, g.Key, t.Summoned, t.Present, t.Absent, t.Excused);
            });
        // Alternates and guests: invited and present, never part of the totals above.
        var withoutVote = rows.Where(r => !r.MayVote).GroupBy(r => r.Kind).OrderBy(g => KindOrder(g.Key))
            .Select(g => new ReportRowDto("nonvoting", g.Key, g.Sum(r => r.Count), g.Where(r => r.Present).Sum(r => r.Count), g.Where(r => !r.Present).Sum(r => r.Count), 0));
        var report = By("kind", r => r.Kind, g => KindOrder(g.Key))
            .Concat(By("gender", r => r.Gender ?? "?"))
            .Concat(By("delegation", r => r.Delegation, g => g.First().DelegationPosition))
            .Concat(By("age", r => AgeBand(r.BirthYear), g => g.Key == "?" ? s_ageBands.Length : Array.IndexOf(s_ageBands, g.Key)))
            .Concat(withoutVote)
            .ToList();
        var absent = (await connection.QueryAsync<AbsenceDto>("""
            SELECT d.code, d.full_name, coalesce(dl.name, '') AS delegation, d.excused_reason AS reason
            FROM delegate d LEFT JOIN delegation dl ON dl.id = d.delegation_id
            WHERE d.congress_id = @congressId AND d.may_vote AND d.checked_in_at IS NULL
            """, new { congressId }, transaction))
            .OrderBy(a => a.Delegation, VietnameseOrder.Collation).ThenBy(a => a.FullName, VietnameseOrder.Names).ToList();
        return new CredentialsReportDto(attendance, report, absent);
    }
}

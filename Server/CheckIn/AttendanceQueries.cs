using System.Data;
using CongressVote.Shared;
using Dapper;

namespace CongressVote.Server.CheckIn;

/// <summary>Attendance and quorum, counted from the delegate rows: no counters to drift.</summary>
public static class AttendanceQueries
{
    private sealed record CountRow(string Kind, string Delegation, int DelegationPosition, bool MayVote, bool Present, bool Excused, int Count);

    private sealed record CongressRules(string Preset, bool ExcusedReduceSummoned, long Version);

    public static async Task<AttendanceDto> ReadAsync(IDbConnection connection, Guid congressId, IDbTransaction? transaction = null)
    {
        var rules = await connection.QuerySingleAsync<CongressRules>("""
            SELECT c.preset, c.excused_reduce_summoned,
                   coalesce((SELECT max(e.id) FROM attendance_event e JOIN delegate d ON d.id = e.delegate_id WHERE d.congress_id = c.id), 0) AS version
            FROM congress c WHERE c.id = @congressId
            """, new { congressId }, transaction);
        var rows = (await connection.QueryAsync<CountRow>("""
            SELECT d.kind, coalesce(dl.name, '') AS delegation, coalesce(dl.position, 0) AS delegation_position, d.may_vote,
                   d.checked_in_at IS NOT NULL AS present, d.excused_reason IS NOT NULL AS excused, count(*)::int AS count
            FROM delegate d LEFT JOIN delegation dl ON dl.id = d.delegation_id
            WHERE d.congress_id = @congressId
            GROUP BY 1, 2, 3, 4, 5, 6
            """, new { congressId }, transaction)).ToList();

        bool Summoned(CountRow r) => r.MayVote && !(r.Excused && rules.ExcusedReduceSummoned);
        int summoned = rows.Where(Summoned).Sum(r => r.Count);
        int present = rows.Where(r => r.MayVote && r.Present).Sum(r => r.Count);
        var preset = CongressPreset.ByKey(rules.Preset);
        var byKind = rows.GroupBy(r => r.Kind)
            .Select(g => new GroupCountDto(g.Key, g.Where(r => r.Kind == "guest" || Summoned(r)).Sum(r => r.Count), g.Where(r => r.Present).Sum(r => r.Count)))
            .OrderBy(g => g.Key switch { "official" => 0, "alternate" => 1, _ => 2 })
            .ToList();
        var byDelegation = rows.Where(r => r.MayVote).GroupBy(r => (r.Delegation, r.DelegationPosition)).OrderBy(g => g.Key.DelegationPosition)
            .Select(g => new GroupCountDto(g.Key.Delegation, g.Where(Summoned).Sum(r => r.Count), g.Where(r => r.Present).Sum(r => r.Count)))
            .ToList();
        return new AttendanceDto(
            rules.Version,
            summoned,
            present,
            rows.Where(r => r.Excused).Sum(r => r.Count),
            rows.Where(r => r.Kind == "guest" && r.Present).Sum(r => r.Count),
            preset.QuorumReached(present, summoned),
            preset.Quorum?.Required(summoned) ?? 0,
            preset.Quorum?.Strict ?? false,
            preset.Quorum is not null,
            byKind,
            byDelegation);
    }
}

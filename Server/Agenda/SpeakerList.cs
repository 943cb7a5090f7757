using System.Data;
using CongressVote.Shared;
using Dapper;

namespace CongressVote.Server.Agenda;

/// <summary>The list of speakers as the tablets, the console and the hall screen show it: the endpoints and the snapshots read it here.</summary>
public static class SpeakerList
{
    private sealed record Row(
        Guid Id, Guid AgendaItemId, Guid DelegateId, string FullName, string Delegation, string Topic, string State, int Position,
        DateTime? StartedAt, int? TimeLimitSeconds);

    /// <summary>The speakers of the congress's current item, in order.</summary>
    public static async Task<List<SpeechDto>> CurrentAsync(IDbConnection connection, Guid congressId, IDbTransaction? transaction = null) =>
        (await connection.QueryAsync<Row>("""
            SELECT s.id, s.agenda_item_id, s.delegate_id, d.full_name, coalesce(dl.name, '') AS delegation, s.topic, s.state, s.position,
                   s.started_at, s.time_limit_seconds
            FROM speech s
            JOIN congress c ON c.id = s.congress_id AND c.current_item_id = s.agenda_item_id
            JOIN delegate d ON d.id = s.delegate_id
            LEFT JOIN delegation dl ON dl.id = d.delegation_id
            WHERE s.congress_id = @congressId AND s.state IN ('requested', 'approved', 'speaking', 'done')
            ORDER BY CASE s.state WHEN 'done' THEN 0 WHEN 'speaking' THEN 1 ELSE 2 END, s.position
            """, new { congressId }, transaction))
        .Select(r => new SpeechDto(r.Id, r.AgendaItemId, r.DelegateId, r.FullName, r.Delegation, r.Topic, Enum.Parse<SpeechState>(r.State, ignoreCase: true),
            r.Position, Polls.PollQueries.Utc(r.StartedAt), r.TimeLimitSeconds))
        .ToList();
}

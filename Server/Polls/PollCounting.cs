using CongressVote.Shared;
using Dapper;
using Npgsql;

namespace CongressVote.Server.Polls;

/// <summary>The count of a motion, used by its close and by a recount: counted in PostgreSQL, decided once, stored.</summary>
public static class PollCounting
{
    public static async Task<PollResultDto> CountMotionAsync(NpgsqlConnection connection, NpgsqlTransaction transaction, PollQueries.PollRow poll, MajorityRule? quorum)
    {
        ArgumentNullException.ThrowIfNull(connection);
        ArgumentNullException.ThrowIfNull(poll);
        var figures = await PollStore.FiguresAsync(connection, transaction, poll.Id);
        var result = poll.Rule.Decide(figures, quorum);
        await connection.ExecuteAsync("""
            UPDATE poll SET yes_count = @Yes, no_count = @No, abstain_count = @Abstain,
                            entitled_count = @Entitled, present_count = @Present, passed = @Passed, verdict = @verdict
            WHERE id = @pollId
            """, new { pollId = poll.Id, result.Yes, result.No, result.Abstain, result.Entitled, result.Present, result.Passed, verdict = result.Verdict.ToString() }, transaction);
        return result;
    }
}

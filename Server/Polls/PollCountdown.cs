using Dapper;
using Npgsql;

namespace CongressVote.Server.Polls;

/// <summary>
/// Closes polls whose countdown ran out. The close is the same conditional update the console uses, so a
/// countdown and a click at the same moment close the poll once; with several nodes, each tries and one wins.
/// </summary>
public sealed class PollCountdown(NpgsqlDataSource db, PollClosing closing, ILogger<PollCountdown> logger) : BackgroundService
{
    protected override async Task ExecuteAsync(CancellationToken stoppingToken)
    {
        using var timer = new PeriodicTimer(TimeSpan.FromMilliseconds(500));
        try
        {
            while (await timer.WaitForNextTickAsync(stoppingToken))
            {
                try
                {
                    await using var connection = await db.OpenConnectionAsync(stoppingToken);
                    var due = await connection.QueryAsync<(Guid Id, Guid CongressId)>(
                        "SELECT id, congress_id FROM poll WHERE state = 'open' AND closes_at <= now()");
                    foreach (var (id, congressId) in due)
                    {
                        await closing.CloseAsync(id, congressId, "countdown", null);
                    }
                }
                catch (Exception ex) when (ex is not OperationCanceledException)
                {
                    logger.LogWarning(ex, "Could not close the polls whose countdown ran out; retrying");
                }
            }
        }
        catch (OperationCanceledException) when (stoppingToken.IsCancellationRequested)
        {
            // Shutting down.
        }
    }
}

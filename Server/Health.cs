using CongressVote.Server.Data;
using Dapper;
using Npgsql;

namespace CongressVote.Server;

/// <summary>
/// Health for a reverse proxy or an operator: <c>/health/live</c> says the process answers; <c>/health/ready</c>
/// says it can take ballots (database reachable, every migration applied) and how the live backplane is.
/// </summary>
public static class Health
{
    public sealed record ReadyDto(bool Ready, string Database, int Migrations, int MigrationsExpected, string Backplane, bool ShuttingDown);

    public static IEndpointRouteBuilder MapHealth(this IEndpointRouteBuilder app)
    {
        app.MapGet("/health/live", () => TypedResults.Text("live"));
        app.MapGet("/health/ready", ReadyAsync);
        return app;
    }

    private static async Task<IResult> ReadyAsync(NpgsqlDataSource db, Live.BackplaneState backplane, IHostApplicationLifetime lifetime, CancellationToken cancellationToken)
    {
        string database = "ok";
        int migrations = 0;
        try
        {
            using var timeout = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);
            timeout.CancelAfter(TimeSpan.FromSeconds(3));
            await using var connection = await db.OpenConnectionAsync(timeout.Token);
            migrations = await connection.ExecuteScalarAsync<int>(new CommandDefinition(
                "SELECT coalesce(max(version), 0) FROM schema_migration", cancellationToken: timeout.Token));
        }
        catch (Exception ex) when (ex is NpgsqlException or OperationCanceledException or TimeoutException)
        {
            database = "unreachable";
        }

        // A node that is stopping takes no new ballots: the proxy should send tablets elsewhere.
        bool stopping = lifetime.ApplicationStopping.IsCancellationRequested;
        bool ready = database == "ok" && migrations >= Migrator.LatestVersion && !stopping;
        var body = new ReadyDto(ready, database, migrations, Migrator.LatestVersion, backplane.Describe(), stopping);
        return TypedResults.Json(body, statusCode: ready ? StatusCodes.Status200OK : StatusCodes.Status503ServiceUnavailable);
    }
}

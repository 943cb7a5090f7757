using Dapper;
using Npgsql;

namespace CongressVote.Server.Data;

public sealed class DatabaseOptions
{
    /// <summary>
    /// Lets the server start against a database that does not make commits durable. Only for a throwaway demo:
    /// with it, a tablet could show "recorded" for a ballot a power cut then loses.
    /// </summary>
    public bool AllowNonDurableCommits { get; set; }

    /// <summary>
    /// The database owner's connection (ConnectionStrings:CongressOwner), used only at start-up to migrate and to
    /// grant the server's own role what it needs. Without it, the server's connection migrates too.
    /// </summary>
    public string? OwnerConnectionString { get; set; }
}

public static class DatabaseSetup
{
    public static IServiceCollection AddCongressDatabase(this IServiceCollection services, IConfiguration configuration)
    {
        string connectionString = configuration.GetConnectionString("Congress")
            ?? throw new InvalidOperationException(
                "ConnectionStrings:Congress is not set. Start with deploy/run.sh, or set ConnectionStrings__Congress.");
        var csb = new NpgsqlConnectionStringBuilder(connectionString)
        {
            // Automatic preparation: a prepared statement saves about a third of each cast's cost (docs/architecture.md §8).
            MaxAutoPrepare = Math.Max(new NpgsqlConnectionStringBuilder(connectionString).MaxAutoPrepare, 64),
            AutoPrepareMinUsages = 2,
            // Nothing here leaves state on a session (settings are SET LOCAL, the migration's advisory lock is
            // released in its finally), so the reset Npgsql otherwise sends at each return to the pool is work for
            // nothing: five statements on every borrowed connection, thousands in a burst of sign-ins.
            NoResetOnClose = true,
        };
        // Rows are snake_case in SQL and PascalCase records in C#.
        DefaultTypeMap.MatchNamesWithUnderscores = true;
        services.AddSingleton(_ => new NpgsqlDataSourceBuilder(csb.ConnectionString).Build());
        services.Configure<DatabaseOptions>(configuration.GetSection("Database"));
        services.PostConfigure<DatabaseOptions>(o => o.OwnerConnectionString ??= configuration.GetConnectionString("CongressOwner"));
        services.AddHostedService<DatabaseStartup>();
        return services;
    }
}

/// <summary>Runs before the server listens: refuses a non-durable database, then applies migrations.</summary>
internal sealed class DatabaseStartup(NpgsqlDataSource db, Microsoft.Extensions.Options.IOptions<DatabaseOptions> options, ILogger<DatabaseStartup> logger)
    : IHostedService
{
    public async Task StartAsync(CancellationToken cancellationToken)
    {
        await using (var connection = await db.OpenConnectionAsync(cancellationToken))
        {
            string synchronousCommit = await connection.ExecuteScalarAsync<string>("SHOW synchronous_commit") ?? "";
            string fsync = await connection.ExecuteScalarAsync<string>("SHOW fsync") ?? "";
            if (synchronousCommit == "off" || fsync == "off")
            {
                if (!options.Value.AllowNonDurableCommits)
                {
                    throw new InvalidOperationException(
                        $"The database does not make commits durable (synchronous_commit={synchronousCommit}, fsync={fsync}). " +
                        "A tablet would show 'recorded' for ballots a crash could lose. Turn both on, or set " +
                        "Database__AllowNonDurableCommits=true for a throwaway demo.");
                }

                logger.LogWarning("Running against a non-durable database (synchronous_commit={SynchronousCommit}, fsync={Fsync}): demo use only", synchronousCommit, fsync);
            }
        }

        if (options.Value.OwnerConnectionString is { Length: > 0 } owner)
        {
            // Migrations as the owner; the server itself runs as a role that cannot rewrite the audit trail,
            // disable a trigger or change the schema (docs/architecture.md §4, rule 7).
            await using var ownerDb = NpgsqlDataSource.Create(owner);
            int migrated = await Migrator.ApplyAsync(ownerDb, cancellationToken);
            string role = new NpgsqlConnectionStringBuilder(db.ConnectionString).Username ?? "";
            await Migrator.GrantAsync(ownerDb, role, cancellationToken);
            logger.LogInformation("Database ready; {Applied} migration(s) applied now by the owner; the server runs as {Role}", migrated, role);
            return;
        }

        int applied = await Migrator.ApplyAsync(db, cancellationToken);
        logger.LogInformation("Database ready; {Applied} migration(s) applied now", applied);
    }

    public Task StopAsync(CancellationToken cancellationToken) => Task.CompletedTask;
}

using System.Reflection;
using Dapper;
using Npgsql;

namespace CongressVote.Server.Data;

/// <summary>
/// Applies the numbered scripts in Data/Migrations in order, each in its own transaction, under an advisory lock
/// so that two nodes starting together apply each script once.
/// </summary>
public static class Migrator
{
    private const long AdvisoryLockKey = 0x436F6E6772657373; // "Congress"

    public static async Task<int> ApplyAsync(NpgsqlDataSource db, CancellationToken cancellationToken = default)
    {
        await using var connection = await db.OpenConnectionAsync(cancellationToken);
        await connection.ExecuteAsync("SELECT pg_advisory_lock(@AdvisoryLockKey)", new { AdvisoryLockKey });
        try
        {
            await connection.ExecuteAsync("""
                CREATE TABLE IF NOT EXISTS schema_migration (
                    version    int PRIMARY KEY,
                    name       text NOT NULL,
                    applied_at timestamptz NOT NULL DEFAULT now()
                )
                """);
            var done = (await connection.QueryAsync<int>("SELECT version FROM schema_migration")).ToHashSet();
            int newest = LatestVersion;
            if (done.Count > 0 && done.Max() > newest)
            {
                // Migrations only go forward: an older server on a newer schema would write what the schema no longer means.
                throw new InvalidOperationException(
                    $"The database is at migration {done.Max()}, newer than this server's last ({newest}): a newer version of CongressVote has used it. " +
                    "Start that version, or restore a backup made with this one.");
            }

            int applied = 0;
            foreach (var script in Scripts().Where(s => !done.Contains(s.Version)))
            {
                await using var transaction = await connection.BeginTransactionAsync(cancellationToken);
                await connection.ExecuteAsync(script.Sql, transaction: transaction);
                await connection.ExecuteAsync(
                    "INSERT INTO schema_migration (version, name) VALUES (@Version, @Name)",
                    new { script.Version, script.Name },
                    transaction);
                await transaction.CommitAsync(cancellationToken);
                applied++;
            }

            return applied;
        }
        finally
        {
            await connection.ExecuteAsync("SELECT pg_advisory_unlock(@AdvisoryLockKey)", new { AdvisoryLockKey });
        }
    }

    /// <summary>
    /// What the server's own role may do, granted again at every start so that new tables are covered: read and
    /// write the congress's data, but only add to the audit trail and its seals, never change or empty them,
    /// and nothing on the schema (it owns no table, so it can neither alter one nor disable a trigger).
    /// </summary>
    public static async Task GrantAsync(NpgsqlDataSource owner, string role, CancellationToken cancellationToken = default)
    {
        if (!System.Text.RegularExpressions.Regex.IsMatch(role, "^[a-z_][a-z0-9_]{0,62}$"))
        {
            throw new InvalidOperationException($"The server's database role '{role}' must be a plain lower-case name.");
        }

        await using var connection = await owner.OpenConnectionAsync(cancellationToken);
        bool ownsSchema = await connection.ExecuteScalarAsync<bool>(
            "SELECT EXISTS (SELECT 1 FROM pg_tables WHERE schemaname = 'public' AND tableowner = @role)", new { role });
        if (ownsSchema)
        {
            throw new InvalidOperationException(
                $"The server's role '{role}' owns tables: give it a role of its own (ConnectionStrings:Congress) and the owner's to ConnectionStrings:CongressOwner.");
        }

        await connection.ExecuteAsync($"""
            GRANT USAGE ON SCHEMA public TO {role};
            GRANT SELECT, INSERT, UPDATE, DELETE ON ALL TABLES IN SCHEMA public TO {role};
            GRANT USAGE, SELECT ON ALL SEQUENCES IN SCHEMA public TO {role};
            REVOKE UPDATE, DELETE, TRUNCATE ON audit_event, audit_seal FROM {role};
            REVOKE INSERT, UPDATE, DELETE, TRUNCATE ON schema_migration FROM {role};
            """);
    }

    /// <summary>The newest script this build carries: a database at this version is fully migrated.</summary>
    public static int LatestVersion { get; } = Scripts().Max(s => s.Version);

    private sealed record Script(int Version, string Name, string Sql);

    private static IEnumerable<Script> Scripts()
    {
        var assembly = Assembly.GetExecutingAssembly();
        const string prefix = "migrations/";
        foreach (string resource in assembly.GetManifestResourceNames().Where(n => n.StartsWith(prefix, StringComparison.Ordinal)).Order(StringComparer.Ordinal))
        {
            string name = resource[prefix.Length..];
            // "0001_initial.sql" -> version 1; embedded names keep the digits, so ordinal order is numeric order.
            int version = int.Parse(name.AsSpan(0, name.IndexOf('_', StringComparison.Ordinal)), System.Globalization.CultureInfo.InvariantCulture);
            using var stream = assembly.GetManifestResourceStream(resource)!;
            using var reader = new StreamReader(stream);
            yield return new Script(version, name, reader.ReadToEnd());
        }
    }
}

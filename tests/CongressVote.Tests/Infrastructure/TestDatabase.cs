using Npgsql;

namespace CongressVote.Tests.Infrastructure;

/// <summary>
/// A real PostgreSQL server for the tests, from CONGRESSVOTE_TEST_DB (deploy/test.sh starts a throwaway one and
/// sets it). Each fixture gets a database of its own, so fixtures can run side by side.
/// </summary>
public static class TestDatabase
{
    public static string ServerConnectionString =>
        Environment.GetEnvironmentVariable("CONGRESSVOTE_TEST_DB")
        ?? "Host=127.0.0.1;Port=5432;Username=postgres;Password=postgres";

    public static async Task<string> CreateAsync()
    {
        string name = "cv_test_" + Guid.NewGuid().ToString("N")[..12];
        await using (var connection = new NpgsqlConnection(ServerConnectionString))
        {
            await connection.OpenAsync();
            await using var command = new NpgsqlCommand($"CREATE DATABASE {name}", connection);
            await command.ExecuteNonQueryAsync();
        }

        return new NpgsqlConnectionStringBuilder(ServerConnectionString) { Database = name }.ConnectionString;
    }

    public static async Task DropAsync(string connectionString)
    {
        string name = new NpgsqlConnectionStringBuilder(connectionString).Database!;
        NpgsqlConnection.ClearAllPools();
        await using var connection = new NpgsqlConnection(ServerConnectionString);
        await connection.OpenAsync();
        await using var command = new NpgsqlCommand($"DROP DATABASE IF EXISTS {name} WITH (FORCE)", connection);
        await command.ExecuteNonQueryAsync();
    }
}

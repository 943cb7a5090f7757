using Npgsql;

namespace CongressVote.Tests.Infrastructure;

/// <summary>
/// A PostgreSQL cluster of a test's own, made with deploy/postgres.sh, so the test may crash it
/// (<c>pg_ctl stop -m immediate</c>) without disturbing the fixtures that share the suite's cluster.
/// </summary>
public sealed class PrivateCluster : IAsyncDisposable
{
    private const string Password = "private";
    private readonly string _data;

    private PrivateCluster(string data, int port)
    {
        _data = data;
        Port = port;
    }

    public int Port { get; }

    public string ConnectionString(string database) =>
        $"Host=127.0.0.1;Port={Port};Username=postgres;Password={Password};Database={database};Timeout=5;Command Timeout=30";

    public static async Task<PrivateCluster> StartAsync()
    {
        string folder = Directory.CreateTempSubdirectory("cv-cluster-").FullName;
        int port = Machine.FreeLoopbackPort();
        var cluster = new PrivateCluster(Path.Combine(folder, "pg"), port);
        if (Environment.UserName == "root")
        {
            await Machine.RunAsync("chmod", "755", folder);
        }

        await ShellAsync($"pg_init '{cluster._data}' {Password} && pg_start '{cluster._data}' {port}");
        await using var connection = new NpgsqlConnection(cluster.ConnectionString("postgres"));
        await connection.OpenAsync();
        await using var create = new NpgsqlCommand("CREATE DATABASE congressvote", connection);
        await create.ExecuteNonQueryAsync();
        return cluster;
    }

    /// <summary>A crash as far as PostgreSQL can tell: no checkpoint, recovery from the WAL on the next start.</summary>
    public Task CrashAsync() => ShellAsync($"as_pg \"$(pg_bin)/pg_ctl\" -D '{_data}' -m immediate -w stop");

    public Task StartAgainAsync() => ShellAsync($"pg_start '{_data}' {Port}");

    private static Task ShellAsync(string script)
    {
        string root = Path.GetFullPath(Path.Combine(TestContext.CurrentContext.TestDirectory, "../../../../.."));
        return Machine.RunAsync("bash", "-c", $"set -e; source '{Path.Combine(root, "deploy/postgres.sh")}'; {script}");
    }

    public async ValueTask DisposeAsync()
    {
        await ShellAsync($"pg_stop '{_data}'");
        try
        {
            Directory.Delete(Path.GetDirectoryName(_data)!, recursive: true);
        }
        catch (IOException)
        {
            // A temporary folder; the system cleans it up.
        }
        catch (UnauthorizedAccessException)
        {
            // Owned by the postgres user; the system cleans it up.
        }
    }
}

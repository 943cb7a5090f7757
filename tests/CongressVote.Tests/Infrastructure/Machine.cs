using System.Diagnostics;
using System.Net;
using Npgsql;

namespace CongressVote.Tests.Infrastructure;

/// <summary>Small things the process-level tests share: free ports, commands that must succeed, waiting for a poll.</summary>
public static class Machine
{
    /// <summary>A PostgreSQL client program (pg_dump, pg_waldump) of the newest version installed.</summary>
    public static string PostgresBinary(string name) =>
        Directory.Exists("/usr/lib/postgresql")
            ? Directory.GetDirectories("/usr/lib/postgresql").Select(d => Path.Combine(d, "bin", name)).Where(File.Exists).Order(StringComparer.Ordinal).LastOrDefault() ?? name
            : name;

    public static int FreeLoopbackPort()
    {
        var listener = new System.Net.Sockets.TcpListener(IPAddress.Loopback, 0);
        listener.Start();
        int port = ((IPEndPoint)listener.LocalEndpoint).Port;
        listener.Stop();
        return port;
    }

    /// <summary>Runs a command and fails the test, with its error output, when it does not succeed.</summary>
    /// <summary>Waits for a condition that another thread makes true (a push received), up to a limit.</summary>
    public static async Task WaitUntilAsync(Func<bool> condition, TimeSpan limit)
    {
        ArgumentNullException.ThrowIfNull(condition);
        var deadline = DateTime.UtcNow + limit;
        while (!condition() && DateTime.UtcNow < deadline)
        {
            await Task.Delay(25);
        }
    }

    public static async Task RunAsync(string file, params string[] arguments)
    {
        using var process = Process.Start(new ProcessStartInfo(file, arguments) { RedirectStandardError = true, RedirectStandardOutput = true })!;
        string errors = await process.StandardError.ReadToEndAsync();
        await process.WaitForExitAsync();
        Assert.That(process.ExitCode, Is.Zero, $"{file} {string.Join(' ', arguments)}: {errors}");
    }

    /// <summary>Waits until a load run has opened its poll, so faults land while ballots are arriving.</summary>
    public static async Task WaitForOpenPollAsync(string connectionString, Guid congressId)
    {
        // A connection of its own: the database may be crashed and restarted later in the test.
        await using var connection = new NpgsqlConnection(new NpgsqlConnectionStringBuilder(connectionString) { Pooling = false }.ConnectionString);
        await connection.OpenAsync();
        for (int i = 0; i < 1200; i++)
        {
            await using var command = new NpgsqlCommand("SELECT count(*) FROM poll WHERE congress_id = $1 AND state = 'open'", connection);
            command.Parameters.AddWithValue(congressId);
            if ((long)(await command.ExecuteScalarAsync())! > 0)
            {
                return;
            }

            await Task.Delay(100);
        }

        Assert.Fail("the poll was never opened");
    }
}

namespace CongressVote.Tests.Infrastructure;

/// <summary>The checkout the tests run from, for tests that read the source (texts, scripts) rather than the app.</summary>
public static class Repository
{
    public static string Root { get; } = Find();

    private static string Find()
    {
        var folder = new DirectoryInfo(AppContext.BaseDirectory);
        while (folder is not null && !File.Exists(Path.Combine(folder.FullName, "CongressVote.sln")))
        {
            folder = folder.Parent;
        }

        return folder?.FullName ?? throw new InvalidOperationException("The repository root (CongressVote.sln) was not found.");
    }
}

using CongressVote.LoadGen;
using CongressVote.Server.Demo;

namespace CongressVote.Tests.Infrastructure;

/// <summary>A load run over a test congress: its delegates, its secretary to open and close polls, its database to check.</summary>
public static class LoadRuns
{
    public static LoadOptions For(Uri server, DemoAccess access, string database, string scenario)
    {
        ArgumentNullException.ThrowIfNull(access);
        var secretary = access.Staff.Single(s => s.Role == "secretary");
        return new LoadOptions
        {
            BaseUrl = server,
            Tokens = access.Delegates.Select(d => d.Token).ToList(),
            StaffUser = secretary.UserName,
            StaffPassword = secretary.Password,
            ProjectorCode = access.ProjectorCode,
            Scenario = scenario,
            Database = database,
            Progress = TestContext.Progress,
        };
    }
}

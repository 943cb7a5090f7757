using System.Net.Http.Json;
using CongressVote.Server.Sessions;
using CongressVote.Shared;
using CongressVote.Tests.Infrastructure;

namespace CongressVote.Tests.Security;

/// <summary>
/// The console shows a staff member only what the server will accept: its permissions come from the role the
/// session answers with, and the sets it uses are the server's own.
/// </summary>
public sealed class StaffRoleTests
{
    [Test]
    public void The_consoles_permission_sets_are_the_servers_authorization_sets()
    {
        static string[] Names(Func<StaffRole, bool> may) => Enum.GetValues<StaffRole>().Where(may).Select(r => r.Name()).Order().ToArray();
        static string[] Split(string roles) => roles.Split(',').Order().ToArray();

        Assert.Multiple(() =>
        {
            Assert.That(Names(r => r.RunsPolls()), Is.EqualTo(Split(Roles.RunsPolls)));
            Assert.That(Names(r => r.ManagesDelegates()), Is.EqualTo(Split(Roles.ManagesDelegates)));
            Assert.That(Names(r => r.CountsPaper()), Is.EqualTo(Split(Roles.CountsPaper)));
            Assert.That(Names(_ => true), Is.EqualTo(Split(Roles.AnyStaff)));
            Assert.That(Names(r => r.Administers()), Is.EqualTo(new[] { Roles.Admin }));
            Assert.That(StaffRoles.Parse(Roles.Delegate), Is.Null, "a delegate is not staff");
        });
    }

    [Test]
    public async Task Each_staff_account_signs_in_to_a_session_that_names_its_role_and_a_delegate_to_one_that_names_none()
    {
        await using var server = await CongressServer.StartAsync();
        var access = await server.CreateCongressAsync(officialDelegates: 1, guests: 0);
        var seen = new List<(string Account, StaffRole? Staff)>();
        foreach (var account in access.Staff.DistinctBy(s => s.Role))
        {
            using var staff = new HttpClient(new HttpClientHandler { CookieContainer = new() }) { BaseAddress = server.BaseAddress };
            staff.DefaultRequestHeaders.Add(Routes.CsrfHeader, "1");
            using var login = await staff.PostAsJsonAsync(Routes.StaffLogin, new StaffLoginRequest(account.UserName, account.Password));
            var signedIn = await login.Content.ReadFromJsonAsync(CongressJsonContext.Default.SessionDto);
            var session = await staff.GetFromJsonAsync(Routes.Session, CongressJsonContext.Default.SessionDto);
            Assert.That(signedIn!.Staff, Is.EqualTo(session!.Staff), "the sign-in's answer and the session agree");
            seen.Add((account.Role, session.Staff));
        }

        var cookies = await server.SignInDelegateAsync(access.Delegates[0].Token);
        using var tablet = new HttpClient(new HttpClientHandler { CookieContainer = cookies }) { BaseAddress = server.BaseAddress };
        tablet.DefaultRequestHeaders.Add(Routes.CsrfHeader, "1");
        var delegateSession = await tablet.GetFromJsonAsync(Routes.Session, CongressJsonContext.Default.SessionDto);

        Assert.Multiple(() =>
        {
            Assert.That(seen, Has.Count.EqualTo(Enum.GetValues<StaffRole>().Length), "the demo congress has an account of every role");
            Assert.That(seen.Select(s => s.Staff?.Name()), Is.EqualTo(seen.Select(s => s.Account)));
            Assert.That(delegateSession!.Role, Is.EqualTo(SessionRole.Delegate));
            Assert.That(delegateSession.Staff, Is.Null);
        });
    }
}

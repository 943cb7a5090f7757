using System.Net;
using System.Net.Http.Json;
using CongressVote.Shared;
using CongressVote.Tests.Infrastructure;

namespace CongressVote.Tests.Security;

/// <summary>
/// Sign-in as seen from several devices behind the venue's proxy (on this machine, so its X-Forwarded-For is
/// trusted): guesses from one device never lock the owner out on theirs, and every device has its own limit.
/// </summary>
public sealed class SignInThrottleTests
{
    private CongressServer _server = default!;

    [OneTimeSetUp]
    public async Task StartServer() => _server = await CongressServer.StartAsync(new Dictionary<string, string?> { ["RateLimits:PerAddressPerMinute"] = "30" });

    [OneTimeTearDown]
    public async Task StopServer() => await _server.DisposeAsync();

    private async Task<(HttpStatusCode Status, string Body)> SignInAsync(string from, string user, string password)
    {
        var (client, _) = _server.NewBrowserlessClient();
        using (client)
        {
            using var request = new HttpRequestMessage(HttpMethod.Post, Routes.StaffLogin) { Content = JsonContent.Create(new StaffLoginRequest(user, password)) };
            request.Headers.Add("X-Forwarded-For", from);
            using var response = await client.SendAsync(request);
            return (response.StatusCode, await response.Content.ReadAsStringAsync());
        }
    }

    [Test]
    public async Task Guesses_from_another_device_do_not_lock_the_chair_out_of_their_own()
    {
        var access = await _server.CreateCongressAsync(officialDelegates: 2, guests: 0);
        var chair = access.Staff.Single(s => s.Role == "chair");
        var guesses = new List<string>();
        for (int i = 0; i < 6; i++)
        {
            guesses.Add((await SignInAsync("10.20.0.66", chair.UserName, "guess " + i)).Body);
        }

        var ownDevice = await SignInAsync("10.20.0.7", chair.UserName, chair.Password);
        var guesserWithTheRightPassword = await SignInAsync("10.20.0.66", chair.UserName, chair.Password);

        Assert.Multiple(() =>
        {
            Assert.That(guesses.Take(4), Has.All.Contains("bad_credentials"));
            Assert.That(guesses.Skip(4), Has.All.Contains("account_locked"), "the guessing device is locked out");
            Assert.That(ownDevice.Status, Is.EqualTo(HttpStatusCode.OK), "the chair signs in from their own device");
            Assert.That(guesserWithTheRightPassword.Status, Is.EqualTo(HttpStatusCode.Unauthorized), "the locked device stays locked, whatever it types");
        });
    }

    [Test]
    public async Task An_unknown_name_gets_the_same_answers_as_a_real_one()
    {
        var access = await _server.CreateCongressAsync(officialDelegates: 2, guests: 0);
        string real = access.Staff.Single(s => s.Role == "secretary").UserName;
        var realAnswers = new List<string>();
        var unknownAnswers = new List<string>();
        for (int i = 0; i < 6; i++)
        {
            realAnswers.Add(Code((await SignInAsync("10.30.0.1", real, "wrong")).Body));
            unknownAnswers.Add(Code((await SignInAsync("10.30.0.2", "nobody-" + real, "wrong")).Body));
        }

        Assert.That(unknownAnswers, Is.EqualTo(realAnswers), "a name's existence is not told by the answers");
    }

    private static string Code(string body) => System.Text.Json.JsonDocument.Parse(body).RootElement.GetProperty("code").GetString()!;

    [Test]
    public async Task Each_tablet_behind_the_proxy_has_its_own_sign_in_limit()
    {
        var answers = new List<HttpStatusCode>();
        for (int i = 0; i < 35; i++)
        {
            answers.Add((await SignInAsync($"10.40.0.{i + 1}", "nobody", "x")).Status);
        }

        var sameDevice = new List<HttpStatusCode>();
        for (int i = 0; i < 31; i++)
        {
            sameDevice.Add((await SignInAsync("10.41.0.1", "nobody-" + i, "x")).Status);
        }

        Assert.Multiple(() =>
        {
            Assert.That(answers, Has.None.EqualTo(HttpStatusCode.TooManyRequests), "35 devices, one attempt each");
            Assert.That(sameDevice.Last(), Is.EqualTo(HttpStatusCode.TooManyRequests), "one device, 31 attempts in a minute");
        });
    }

    [Test]
    public async Task Pages_and_answers_carry_the_security_headers_and_the_api_is_never_stored()
    {
        var (client, _) = _server.NewBrowserlessClient();
        using (client)
        {
            using var page = await client.GetAsync("/");
            using var api = await client.GetAsync(Routes.Session);

            Assert.Multiple(() =>
            {
                Assert.That(page.Headers.GetValues("Content-Security-Policy").Single(), Does.Contain("frame-ancestors 'none'").And.Contain("script-src 'self' 'wasm-unsafe-eval'"));
                Assert.That(page.Headers.GetValues("X-Content-Type-Options").Single(), Is.EqualTo("nosniff"));
                Assert.That(page.Headers.GetValues("Referrer-Policy").Single(), Is.EqualTo("no-referrer"));
                Assert.That(api.Headers.CacheControl?.NoStore, Is.True);
            });
        }
    }

    private async Task<(string Cookie, HttpClient Client)> SignedInAsync(string user, string password)
    {
        var (client, cookies) = _server.NewBrowserlessClient();
        using var response = await client.PostAsJsonAsync(Routes.StaffLogin, new StaffLoginRequest(user, password));
        response.EnsureSuccessStatusCode();
        return (cookies.GetCookieHeader(_server.BaseAddress), client);
    }

    private async Task<HttpStatusCode> ReplayAsync(string cookie)
    {
        var (client, _) = _server.NewBrowserlessClient();
        using (client)
        {
            using var request = new HttpRequestMessage(HttpMethod.Get, Routes.Session);
            request.Headers.Add("Cookie", cookie);
            using var response = await client.SendAsync(request);
            return response.StatusCode;
        }
    }

    [Test]
    public async Task A_saved_staff_cookie_is_refused_after_sign_out_and_after_a_password_reset()
    {
        var access = await _server.CreateCongressAsync(officialDelegates: 2, guests: 0);
        var secretary = access.Staff.Single(s => s.Role == "secretary");
        var (beforeSignOut, client) = await SignedInAsync(secretary.UserName, secretary.Password);
        HttpStatusCode whileSignedIn = await ReplayAsync(beforeSignOut);
        using (client)
        {
            using var signOut = await client.PostAsync(Routes.Logout, null);
        }

        HttpStatusCode afterSignOut = await ReplayAsync(beforeSignOut);

        var (beforeReset, other) = await SignedInAsync(secretary.UserName, secretary.Password);
        other.Dispose();
        using var admin = await _server.SignInStaffAsync(access, "admin");
        var accounts = (await admin.GetFromJsonAsync<List<StaffAccountDto>>("/api/staff", TestJson.Options))!;
        var account = accounts.Single(a => a.UserName == secretary.UserName);
        using var reset = await admin.PutAsJsonAsync($"/api/staff/{account.Id}",
            new StaffEditDto(account.UserName, account.DisplayName, account.Role, "a-new-password-123", false), TestJson.Options);
        HttpStatusCode afterReset = await ReplayAsync(beforeReset);

        Assert.Multiple(() =>
        {
            Assert.That(whileSignedIn, Is.EqualTo(HttpStatusCode.OK));
            Assert.That(afterSignOut, Is.EqualTo(HttpStatusCode.Unauthorized), "signing out ends the saved cookie too");
            Assert.That(reset.StatusCode, Is.EqualTo(HttpStatusCode.OK));
            Assert.That(afterReset, Is.EqualTo(HttpStatusCode.Unauthorized), "a password reset ends every cookie of the account");
        });
    }
}

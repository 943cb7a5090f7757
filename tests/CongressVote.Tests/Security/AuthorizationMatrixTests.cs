using System.Net;
using System.Net.Http.Json;
using System.Reflection;
using System.Text;
using CongressVote.Server.Demo;
using CongressVote.Server.Live;
using CongressVote.Shared;
using CongressVote.Tests.Infrastructure;
using Microsoft.AspNetCore.Routing;
using Microsoft.AspNetCore.SignalR;
using Microsoft.AspNetCore.SignalR.Client;
using Microsoft.Extensions.DependencyInjection;

namespace CongressVote.Tests.Security;

/// <summary>
/// Every endpoint and every hub method, for every kind of caller. The rules are listed here by hand; a new
/// endpoint or hub method without a rule fails the test, so nothing is added without deciding who may call it.
/// </summary>
public sealed partial class AuthorizationMatrixTests
{
    private const string Anonymous = "anonymous";
    private static readonly string[] s_staff = ["admin", "chair", "secretary", "credentials", "counting"];
    private static readonly string[] s_everyone = [Anonymous, "delegate", "projector", .. s_staff];
    private static readonly string[] s_signedIn = ["delegate", "projector", .. s_staff];
    private static readonly string[] s_runsPolls = ["admin", "chair", "secretary"];
    private static readonly string[] s_managesDelegates = ["admin", "secretary", "credentials"];
    private static readonly string[] s_readsAudit = ["admin", "chair", "secretary"];

    /// <summary>Who may call each endpoint: "METHOD pattern" to roles. Public endpoints list everyone.</summary>
    private static readonly Dictionary<string, string[]> s_rules = new(StringComparer.Ordinal)
    {
        ["POST /api/session/staff"] = s_everyone,
        ["POST /api/session/delegate"] = s_everyone,
        ["POST /api/session/projector"] = s_everyone,
        ["GET /api/session"] = s_signedIn,
        ["POST /api/session/logout"] = s_everyone,
        ["POST /api/polls/{pollId:guid}/open"] = s_runsPolls,
        ["POST /api/polls/{pollId:guid}/close"] = s_runsPolls,
        ["GET /api/delegates/"] = s_staff,
        ["GET /api/delegates/summary"] = s_staff,
        ["GET /api/delegates/export"] = s_staff,
        ["POST /api/delegates/"] = s_managesDelegates,
        ["PUT /api/delegates/{id:guid}"] = s_managesDelegates,
        ["DELETE /api/delegates/{id:guid}"] = s_managesDelegates,
        ["POST /api/delegates/import"] = s_managesDelegates,
        ["POST /api/badges/sheet"] = s_managesDelegates,
        ["POST /api/delegates/{id:guid}/badge"] = s_managesDelegates,
        ["POST /api/delegates/{id:guid}/badge/reissue"] = s_managesDelegates,
        ["POST /api/delegates/{id:guid}/revoke"] = s_managesDelegates,
        ["POST /api/checkin/scan"] = s_managesDelegates,
        ["POST /api/checkin/checkout"] = s_managesDelegates,
        ["POST /api/checkin/excuse"] = s_managesDelegates,
        ["GET /api/attendance/"] = s_staff,
        ["GET /api/attendance/report"] = s_staff,
        ["GET /api/helpdesk/"] = s_managesDelegates,
        ["POST /api/helpdesk/requests/{id:guid}/approve"] = s_managesDelegates,
        ["POST /api/helpdesk/requests/{id:guid}/refuse"] = s_managesDelegates,
        ["POST /api/helpdesk/sessions/{id:guid}/end"] = s_managesDelegates,
        ["GET /api/staff/"] = ["admin"],
        ["POST /api/staff/"] = ["admin"],
        ["PUT /api/staff/{id:guid}"] = ["admin"],
        ["GET /api/congress"] = s_staff,
        ["PUT /api/congress"] = ["admin"],
        ["POST /api/congress/projector-link"] = s_runsPolls,
        ["PUT /api/projector"] = s_runsPolls,
        ["PUT /api/projector/emblem"] = s_runsPolls,
        ["DELETE /api/projector/emblem"] = s_runsPolls,
        ["GET /api/projector/emblem"] = s_signedIn,
        ["POST /api/polls/"] = s_runsPolls,
        ["PUT /api/polls/{pollId:guid}"] = s_runsPolls,
        ["POST /api/polls/{pollId:guid}/publish"] = s_runsPolls,
        ["POST /api/polls/{pollId:guid}/cancel"] = s_runsPolls,
        ["POST /api/polls/rehearsals/purge"] = s_runsPolls,
        ["GET /api/status"] = s_staff,
        ["GET /api/polls/{pollId:guid}/voters"] = s_staff,
        ["POST /api/polls/{pollId:guid}/paper"] = ["admin", "chair", "counting"],
        ["POST /api/polls/{pollId:guid}/recount"] = ["admin", "chair", "counting"],
        ["POST /api/agenda/"] = s_runsPolls,
        ["POST /api/agenda/import"] = s_runsPolls,
        ["PUT /api/agenda/{id:guid}"] = s_runsPolls,
        ["POST /api/agenda/{id:guid}/move"] = s_runsPolls,
        ["POST /api/agenda/{id:guid}/current"] = s_runsPolls,
        ["DELETE /api/agenda/{id:guid}"] = s_runsPolls,
        ["POST /api/speakers"] = ["delegate"],
        ["POST /api/speakers/{id:guid}/withdraw"] = ["delegate"],
        ["POST /api/speakers/{id:guid}/approve"] = s_runsPolls,
        ["POST /api/speakers/{id:guid}/refuse"] = s_runsPolls,
        ["POST /api/speakers/{id:guid}/end"] = s_runsPolls,
        ["POST /api/speakers/{id:guid}/start"] = s_runsPolls,
        ["POST /api/speakers/{id:guid}/move"] = s_runsPolls,
        ["GET /api/proxies"] = s_managesDelegates,
        ["POST /api/proxies"] = s_managesDelegates,
        ["DELETE /api/proxies/{grantorId:guid}"] = s_managesDelegates,
        ["PUT /api/delegates/{id:guid}/weight"] = s_managesDelegates,
        ["POST /api/elections/"] = s_runsPolls,
        ["PUT /api/elections/{pollId:guid}"] = s_runsPolls,
        ["PUT /api/elections/{pollId:guid}/candidates"] = s_runsPolls,
        ["POST /api/elections/{pollId:guid}/candidates/import"] = s_runsPolls,
        ["POST /api/elections/{pollId:guid}/runoff"] = s_runsPolls,
        ["POST /api/elections/{pollId:guid}/paper/ballots"] = ["admin", "chair", "counting"],
        ["DELETE /api/elections/{pollId:guid}/paper/ballots/{ballotNo:int}"] = ["admin", "chair", "counting"],
        ["POST /api/elections/{pollId:guid}/paper/totals"] = ["admin", "chair", "counting"],
        ["GET /api/elections/{pollId:guid}/paper"] = s_staff,
        ["GET /api/elections/{pollId:guid}/minutes"] = s_staff,
        ["POST /api/dossiers/"] = s_runsPolls,
        ["PUT /api/dossiers/{id:guid}/presidium-list"] = s_runsPolls,
        ["POST /api/dossiers/{id:guid}/paper-nominations"] = s_runsPolls,
        ["POST /api/dossiers/{id:guid}/motion"] = s_runsPolls,
        ["PUT /api/dossiers/{id:guid}/committee"] = s_runsPolls,
        ["POST /api/dossiers/{id:guid}/withdrawals/{nominationId:guid}/record"] = s_runsPolls,
        ["POST /api/dossiers/{id:guid}/advance"] = s_runsPolls,
        ["POST /api/dossiers/{id:guid}/second-round"] = s_runsPolls,
        ["GET /api/dossiers/"] = s_staff,
        ["GET /api/dossiers/{id:guid}"] = s_staff,
        // Published ballots carry no names: every signed-in caller of the congress may check a receipt.
        ["GET /api/elections/{pollId:guid}/ballots"] = s_signedIn,
        ["GET /api/audit/"] = s_readsAudit,
        ["GET /api/audit/verify"] = s_readsAudit,
        ["GET /api/audit/export"] = s_readsAudit,
        ["GET /api/documents/"] = s_staff,
        ["GET /api/documents/heading"] = s_staff,
        ["PUT /api/documents/heading"] = s_runsPolls,
        ["GET /api/documents/credentials"] = s_staff,
        ["GET /api/documents/motions/{pollId:guid}"] = s_staff,
        ["GET /api/documents/elections/{pollId:guid}"] = s_staff,
        ["GET /api/documents/congress"] = s_staff,
        ["GET /api/documents/signin"] = s_staff,
        ["GET /api/documents/ballots/{pollId:guid}"] = s_staff,
        // The archive holds the audit trail.
        ["GET /api/documents/archive"] = s_readsAudit,
    };

    /// <summary>Who may call each hub method.</summary>
    private static readonly Dictionary<string, string[]> s_hubRules = new(StringComparer.Ordinal)
    {
        [nameof(ICongressHub.Snapshot)] = s_signedIn,
        [nameof(ICongressHub.Cast)] = ["delegate"],
        [nameof(ICongressHub.Dossier)] = s_signedIn,
        [nameof(ICongressHub.SearchNominees)] = ["delegate"],
        [nameof(ICongressHub.Nominate)] = ["delegate"],
        [nameof(ICongressHub.AnswerNomination)] = ["delegate"],
        [nameof(ICongressHub.AskToWithdraw)] = ["delegate"],
    };

    private CongressServer _server = default!;
    private DemoAccess _access = default!;
    private readonly Dictionary<string, (HttpClient Client, System.Net.CookieContainer Cookies)> _callers = [];

    [OneTimeSetUp]
    public async Task SignEveryoneIn()
    {
        _server = await CongressServer.StartAsync();
        _access = await _server.CreateCongressAsync(officialDelegates: 3, guests: 0);
        _callers[Anonymous] = _server.NewBrowserlessClient();
        var delegateCaller = _server.NewBrowserlessClient();
        (await delegateCaller.Client.PostAsJsonAsync(Routes.DelegateLogin, CongressServer.Login(_access.Delegates[0].Token))).EnsureSuccessStatusCode();
        _callers["delegate"] = delegateCaller;
        var projector = _server.NewBrowserlessClient();
        (await projector.Client.PostAsJsonAsync(Routes.ProjectorLogin, new TokenLoginRequest(_access.ProjectorCode))).EnsureSuccessStatusCode();
        _callers["projector"] = projector;
        var admin = _server.NewBrowserlessClient();
        var adminAccount = _access.Staff.Single(s => s.Role == "admin");
        (await admin.Client.PostAsJsonAsync(Routes.StaffLogin, new StaffLoginRequest(adminAccount.UserName, adminAccount.Password))).EnsureSuccessStatusCode();
        (await admin.Client.PostAsJsonAsync("/api/staff", new StaffEditDto($"counting-{_access.CongressId:N}"[..30], "Ban Kiểm phiếu", "counting", "counting-password", false), TestJson.Options)).EnsureSuccessStatusCode();
        _callers["admin"] = admin;
        foreach (string role in s_staff.Where(r => r != "admin"))
        {
            var caller = _server.NewBrowserlessClient();
            var account = role == "counting"
                ? ($"counting-{_access.CongressId:N}"[..30], "counting-password")
                : (_access.Staff.Single(s => s.Role == role).UserName, _access.Staff.Single(s => s.Role == role).Password);
            (await caller.Client.PostAsJsonAsync(Routes.StaffLogin, new StaffLoginRequest(account.Item1, account.Item2))).EnsureSuccessStatusCode();
            _callers[role] = caller;
        }
    }

    [OneTimeTearDown]
    public async Task Stop()
    {
        foreach (var (client, _) in _callers.Values)
        {
            client.Dispose();
        }

        await _server.DisposeAsync();
    }

    private IEnumerable<RouteEndpoint> ApiEndpoints() =>
        _server.Services.GetRequiredService<EndpointDataSource>().Endpoints.OfType<RouteEndpoint>()
            .Where(e => e.RoutePattern.RawText?.StartsWith("/api/", StringComparison.Ordinal) == true && !e.RoutePattern.RawText.Contains("**", StringComparison.Ordinal));

    private static IEnumerable<string> Keys(RouteEndpoint endpoint) =>
        (endpoint.Metadata.GetMetadata<HttpMethodMetadata>()?.HttpMethods ?? ["ANY"]).Select(m => $"{m} {endpoint.RoutePattern.RawText}");

    [Test]
    public void Every_endpoint_has_an_authorization_rule()
    {
        var missing = ApiEndpoints().SelectMany(Keys).Where(k => !s_rules.ContainsKey(k)).ToList();
        var stale = s_rules.Keys.Where(k => !ApiEndpoints().SelectMany(Keys).Contains(k)).ToList();
        Assert.Multiple(() =>
        {
            Assert.That(missing, Is.Empty, "endpoints without a rule");
            Assert.That(stale, Is.Empty, "rules for endpoints that no longer exist");
        });
    }

    [Test]
    public void Every_hub_method_has_an_authorization_rule()
    {
        var methods = typeof(CongressHub).GetMethods(BindingFlags.Public | BindingFlags.Instance | BindingFlags.DeclaredOnly)
            .Where(m => !m.IsSpecialName && m.Name is not (nameof(Hub.OnConnectedAsync) or nameof(Hub.OnDisconnectedAsync)))
            .Select(m => m.Name).ToList();
        Assert.That(methods, Is.EquivalentTo(s_hubRules.Keys));
    }

    [Test]
    public async Task Every_endpoint_refuses_exactly_the_callers_its_rule_leaves_out()
    {
        var wrong = new List<string>();
        // Logging out would end the caller's session; it is public and checked last.
        // Re-pairing the projector ends the projector caller's session: it goes last.
        foreach (var endpoint in ApiEndpoints().OrderBy(e => e.RoutePattern.RawText == "/api/congress/projector-link"))
        {
            foreach (string key in Keys(endpoint))
            {
                string method = key[..key.IndexOf(' ', StringComparison.Ordinal)];
                string url = RouteParameter().Replace(endpoint.RoutePattern.RawText!, m => m.Value.EndsWith(":int}", StringComparison.Ordinal) ? "1" : Guid.NewGuid().ToString());
                foreach (string role in s_everyone)
                {
                    if (key == "POST /api/session/logout")
                    {
                        continue;
                    }

                    using var request = new HttpRequestMessage(new HttpMethod(method), url);
                    if (key is "POST /api/delegates/import" or "POST /api/elections/{pollId:guid}/candidates/import")
                    {
                        request.Content = new MultipartFormDataContent();
                    }
                    else if (method != "GET")
                    {
                        request.Content = new StringContent("{}", Encoding.UTF8, "application/json");
                    }

                    using var response = await _callers[role].Client.SendAsync(request);
                    string body = await response.Content.ReadAsStringAsync();
                    // A refusal by the authorization layer carries no problem code; "wrong password" and the like do.
                    bool refused = response.StatusCode is HttpStatusCode.Unauthorized or HttpStatusCode.Forbidden && !body.Contains("\"code\"", StringComparison.Ordinal);
                    bool allowed = s_rules[key].Contains(role);
                    if (allowed == refused)
                    {
                        wrong.Add($"{key} as {role}: {(int)response.StatusCode}");
                    }
                }
            }
        }

        Assert.That(wrong, Is.Empty);
    }

    [Test]
    public async Task Every_hub_method_refuses_exactly_the_callers_its_rule_leaves_out()
    {
        var wrong = new List<string>();
        foreach (string role in s_everyone)
        {
            if (role == Anonymous)
            {
                Assert.ThrowsAsync<HttpRequestException>(() => _server.ConnectHubAsync(_callers[role].Cookies), "an unauthenticated connection gets nothing");
                continue;
            }

            var cookies = _callers[role].Cookies;
            if (role == "projector")
            {
                // The endpoint matrix re-pairs the projector; pair a fresh one from the link the console gets.
                using var link = await _callers["admin"].Client.PostAsync("/api/congress/projector-link", null);
                string url = (await link.Content.ReadFromJsonAsync<string>())!;
                var projector = _server.NewBrowserlessClient();
                using (projector.Client)
                {
                    (await projector.Client.PostAsJsonAsync(Routes.ProjectorLogin, new TokenLoginRequest(url[(url.IndexOf('#', StringComparison.Ordinal) + 1)..]))).EnsureSuccessStatusCode();
                }

                cookies = projector.Cookies;
            }

            await using var hub = await _server.ConnectHubAsync(cookies);
            foreach (var (method, roles) in s_hubRules)
            {
                bool refused = false;
                try
                {
                    if (method == nameof(ICongressHub.Cast))
                    {
                        await hub.InvokeAsync<CastResult>(method, new CastRequest(Guid.NewGuid(), VoteChoice.Yes, Guid.NewGuid()));
                    }
                    else if (method == nameof(ICongressHub.Dossier))
                    {
                        await hub.InvokeAsync<DossierDto?>(method);
                    }
                    else if (method == nameof(ICongressHub.SearchNominees))
                    {
                        await hub.InvokeAsync<List<NomineeDto>>(method, new NomineeSearchRequest("an"));
                    }
                    else if (method == nameof(ICongressHub.Nominate))
                    {
                        await hub.InvokeAsync<DossierAnswer>(method, new NominateRequest(Guid.NewGuid(), Guid.NewGuid()));
                    }
                    else if (method == nameof(ICongressHub.AnswerNomination))
                    {
                        await hub.InvokeAsync<DossierAnswer>(method, new NominationAnswerRequest(Guid.NewGuid(), true));
                    }
                    else if (method == nameof(ICongressHub.AskToWithdraw))
                    {
                        await hub.InvokeAsync<DossierAnswer>(method, new WithdrawalRequest(Guid.NewGuid(), "lý do"));
                    }
                    else
                    {
                        await hub.InvokeAsync<CongressSnapshotDto>(method);
                    }
                }
                catch (HubException ex) when (ex.Message.Contains("unauthorized", StringComparison.OrdinalIgnoreCase))
                {
                    refused = true;
                }

                if (roles.Contains(role) == refused)
                {
                    wrong.Add($"{method} as {role}: {(refused ? "refused" : "allowed")}");
                }
            }
        }

        Assert.That(wrong, Is.Empty);
    }

    [System.Text.RegularExpressions.GeneratedRegex(@"\{[^}]+\}")]
    private static partial System.Text.RegularExpressions.Regex RouteParameter();
}

using CongressVote.Server;
using CongressVote.Server.Badges;
using CongressVote.Server.Agenda;
using CongressVote.Server.Audit;
using CongressVote.Server.CheckIn;
using CongressVote.Server.Congresses;
using CongressVote.Server.Data;
using CongressVote.Server.Delegates;
using CongressVote.Server.Documents;
using CongressVote.Server.Demo;
using CongressVote.Server.Elections;
using CongressVote.Server.Live;
using CongressVote.Server.Operations;
using CongressVote.Server.Polls;
using CongressVote.Server.Projector;
using CongressVote.Server.Sessions;
using CongressVote.Server.Venue;
using CongressVote.Shared;

var builder = WebApplication.CreateBuilder(args);
// No "Server: Kestrel" on every response: it tells an attacker nothing useful to us, and tablets download it 50 times.
builder.WebHost.ConfigureKestrel(kestrel => kestrel.AddServerHeader = false);
builder.AddHallTls();

builder.Services.AddCongressDatabase(builder.Configuration);
builder.Services.AddAudit();
builder.Services.AddSessions(builder.Configuration);
builder.Services.AddSignInRateLimits(builder.Configuration);
builder.Services.AddProxies(builder.Configuration);
builder.Services.AddLive(builder.Configuration);
builder.Services.AddPolls();
builder.Services.AddSingleton<CongressVote.Server.Elections.Dossiers>();
builder.AddOperations();
builder.Services.AddBadges(builder.Configuration);
builder.Services.AddDemo(builder.Configuration);
builder.Services.AddProblemDetails();
builder.Services.ConfigureHttpJsonOptions(o => o.SerializerOptions.TypeInfoResolverChain.Insert(0, CongressJsonContext.Default));

var app = builder.Build();

// A body that does not parse is the caller's mistake: 400 with a problem, never a 500.
app.UseExceptionHandler(new ExceptionHandlerOptions
{
    StatusCodeSelector = ex => ex is BadHttpRequestException bad ? bad.StatusCode : StatusCodes.Status500InternalServerError,
});
app.UseForwardedHeaders();
app.UseHttpsWhenServed();
app.UseStatusCodePages();
app.UseSecurityHeaders();
app.UseCsrfHeader();
app.UseHubOriginCheck();
app.UseRateLimiter();
app.UseAuthentication();
app.UseAuthorization();

app.MapHealth();
app.MapMetrics();
app.MapStatusApi();
app.MapAuthorityPage();
app.MapStaticAssets();
app.MapSessionApi();
app.MapPollsApi();
app.MapMotionsApi();
app.MapPollResultsApi();
app.MapRehearsalsApi();
app.MapElectionsApi();
app.MapElectionPaperApi();
app.MapDossiersApi();
app.MapAgendaApi();
app.MapSpeakersApi();
app.MapDelegatesApi();
app.MapProxiesApi();
app.MapBadgesApi();
app.MapCheckInApi();
app.MapHelpDeskApi();
app.MapStaffApi();
app.MapCongressApi();
app.MapAuditApi();
app.MapDocumentsApi();
app.MapProjectorApi();
app.MapLive();
app.MapUnknownApiRoutes();
app.MapFallbackToFile("index.html");

app.Run();

using System.Diagnostics.Metrics;
using System.Net;
using CongressVote.Server.Live;
using CongressVote.Server.Sessions;
using OpenTelemetry.Metrics;

namespace CongressVote.Server.Operations;

/// <summary>
/// What the venue's monitoring reads at <c>/metrics</c> (Prometheus text): ballots and how long each took to be
/// durable, batch sizes, how stale the hall's tallies get, live connections, the backplane, and, from the
/// framework and Npgsql, requests, Kestrel and SignalR connections and the database pool.
/// </summary>
public static class CongressMetrics
{
    public const string MeterName = "CongressVote";

    private static readonly Meter s_meter = new(MeterName);

    /// <summary>Ballots answered, by outcome (recorded, already voted, not recorded…).</summary>
    public static readonly Counter<long> Ballots = s_meter.CreateCounter<long>("congressvote.ballots", description: "Ballots answered, by outcome");

    /// <summary>From the hub receiving a cast to its answer, which follows the commit: what a delegate waits.</summary>
    public static readonly Histogram<double> CastDuration = s_meter.CreateHistogram<double>(
        "congressvote.cast.duration", unit: "ms", description: "From a cast arriving to its answer after the commit",
        advice: new InstrumentAdvice<double> { HistogramBucketBoundaries = [1, 2, 5, 10, 25, 50, 100, 250, 500, 1000, 2500, 5000] });

    public static readonly Histogram<int> BatchSize = s_meter.CreateHistogram<int>(
        "congressvote.batch.size", description: "Ballots written in one transaction",
        advice: new InstrumentAdvice<int> { HistogramBucketBoundaries = [1, 2, 4, 8, 16, 32, 64, 128, 256] });

    /// <summary>From a ballot first marking its poll's tally stale to the new tally reaching the screens.</summary>
    public static readonly Histogram<double> TallyLag = s_meter.CreateHistogram<double>(
        "congressvote.tally.lag", unit: "ms", description: "From a ballot to the tally that counts it being pushed",
        advice: new InstrumentAdvice<double> { HistogramBucketBoundaries = [50, 100, 250, 500, 1000, 2500, 5000] });

    public static IServiceCollection AddCongressMetrics(this IServiceCollection services)
    {
        services.AddOpenTelemetry().WithMetrics(metrics => metrics
            .AddMeter(MeterName, "Npgsql", "Microsoft.AspNetCore.Hosting", "Microsoft.AspNetCore.Server.Kestrel", "Microsoft.AspNetCore.Http.Connections")
            .AddPrometheusExporter());
        return services;
    }

    /// <summary>Gauges read from this node's live state when scraped.</summary>
    public static void Observe(ConnectionRegistry connections, BackplaneState backplane)
    {
        ArgumentNullException.ThrowIfNull(connections);
        ArgumentNullException.ThrowIfNull(backplane);
        s_meter.CreateObservableGauge("congressvote.hub.connections", () => connections.Count, description: "Live hub connections on this node");
        s_meter.CreateObservableGauge("congressvote.backplane.connected", () => backplane.Describe() switch { "connected" => 1, "disconnected" => 0, _ => -1 },
            description: "1 connected, 0 disconnected, -1 none configured");
    }

    /// <summary>
    /// The monitoring on this machine reads it without signing in; from elsewhere only staff do (it tells how many
    /// tablets are on and how fast the server is, not who voted how).
    /// </summary>
    public static IEndpointRouteBuilder MapMetrics(this WebApplication app)
    {
        Observe(app.Services.GetRequiredService<ConnectionRegistry>(), app.Services.GetRequiredService<BackplaneState>());
        app.MapPrometheusScrapingEndpoint("/metrics").RequireAuthorization(policy => policy.RequireAssertion(context =>
            (context.Resource is HttpContext http && http.Connection.RemoteIpAddress is { } address && IPAddress.IsLoopback(address))
            || Roles.AnyStaff.Split(',').Any(context.User.IsInRole)));
        return app;
    }
}

using Microsoft.AspNetCore.SignalR;
using CongressVote.Shared;

namespace CongressVote.Server.Live;

public static class LiveSetup
{
    /// <summary>The largest hub message accepted; a ballot is about 150 bytes.</summary>
    public const int MaximumMessageBytes = 4 * 1024;

    public static IServiceCollection AddLive(this IServiceCollection services, IConfiguration configuration)
    {
        services.Configure<HubLimitOptions>(configuration.GetSection("HubLimits"));
        var backplane = new BackplaneState();
        services.AddSingleton(backplane);
        var signalR = services.AddSignalR(options =>
            {
                options.MaximumReceiveMessageSize = MaximumMessageBytes;
                options.AddFilter<InvocationLimitFilter>();
            })
            .AddJsonProtocol(options =>
            {
                options.PayloadSerializerOptions.TypeInfoResolverChain.Insert(0, CongressJsonContext.Default);
                options.PayloadSerializerOptions.TypeInfoResolverChain.Add(HubWireJsonContext.Default);
            });
        if (configuration["Redis:Connection"] is { Length: > 0 } redis)
        {
            // Several nodes behind a proxy: live pushes cross nodes through Redis. Ballots and snapshots never do;
            // they go to PostgreSQL, so a Redis outage pauses other nodes' tallies and nothing else.
            var redisOptions = StackExchange.Redis.ConfigurationOptions.Parse(redis);
            redisOptions.AbortOnConnectFail = false;
            redisOptions.ConnectTimeout = 2000;
            redisOptions.AsyncTimeout = 2000;
            redisOptions.SyncTimeout = 2000;
            redisOptions.BacklogPolicy = StackExchange.Redis.BacklogPolicy.FailFast;
            // Try again every half second: when Redis returns, clients should converge within seconds.
            redisOptions.ReconnectRetryPolicy = new StackExchange.Redis.LinearRetry(500);
            redisOptions.ChannelPrefix = StackExchange.Redis.RedisChannel.Literal(configuration["Redis:ChannelPrefix"] ?? "congressvote");
            signalR.AddStackExchangeRedis(options => options.ConnectionFactory = async writer =>
            {
                var multiplexer = await StackExchange.Redis.ConnectionMultiplexer.ConnectAsync(redisOptions, writer);
                backplane.Attach(multiplexer);
                return multiplexer;
            });
            services.AddSingleton(typeof(HubLifetimeManager<>), typeof(ResilientRedisHubLifetimeManager<>));
        }

        services.AddSingleton<CongressSnapshots>();
        services.AddSingleton<ConnectionRegistry>();
        services.AddSingleton<InvocationLimitFilter>();
        services.AddSingleton<LiveTallies>();
        services.AddSingleton<CongressNotifier>();
        services.AddHostedService(sp => sp.GetRequiredService<CongressNotifier>());
        return services;
    }

    public static IEndpointRouteBuilder MapLive(this IEndpointRouteBuilder app)
    {
        app.MapHub<CongressHub>(Routes.Hub);
        return app;
    }
}

/// <summary>The one wire type only the server reads: a cast taken raw, so that it can be read strictly (CastWire).</summary>
[System.Text.Json.Serialization.JsonSerializable(typeof(System.Text.Json.JsonElement?))]
internal sealed partial class HubWireJsonContext : System.Text.Json.Serialization.JsonSerializerContext;

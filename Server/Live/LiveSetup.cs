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
        services.AddSignalR(options =>
            {
                options.MaximumReceiveMessageSize = MaximumMessageBytes;
                options.AddFilter<InvocationLimitFilter>();
            })
            .AddJsonProtocol(options => options.PayloadSerializerOptions.TypeInfoResolverChain.Insert(0, CongressJsonContext.Default));
        services.AddSingleton<CongressSnapshots>();
        services.AddSingleton<ConnectionRegistry>();
        services.AddSingleton<InvocationLimitFilter>();
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

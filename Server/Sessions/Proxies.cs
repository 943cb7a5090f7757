using System.Net;
using Microsoft.AspNetCore.HttpOverrides;

namespace CongressVote.Server.Sessions;

public static class Proxies
{
    /// <summary>
    /// Behind the shipped nginx every tablet would share the proxy's address, and with it one sign-in limit and one
    /// throttle. The client's address is taken from X-Forwarded-For, but only when the request comes from a proxy
    /// this server was told about (Proxy:KnownProxies, comma-separated) or from this machine itself. The scheme is
    /// taken from X-Forwarded-Proto the same way: behind nginx ending TLS, a page's https:// origin is this server's
    /// own (the hub's origin check) and its cookies are marked Secure.
    /// </summary>
    public static IServiceCollection AddProxies(this IServiceCollection services, IConfiguration configuration)
    {
        services.Configure<ForwardedHeadersOptions>(options =>
        {
            options.ForwardedHeaders = ForwardedHeaders.XForwardedFor | ForwardedHeaders.XForwardedProto;
            options.ForwardLimit = 1;
            foreach (string proxy in (configuration["Proxy:KnownProxies"] ?? "").Split(',', StringSplitOptions.TrimEntries | StringSplitOptions.RemoveEmptyEntries))
            {
                options.KnownProxies.Add(IPAddress.Parse(proxy));
            }
        });
        return services;
    }
}

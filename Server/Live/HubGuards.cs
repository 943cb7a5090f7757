using CongressVote.Server.Venue;
using CongressVote.Shared;
using Microsoft.AspNetCore.SignalR;
using Microsoft.Extensions.Options;

namespace CongressVote.Server.Live;

public sealed class HubLimitOptions
{
    /// <summary>Hub calls one connection may make per window; a tablet makes a handful per vote.</summary>
    public int InvocationsPerWindow { get; set; } = 30;

    public int WindowSeconds { get; set; } = 10;
}

/// <summary>Limits the calls one connection makes, so a faulty or hostile client cannot flood the ballot box.</summary>
public sealed class InvocationLimitFilter(IOptions<HubLimitOptions> options) : IHubFilter
{
    private sealed class Window
    {
        public DateTime Start { get; set; }

        public int Count { get; set; }
    }

    public async ValueTask<object?> InvokeMethodAsync(HubInvocationContext invocationContext, Func<HubInvocationContext, ValueTask<object?>> next)
    {
        ArgumentNullException.ThrowIfNull(invocationContext);
        ArgumentNullException.ThrowIfNull(next);
        var limits = options.Value;
        var items = invocationContext.Context.Items;
        // One connection's calls run one at a time (MaximumParallelInvocationsPerClient is 1), so no lock is needed.
        if (items.TryGetValue(typeof(Window), out var value) is false || value is not Window window)
        {
            window = new Window { Start = DateTime.UtcNow };
            items[typeof(Window)] = window;
        }

        if (DateTime.UtcNow - window.Start > TimeSpan.FromSeconds(limits.WindowSeconds))
        {
            window.Start = DateTime.UtcNow;
            window.Count = 0;
        }

        if (++window.Count > limits.InvocationsPerWindow)
        {
            throw new HubException("rate_limited: too many calls from this connection; wait a few seconds.");
        }

        return await next(invocationContext);
    }
}

public static class OriginCheck
{
    /// <summary>
    /// A browser page from another site must not open a live connection with the delegate's cookie: the hub
    /// accepts a browser's Origin only when it is this server's own address or the configured venue address.
    /// </summary>
    public static IApplicationBuilder UseHubOriginCheck(this IApplicationBuilder app) => app.Use(async (context, next) =>
    {
        if (context.Request.Path.StartsWithSegments(Routes.Hub, StringComparison.OrdinalIgnoreCase)
            && context.Request.Headers.Origin is { Count: > 0 } origins
            && !IsAllowed(origins.ToString(), context))
        {
            context.RequestServices.GetRequiredService<ILoggerFactory>().CreateLogger("CongressVote.Security")
                .LogWarning("Refused a hub connection from the foreign origin {Origin}", origins.ToString());
            await Problems.Forbidden("foreign_origin", "Live connections are accepted only from this server's own pages.").ExecuteAsync(context);
            return;
        }

        await next(context);
    });

    private static bool IsAllowed(string origin, HttpContext context)
    {
        if (!Uri.TryCreate(origin, UriKind.Absolute, out var uri))
        {
            return false;
        }

        string own = $"{context.Request.Scheme}://{context.Request.Host}";
        string? venue = context.RequestServices.GetRequiredService<IOptions<VenueOptions>>().Value.PublicUrl?.TrimEnd('/');
        string actual = uri.GetLeftPart(UriPartial.Authority);
        return string.Equals(actual, own, StringComparison.OrdinalIgnoreCase)
            || (venue is { Length: > 0 } && string.Equals(actual, venue, StringComparison.OrdinalIgnoreCase));
    }
}

using System.Threading.RateLimiting;
using CongressVote.Shared;

namespace CongressVote.Server.Sessions;

public sealed class RateLimitOptions
{
    /// <summary>Sign-in attempts (badge, display code, password) one address may make per minute.</summary>
    public int PerAddressPerMinute { get; set; } = 30;

    /// <summary>Sign-in attempts the whole server takes per second; a hall of tablets arriving at once is queued, not refused.</summary>
    public int OverallPerSecond { get; set; } = 100;
}

/// <summary>
/// Limits sign-in attempts per address and overall, so a badge token or a password cannot be guessed by
/// trying. Refusals are 429 with a sentence that says when to try again.
/// </summary>
public static class RateLimits
{
    private static readonly string[] s_limited = [Routes.StaffLogin, Routes.DelegateLogin, Routes.ProjectorLogin];

    public static IServiceCollection AddSignInRateLimits(this IServiceCollection services, IConfiguration configuration)
    {
        var options = configuration.GetSection("RateLimits").Get<RateLimitOptions>() ?? new RateLimitOptions();
        services.AddRateLimiter(limiter =>
        {
            limiter.GlobalLimiter = PartitionedRateLimiter.CreateChained(
                PartitionedRateLimiter.Create<HttpContext, string>(context => IsSignIn(context)
                    ? RateLimitPartition.GetFixedWindowLimiter(
                        context.Connection.RemoteIpAddress?.ToString() ?? "unknown",
                        _ => new FixedWindowRateLimiterOptions { PermitLimit = options.PerAddressPerMinute, Window = TimeSpan.FromMinutes(1) })
                    : RateLimitPartition.GetNoLimiter("other")),
                PartitionedRateLimiter.Create<HttpContext, string>(context => IsSignIn(context)
                    ? RateLimitPartition.GetTokenBucketLimiter("all", _ => new TokenBucketRateLimiterOptions
                    {
                        TokenLimit = options.OverallPerSecond,
                        TokensPerPeriod = options.OverallPerSecond,
                        ReplenishmentPeriod = TimeSpan.FromSeconds(1),
                        QueueLimit = 2000,
                        QueueProcessingOrder = QueueProcessingOrder.OldestFirst,
                    })
                    : RateLimitPartition.GetNoLimiter("other")));
            limiter.OnRejected = async (context, cancellationToken) =>
            {
                context.HttpContext.Response.StatusCode = StatusCodes.Status429TooManyRequests;
                context.HttpContext.Response.Headers.RetryAfter = "60";
                await Problems.TooManyRequests("rate_limited", "Too many sign-in attempts from this address; wait a minute and try again.")
                    .ExecuteAsync(context.HttpContext);
            };
        });
        return services;
    }

    private static bool IsSignIn(HttpContext context) =>
        HttpMethods.IsPost(context.Request.Method) && s_limited.Contains(context.Request.Path.Value?.TrimEnd('/'), StringComparer.OrdinalIgnoreCase);
}

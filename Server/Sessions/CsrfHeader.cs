using CongressVote.Shared;

namespace CongressVote.Server.Sessions;

public static class CsrfHeader
{
    /// <summary>Refuses a state-changing /api call that lacks the app's custom header.</summary>
    public static IApplicationBuilder UseCsrfHeader(this IApplicationBuilder app) => app.Use(async (context, next) =>
    {
        var request = context.Request;
        bool changesState = !(HttpMethods.IsGet(request.Method) || HttpMethods.IsHead(request.Method) || HttpMethods.IsOptions(request.Method));
        if (changesState && request.Path.StartsWithSegments("/api", StringComparison.OrdinalIgnoreCase) && !request.Headers.ContainsKey(Routes.CsrfHeader))
        {
            await Problems.BadRequest("missing_csrf_header", $"State-changing calls must carry the {Routes.CsrfHeader} header.").ExecuteAsync(context);
            return;
        }

        await next(context);
    });
}

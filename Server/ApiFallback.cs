namespace CongressVote.Server;

public static class ApiFallback
{
    /// <summary>An unknown /api address is a 404 problem, not the app's index page.</summary>
    public static IEndpointRouteBuilder MapUnknownApiRoutes(this IEndpointRouteBuilder app)
    {
        app.Map("/api/{**rest}", () => Problems.NotFound("unknown_route", "There is no such API address."));
        return app;
    }
}

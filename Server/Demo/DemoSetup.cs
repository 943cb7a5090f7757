namespace CongressVote.Server.Demo;

public static class DemoSetup
{
    public static IServiceCollection AddDemo(this IServiceCollection services, IConfiguration configuration)
    {
        services.Configure<DemoOptions>(configuration.GetSection("Demo"));
        // Registered after the database start-up, so the schema exists when the demo is seeded.
        services.AddHostedService<DemoStartup>();
        services.Configure<Congresses.SetupOptions>(configuration.GetSection("Setup"));
        services.AddHostedService<Congresses.FirstStart>();
        return services;
    }
}

namespace CongressVote.Server.Operations;

public static class OperationsSetup
{
    /// <summary>Backups after every close, metrics for the venue's monitoring, and JSON logs when a log collector wants them.</summary>
    public static WebApplicationBuilder AddOperations(this WebApplicationBuilder builder)
    {
        builder.Services.AddBackups(builder.Configuration);
        builder.Services.AddCongressMetrics();
        if (builder.Configuration.GetValue<bool>("Logging:Json"))
        {
            // One JSON object a line, with the message's fields apart: what journald exporters and Loki read best.
            builder.Logging.ClearProviders().AddJsonConsole(json => json.UseUtcTimestamp = true);
        }

        return builder;
    }
}

namespace CongressVote.Server.Sessions;

public static class SecurityHeaders
{
    /// <summary>
    /// The app's own scripts only (Blazor needs 'wasm-unsafe-eval' to run WebAssembly, and sets inline styles),
    /// nothing from elsewhere, never framed: a hall LAN has no CDN, so nothing legitimate is lost.
    /// </summary>
    public const string ContentSecurityPolicy =
        "default-src 'self'; script-src 'self' 'wasm-unsafe-eval'; style-src 'self' 'unsafe-inline'; img-src 'self' data: blob:; " +
        "connect-src 'self'; font-src 'self'; worker-src 'self'; object-src 'none'; base-uri 'self'; form-action 'self'; frame-ancestors 'none'";

    /// <summary>
    /// The page policies (CSP, framing, referrer) on the pages themselves, where they take effect; nosniff on pages
    /// and on everything the API answers (uploads, exports), while the app's own static files go with their exact
    /// types (a tablet's first load is 57 files: policies on each would add about 20 KB for nothing). API answers
    /// (personal data, exports, badges) are never stored by a browser or a proxy: a shared tablet or the venue's
    /// cache must not keep a delegate list.
    /// </summary>
    public static IApplicationBuilder UseSecurityHeaders(this IApplicationBuilder app) => app.Use((context, next) =>
    {
        context.Response.OnStarting(() =>
        {
            var headers = context.Response.Headers;
            if (context.Response.ContentType?.StartsWith("text/html", StringComparison.OrdinalIgnoreCase) == true)
            {
                headers.XContentTypeOptions = "nosniff";
                headers.ContentSecurityPolicy = ContentSecurityPolicy;
                headers.XFrameOptions = "DENY";
                headers["Referrer-Policy"] = "no-referrer";
            }

            // A fingerprinted file is never revalidated (immutable): its validators are bytes on every one of a
            // tablet's 50-odd first-load answers for nothing (about 6 KB over HTTP/1.1).
            if (headers.CacheControl.ToString().Contains("immutable", StringComparison.Ordinal))
            {
                headers.Remove("ETag");
                headers.Remove("Last-Modified");
                headers.Remove("Accept-Ranges");
            }

            if (context.Request.Path.StartsWithSegments("/api", StringComparison.OrdinalIgnoreCase))
            {
                headers.XContentTypeOptions = "nosniff";
                headers.CacheControl = "no-store";
                headers["Referrer-Policy"] = "no-referrer";
            }

            return Task.CompletedTask;
        });
        return next(context);
    });
}

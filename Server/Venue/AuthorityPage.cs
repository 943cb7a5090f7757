using System.Net;

namespace CongressVote.Server.Venue;

/// <summary>
/// The page staff open on each tablet before the congress, over plain HTTP (the tablet does not trust HTTPS yet):
/// the hall authority's certificate to install, its fingerprint to compare with the one the server printed at
/// start, and the steps for Android, iOS and Windows, in both languages. Only the certificate, never its key.
/// </summary>
public static class AuthorityPage
{
    public static IEndpointRouteBuilder MapAuthorityPage(this IEndpointRouteBuilder app)
    {
        app.MapGet("/ca.crt", (HallCertificates certificates) =>
            // DER with this type: Android and Windows open it as a certificate, iOS offers it as a profile.
            TypedResults.File(certificates.Authority.RawData, "application/x-x509-ca-cert", "congressvote-hall-ca.crt"));
        app.MapGet("/ca", (HallCertificates certificates, HttpContext http) =>
        {
            string fingerprint = WebUtility.HtmlEncode(certificates.Fingerprint);
            string subject = WebUtility.HtmlEncode(certificates.Authority.GetNameInfo(System.Security.Cryptography.X509Certificates.X509NameType.SimpleName, false));
            string https = WebUtility.HtmlEncode(HttpsAddress(http));
            return TypedResults.Content($$"""
                <!DOCTYPE html>
                <html lang="vi"><head><meta charset="utf-8"><meta name="viewport" content="width=device-width, initial-scale=1">
                <title>Chứng chỉ của hội trường / The hall's certificate</title>
                <style>
                  body { font-family: system-ui, sans-serif; font-size: 20px; line-height: 1.5; max-width: 46em; margin: 1em auto; padding: 0 1em; color: #111; }
                  a.button { display: inline-block; min-height: 44px; padding: .6em 1.2em; background: #0b5cad; color: #fff; border-radius: 8px; text-decoration: none; font-weight: 600; }
                  code { font-size: 18px; word-break: break-all; background: #f1f1f1; padding: .2em .4em; }
                  h2 { margin-top: 1.6em; } li { margin: .4em 0; }
                </style></head>
                <body>
                <h1>Chứng chỉ gốc của hội trường<br><span lang="en">The hall's certificate authority</span></h1>
                <p><a class="button" href="/ca.crt" download="congressvote-hall-ca.crt">Tải chứng chỉ / Download the certificate</a></p>
                <p>{{subject}}<br>SHA-256: <code data-testid="fingerprint">{{fingerprint}}</code></p>
                <p>So dấu vân tay này với dấu vân tay máy chủ in ra khi khởi động trước khi cài.
                <span lang="en">Compare this fingerprint with the one the server printed at start before installing it.</span></p>
                <h2>Cài đặt / Installing it</h2>
                <ul>
                <li><b>Android:</b> Cài đặt → Bảo mật → Mã hoá và thông tin xác thực → Cài đặt chứng chỉ → Chứng chỉ CA → chọn tệp đã tải.
                  <span lang="en">Settings → Security → Encryption &amp; credentials → Install a certificate → CA certificate → choose the downloaded file.</span></li>
                <li><b>iPad / iPhone:</b> mở liên kết bằng Safari, cho phép tải hồ sơ; Cài đặt → Cài đặt chung → VPN &amp; Quản lý thiết bị → cài hồ sơ; rồi Cài đặt → Cài đặt chung → Giới thiệu → Cài đặt tin cậy chứng nhận → bật tin cậy hoàn toàn.
                  <span lang="en">Open this link in Safari and allow the profile; Settings → General → VPN &amp; Device Management → install it; then Settings → General → About → Certificate Trust Settings → turn on full trust.</span></li>
                <li><b>Windows:</b> mở tệp → Cài đặt chứng chỉ → Máy cục bộ → Đặt vào kho: Tổ chức chứng nhận gốc tin cậy.
                  <span lang="en">Open the file → Install Certificate → Local Machine → Place in: Trusted Root Certification Authorities.</span></li>
                </ul>
                <p>Sau đó / Then: <a href="{{https}}">{{https}}</a></p>
                </body></html>
                """, "text/html; charset=utf-8");
        });
        return app;
    }

    /// <summary>The same host over HTTPS, at the port the server serves HTTPS on, if it does.</summary>
    private static string HttpsAddress(HttpContext http)
    {
        var addresses = http.RequestServices.GetRequiredService<Microsoft.AspNetCore.Hosting.Server.IServer>()
            .Features.Get<Microsoft.AspNetCore.Hosting.Server.Features.IServerAddressesFeature>()?.Addresses ?? [];
        string? https = addresses.FirstOrDefault(a => a.StartsWith("https://", StringComparison.OrdinalIgnoreCase));
        int port = https is not null && BindingAddress.Parse(https) is { } parsed ? parsed.Port : 443;
        return new UriBuilder("https", http.Request.Host.Host, port, "/").Uri.ToString();
    }
}

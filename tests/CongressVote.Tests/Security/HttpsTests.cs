using System.Net.Http.Json;
using System.Security.Cryptography;
using System.Security.Cryptography.X509Certificates;
using CongressVote.Shared;
using CongressVote.Tests.Infrastructure;

namespace CongressVote.Tests.Security;

public sealed class HttpsTests
{
    [Test]
    public async Task Over_HTTPS_with_a_self_signed_certificate_the_session_cookie_is_Secure_HttpOnly_and_SameSite_Strict()
    {
        using var key = RSA.Create(2048);
        var request = new CertificateRequest("CN=CongressVote test", key, HashAlgorithmName.SHA256, RSASignaturePadding.Pkcs1);
        var names = new SubjectAlternativeNameBuilder();
        names.AddIpAddress(System.Net.IPAddress.Loopback);
        request.CertificateExtensions.Add(names.Build());
        using var generated = request.CreateSelfSigned(DateTimeOffset.UtcNow.AddDays(-1), DateTimeOffset.UtcNow.AddDays(30));
        // Kestrel needs the private key in a form it can use on Linux: round-trip through PKCS#12.
        using var certificate = X509CertificateLoader.LoadPkcs12(generated.Export(X509ContentType.Pkcs12), null);

        await using var server = await CongressServer.StartAsync(https: certificate);
        var access = await server.CreateCongressAsync(officialDelegates: 2, guests: 0);
        var (client, _) = server.NewBrowserlessClient();
        using (client)
        {
            using var response = await client.PostAsJsonAsync(Routes.StaffLogin, new StaffLoginRequest(access.Staff[0].UserName, access.Staff[0].Password));
            string cookie = response.Headers.GetValues("Set-Cookie").Single(c => c.StartsWith("cv_session=", StringComparison.Ordinal)).ToLowerInvariant();

            Assert.Multiple(() =>
            {
                Assert.That(server.BaseAddress.Scheme, Is.EqualTo("https"));
                Assert.That(response.IsSuccessStatusCode, Is.True);
                Assert.That(cookie, Does.Contain("; secure"));
                Assert.That(cookie, Does.Contain("; httponly"));
                Assert.That(cookie, Does.Contain("; samesite=strict"));
            });
        }
    }
}

using CongressVote.Server.Demo;
using CongressVote.Tests.Infrastructure;
using Microsoft.Playwright;

namespace CongressVote.Tests.Browser;

public sealed partial class BrowserTests
{
    /// <summary>
    /// A reload of the signed-in tablet downloads nothing again: the app comes from the cache, even offline. The first
    /// load over loopback HTTP is printed for docs/benchmarks.md; the budget (docs/architecture.md §8) is asserted
    /// where tablets load from, over HTTPS at the hall's name (the next test): no tablet loads from localhost.
    /// </summary>
    [Test, CancelAfter(120_000)]
    public async Task The_delegate_app_downloads_nothing_again_on_reload_and_starts_offline()
    {
        // The published server: the trimmed, compressed app a venue serves (the test server serves the build output).
        await using var published = await PublishedServer.StartAsync();
        DemoAccess access = await published.CreateCongressAsync(officialDelegates: 2);
        // Measured without the service worker: once it controls the page, requests it serves are not counted.
        var tablet = await NewPageAsync("vi", 800, 1280, published.BaseAddress, serviceWorkers: false);
        var transferred = new List<(string Url, long Bytes, long Body)>();
        tablet.RequestFinished += async (_, request) =>
        {
            var sizes = await request.SizesAsync();
            lock (transferred)
            {
                transferred.Add((request.Url, sizes.ResponseBodySize + sizes.ResponseHeadersSize, sizes.ResponseBodySize));
            }
        };

        await tablet.GotoAsync($"/t#{access.Delegates[0].Token}");
        await Assertions.Expect(tablet.GetByTestId("delegate-name")).ToBeVisibleAsync();
        await tablet.WaitForLoadStateAsync(LoadState.NetworkIdle);
        long cold;
        lock (transferred)
        {
            cold = transferred.Sum(t => t.Bytes);
            foreach (var (url, bytes, _) in transferred.OrderByDescending(t => t.Bytes).Take(12))
            {
                TestContext.Out.WriteLine($"{bytes,9:N0}  {url}");
            }

            TestContext.Out.WriteLine($"{cold,9:N0}  total, {transferred.Count} requests");
            transferred.Clear();
        }

        // Ready from cache: reload to the delegate's name on screen. Printed for docs/benchmarks.md, not asserted
        // (timings are benchmarks, and this machine is shared).
        var reload = System.Diagnostics.Stopwatch.StartNew();
        await tablet.ReloadAsync();
        await Assertions.Expect(tablet.GetByTestId("delegate-name")).ToBeVisibleAsync();
        TestContext.Out.WriteLine($"ready from cache in {reload.ElapsedMilliseconds} ms");
        await tablet.WaitForLoadStateAsync(LoadState.NetworkIdle);
        long appAgain;
        lock (transferred)
        {
            // The session and snapshot calls are live data; the app's own files come from the cache (a revalidation
            // of an unversioned file answers 304 with headers only, no body; a file from the cache reports -1).
            appAgain = transferred.Where(t => t.Url.Contains("/_framework/", StringComparison.Ordinal)).Sum(t => Math.Max(0, t.Body));
        }

        // The hall Wi-Fi drops and the tablet reloads: the service worker serves the app, which says it is offline
        // (rather than asking for the badge again) and reconnects by itself once the network is back.
        var offline = await NewPageAsync("vi", 800, 1280, published.BaseAddress);
        await offline.GotoAsync($"/t#{access.Delegates[1].Token}");
        await Assertions.Expect(offline.GetByTestId("delegate-name")).ToBeVisibleAsync();
        await offline.EvaluateAsync("navigator.serviceWorker.ready.then(() => true)");
        await offline.Context.SetOfflineAsync(true);
        await offline.ReloadAsync();
        await Assertions.Expect(offline.GetByTestId("offline")).ToBeVisibleAsync();
        await offline.Context.SetOfflineAsync(false);
        await Assertions.Expect(offline.GetByTestId("delegate-name")).ToBeVisibleAsync();

        Assert.Multiple(() =>
        {
            Assert.That(cold, Is.GreaterThan(1_000_000), "the first load was counted");
            Assert.That(appAgain, Is.Zero, "a reload downloads no framework file again");
        });
    }

    /// <summary>
    /// Over plain HTTP at a LAN address Chromium offers no Brotli; over HTTPS at the hall's name it does, and the
    /// tablet's first load is what docs/benchmarks.md quotes for a venue.
    /// </summary>
    [Test, CancelAfter(180_000)]
    public async Task Over_HTTPS_at_the_halls_name_the_tablet_app_is_served_Brotli_and_stays_under_budget()
    {
        const string hall = "congress.hall.test";
        await using var published = await PublishedServer.StartAsync(settings: new() { ["Tls:Names"] = hall }, https: true);
        DemoAccess access = await published.CreateCongressAsync(officialDelegates: 2);
        // The name resolves to this machine, as the hall's DNS or the tablet's hosts file would make it.
        var (playwright, browser) = await BrowserSession.LaunchAsync($"--host-resolver-rules=MAP {hall} 127.0.0.1");
        try
        {
            // The browser has not installed the hall's authority (a tablet would, from /ca); the connection is HTTPS all the same.
            var context = await browser.NewContextAsync(new BrowserNewContextOptions
            {
                ServiceWorkers = ServiceWorkerPolicy.Block,
                IgnoreHTTPSErrors = true,
                BaseURL = $"https://{hall}:{published.HttpsPort}/",
                ViewportSize = new ViewportSize { Width = 800, Height = 1280 },
            });
            var tablet = await context.NewPageAsync();
            var transferred = new List<(string Url, long Bytes, string? Encoding)>();
            tablet.RequestFinished += async (_, request) =>
            {
                var sizes = await request.SizesAsync();
                var response = await request.ResponseAsync();
                string? encoding = response is null ? null : await response.HeaderValueAsync("content-encoding");
                lock (transferred)
                {
                    transferred.Add((request.Url, sizes.ResponseBodySize + sizes.ResponseHeadersSize, encoding));
                }
            };

            await tablet.GotoAsync($"/t#{access.Delegates[0].Token}");
            await Assertions.Expect(tablet.GetByTestId("delegate-name")).ToBeVisibleAsync();
            await tablet.WaitForLoadStateAsync(LoadState.NetworkIdle);
            List<(string Url, long Bytes, string? Encoding)> files;
            lock (transferred)
            {
                files = [.. transferred];
            }

            long cold = files.Sum(f => f.Bytes);
            var framework = files.Where(f => f.Url.Contains("/_framework/", StringComparison.Ordinal) && !f.Url.EndsWith(".json", StringComparison.Ordinal)).ToList();
            TestContext.Out.WriteLine($"{cold,9:N0}  total over HTTPS at {hall}, {files.Count} requests");
            Assert.Multiple(() =>
            {
                Assert.That(tablet.Url, Does.StartWith($"https://{hall}:"));
                Assert.That(framework, Is.Not.Empty);
                Assert.That(framework.Select(f => f.Encoding), Is.All.EqualTo("br"), "every framework file comes Brotli-compressed");
                Assert.That(cold, Is.LessThanOrEqualTo(2_500_000), "bytes on the wire for the first load over HTTPS");
                Assert.That(files.Select(f => f.Url), Has.None.Contains("CongressVote.Client.Console"), "the staff pages are not part of a tablet's download");
            });
        }
        finally
        {
            await browser.DisposeAsync();
            playwright.Dispose();
        }
    }
}

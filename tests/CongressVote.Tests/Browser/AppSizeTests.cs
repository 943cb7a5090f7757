using CongressVote.Server.Demo;
using CongressVote.Tests.Infrastructure;
using Microsoft.Playwright;

namespace CongressVote.Tests.Browser;

public sealed partial class BrowserTests
{
    /// <summary>
    /// What a tablet downloads the first time, compressed, as Chromium counts it (docs/architecture.md §8: at most 2.5 MB), and
    /// that a reload of the signed-in tablet downloads nothing again: the app comes from the cache, even offline.
    /// </summary>
    [Test, CancelAfter(120_000)]
    public async Task The_delegate_app_downloads_under_two_and_a_half_megabytes_cold_nothing_again_on_reload_and_starts_offline()
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
            Assert.That(cold, Is.LessThanOrEqualTo(2_500_000), "bytes on the wire for the first load");
            Assert.That(appAgain, Is.Zero, "a reload downloads no framework file again");
        });
    }
}

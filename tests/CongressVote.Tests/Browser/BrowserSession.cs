using Microsoft.Playwright;

namespace CongressVote.Tests.Browser;

/// <summary>Debian's headless Chromium driven by Playwright; nothing is downloaded.</summary>
public static class BrowserSession
{
    public static string ChromiumPath => Environment.GetEnvironmentVariable("CONGRESSVOTE_CHROMIUM") ?? "/usr/bin/chromium";

    public static string ArtifactsFolder
    {
        get
        {
            string folder = Path.Combine(
                Environment.GetEnvironmentVariable("CONGRESSVOTE_ARTIFACTS") ?? Path.Combine(TestContext.CurrentContext.WorkDirectory, "artifacts"),
                "screenshots");
            Directory.CreateDirectory(folder);
            return folder;
        }
    }

    public static async Task<(IPlaywright Playwright, IBrowser Browser)> LaunchAsync(params string[] extraArguments)
    {
        if (!File.Exists(ChromiumPath))
        {
            Assert.Fail($"Chromium is not installed at {ChromiumPath}; deploy/test.sh installs it (apt-get install chromium).");
        }

        var playwright = await Playwright.CreateAsync();
        var browser = await playwright.Chromium.LaunchAsync(new BrowserTypeLaunchOptions
        {
            ExecutablePath = ChromiumPath,
            Headless = true,
            Args =
            [
                "--headless", "--no-sandbox", "--disable-gpu", "--disable-background-networking", "--disable-component-update",
                "--disable-sync", "--no-first-run", "--disable-quic", .. extraArguments,
            ],
        });
        return (playwright, browser);
    }

    /// <summary>Saves a screenshot under artifacts/screenshots and attaches it to the test result.</summary>
    public static async Task ScreenshotAsync(IPage page, string name)
    {
        ArgumentNullException.ThrowIfNull(page);
        string path = Path.Combine(ArtifactsFolder, $"{name}.png");
        await page.ScreenshotAsync(new PageScreenshotOptions { Path = path, FullPage = false });
        TestContext.AddTestAttachment(path, name);
    }
}

using CongressVote.Server.Demo;
using CongressVote.Shared;
using Microsoft.AspNetCore.SignalR.Client;
using Microsoft.Playwright;

namespace CongressVote.Tests.Browser;

public sealed partial class BrowserTests
{
    /// <summary>
    /// How far the turnout's figures and label reach from the ring's centre, as a share of the hole's radius
    /// (inside the stroke): the furthest corner of the figures' line and of the label.
    /// </summary>
    private const string RingReachScript = """
        () => {
          const ring = document.querySelector('.projector .turnout-ring');
          const box = ring.getBoundingClientRect();
          const cx = box.left + box.width / 2, cy = box.top + box.height / 2;
          const stroke = parseFloat(getComputedStyle(ring.querySelector('.ring-track')).strokeWidth);
          const hole = box.width * (42 - stroke / 2) / 100;
          const reach = (r) => Math.max(...[[r.left, r.top], [r.right, r.top], [r.left, r.bottom], [r.right, r.bottom]]
            .map(([x, y]) => Math.hypot(x - cx, y - cy))) / hole;
          const number = ring.querySelector('.turnout-number').getBoundingClientRect();
          const of = ring.querySelector('.turnout-of').getBoundingClientRect();
          // The label's box spans the ring's width; its text is what must stay clear of the stroke.
          const range = document.createRange();
          range.selectNodeContents(ring.querySelector('.turnout-label'));
          const label = range.getBoundingClientRect();
          // The figures' line: from the number's left to the "/363"'s right, at the number's height.
          const figures = { left: number.left, right: of.right, top: number.top + number.height * 0.15, bottom: number.bottom - number.height * 0.15 };
          return JSON.stringify({ figures: reach(figures), label: reach({ left: label.left, right: label.right, top: label.top + label.height * 0.2, bottom: label.bottom - label.height * 0.2 }) });
        }
        """;

    private sealed record RingReach(double Figures, double Label);

    [TestCase("vi"), TestCase("en"), CancelAfter(300_000)]
    public async Task A_three_digit_turnout_stays_inside_the_ring_on_the_hall_screen(string language)
    {
        DemoAccess access = await _server.CreateCongressAsync(officialDelegates: 363, guests: 0);
        var open = await _server.OpenPollAsync(access);
        var hubs = await Task.WhenAll(access.Delegates.Take(108).Select(d => _server.ConnectDelegateAsync(d.Token)));
        try
        {
            await Task.WhenAll(hubs.Select(hub => hub.InvokeAsync<CastResult>(nameof(ICongressHub.Cast), new CastRequest(open.Id, VoteChoice.Yes, Guid.NewGuid()))));
        }
        finally
        {
            foreach (var hub in hubs)
            {
                await hub.DisposeAsync();
            }
        }

        foreach (var (width, height) in new[] { (1920, 1080), (1280, 720) })
        {
            var hall = await NewPageAsync(language, width, height);
            await hall.GotoAsync($"/p#{access.ProjectorCode}");
            await Assertions.Expect(hall.GetByTestId("projector-turnout")).ToContainTextAsync("108/363");
            await hall.WaitForTimeoutAsync(400); // the ring's short transition
            var reach = System.Text.Json.JsonSerializer.Deserialize<RingReach>(await hall.EvaluateAsync<string>(RingReachScript), s_web)!;
            Assert.Multiple(() =>
            {
                Assert.That(reach.Figures, Is.LessThan(1), $"{width}×{height}: the figures reach the ring's stroke");
                Assert.That(reach.Label, Is.LessThan(1), $"{width}×{height}: the label reaches the ring's stroke");
            });
            await BrowserSession.ScreenshotAsync(hall, $"projector-ring-108-{language}-{width}x{height}");
        }
    }
}

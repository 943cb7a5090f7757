using System.Net;
using System.Net.Http.Json;
using CongressVote.Server.Demo;
using CongressVote.Shared;
using CongressVote.Tests.Infrastructure;
using Microsoft.Playwright;

namespace CongressVote.Tests.Browser;

public sealed partial class BrowserTests
{
    [Test, CancelAfter(120_000)]
    public async Task A_lost_badge_is_reissued_at_the_help_desk_only_once_confirmed_and_the_old_one_stops_working()
    {
        DemoAccess access = await _server.CreateCongressAsync(officialDelegates: 3, guests: 0);
        var lost = access.Delegates[1];
        var desk = await SignedInConsoleAsync(access, "en", "credentials");
        await desk.GotoAsync("/console/helpdesk");
        var panel = desk.Locator("form", new() { Has = desk.GetByRole(AriaRole.Button, new() { Name = "Reissue badge" }) });
        await panel.GetByLabel("Code").FillAsync(lost.Code);
        var reissue = panel.GetByRole(AriaRole.Button, new() { Name = "Reissue badge" });

        // Dismissed: nothing is issued and the badge in the delegate's hand still works.
        var asked = new List<string>();
        bool accept = false;
        desk.Dialog += (_, dialog) =>
        {
            asked.Add(dialog.Message);
            _ = accept ? dialog.AcceptAsync() : dialog.DismissAsync();
        };
        await reissue.ClickAsync();
        await Assertions.Expect(desk.GetByRole(AriaRole.Alert)).ToHaveCountAsync(0);
        Assert.That(await SignInStatusAsync(lost.Token), Is.EqualTo(HttpStatusCode.OK), "a dismissed reissue changes nothing");

        accept = true;
        var download = await desk.RunAndWaitForDownloadAsync(() => reissue.ClickAsync());
        string path = await download.PathAsync();
        string link = QrCodes.Read(await File.ReadAllBytesAsync(path)) ?? throw new AssertionException("The new badge's QR code did not decode.");

        Assert.Multiple(async () =>
        {
            Assert.That(asked, Has.Count.EqualTo(2).And.All.Contain(lost.FullName), "each click asks first, naming the delegate");
            Assert.That(download.SuggestedFilename, Is.EqualTo($"{lost.Code}.png"));
            Assert.That(await SignInStatusAsync(lost.Token), Is.EqualTo(HttpStatusCode.Unauthorized), "the lost badge stops working");
            Assert.That(await SignInStatusAsync(link[(link.LastIndexOf('#') + 1)..]), Is.EqualTo(HttpStatusCode.OK), "the new badge signs a tablet in");
        });
    }

    private async Task<HttpStatusCode> SignInStatusAsync(string token)
    {
        var (client, _) = _server.NewBrowserlessClient();
        using (client)
        {
            using var response = await client.PostAsJsonAsync(Routes.DelegateLogin, CongressServer.Login(token));
            return response.StatusCode;
        }
    }
}

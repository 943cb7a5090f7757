using System.Collections.Concurrent;
using System.Net;
using System.Net.Http.Json;
using CongressVote.Shared;
using CongressVote.Tests.Infrastructure;
using Dapper;
using Microsoft.AspNetCore.SignalR.Client;

namespace CongressVote.Tests.Projector;

/// <summary>The secretariat's hold on the hall screen, against the real server, PostgreSQL and SignalR.</summary>
public sealed class ProjectorTests
{
    private CongressServer _server = default!;

    [OneTimeSetUp]
    public async Task StartServer() => _server = await CongressServer.StartAsync();

    [OneTimeTearDown]
    public async Task StopServer() => await _server.DisposeAsync();

    [Test, CancelAfter(60_000)]
    public async Task A_scene_chosen_at_the_console_reaches_the_paired_screen_and_survives_its_reconnect()
    {
        var access = await _server.CreateCongressAsync(officialDelegates: 3, guests: 0);
        using var staff = await _server.SignInStaffAsync(access);
        await using var screen = await _server.ConnectProjectorAsync(access.ProjectorCode);
        await using var tablet = await _server.ConnectDelegateAsync(access.Delegates[0].Token);
        var seen = new ConcurrentQueue<ProjectorStateDto>();
        var tabletSaw = 0;
        screen.On<ProjectorStateDto>(nameof(ICongressClient.ProjectorChanged), seen.Enqueue);
        tablet.On<ProjectorStateDto>(nameof(ICongressClient.ProjectorChanged), _ => Interlocked.Increment(ref tabletSaw));

        using var first = await staff.PutAsJsonAsync("/api/projector", new ProjectorStateDto(ProjectorScene.Attendance, null, "en"), TestJson.Options);
        using var second = await staff.PutAsJsonAsync("/api/projector",
            new ProjectorStateDto(ProjectorScene.Message, "  Giải lao 15 phu\u0301t  ", "vi"), TestJson.Options);
        await Machine.WaitUntilAsync(() => seen.Count >= 2, TimeSpan.FromSeconds(10));

        await using var again = await _server.ConnectProjectorAsync(access.ProjectorCode);
        var snapshot = await again.InvokeAsync<CongressSnapshotDto>(nameof(ICongressHub.Snapshot));
        var pushed = seen.ToArray();
        Assert.Multiple(() =>
        {
            Assert.That(first.StatusCode, Is.EqualTo(HttpStatusCode.OK));
            Assert.That(second.StatusCode, Is.EqualTo(HttpStatusCode.OK));
            Assert.That(pushed.Select(p => (p.Scene, p.Language)), Is.EqualTo(new[] { (ProjectorScene.Attendance, "en"), (ProjectorScene.Message, "vi") }));
            Assert.That(pushed[1].Version, Is.GreaterThan(pushed[0].Version), "a later choice carries a higher version");
            Assert.That(snapshot.Projector?.Message, Is.EqualTo("Giải lao 15 phút"), "trimmed and composed (NFC) as stored");
            Assert.That(snapshot.Projector?.Version, Is.EqualTo(pushed[1].Version));
            Assert.That(ProjectorScenes.Resolve(snapshot), Is.EqualTo(ProjectorView.Message));
            Assert.That(tabletSaw, Is.Zero, "tablets are not told about the hall screen");
        });
    }

    [TestCase("message", "", "vi", "empty_projector_message")]
    [TestCase("message", null, "vi", "empty_projector_message")]
    [TestCase("agenda", null, "fr", "bad_language")]
    [TestCase("welcome", "x", "vi", "bad_projector_message", 301)]
    [TestCase("welcome", "a\u0007b", "vi", "bad_projector_message")]
    public async Task A_refused_projector_choice_names_the_reason_and_changes_nothing(string scene, string? message, string language, string code, int repeat = 1)
    {
        var access = await _server.CreateCongressAsync(officialDelegates: 2, guests: 0);
        using var staff = await _server.SignInStaffAsync(access);
        using var set = await staff.PutAsJsonAsync("/api/projector", new ProjectorStateDto(ProjectorScene.Agenda, "Chào mừng", "vi"), TestJson.Options);
        set.EnsureSuccessStatusCode();
        long auditBefore = await AuditCountAsync(access.CongressId);

        string? text = message is null ? null : string.Concat(Enumerable.Repeat(message, repeat));
        using var refused = await staff.PutAsync("/api/projector", Json(
            $"{{\"scene\":\"{scene}\",\"message\":{System.Text.Json.JsonSerializer.Serialize(text)},\"language\":\"{language}\"}}"));
        var problem = await refused.Content.ReadFromJsonAsync<System.Text.Json.JsonElement>();

        await using var connection = await _server.Db.OpenConnectionAsync();
        var stored = await connection.QuerySingleAsync<(string Scene, string? Message, string Language)>(
            "SELECT projector_scene, projector_message, projector_language FROM congress WHERE id = @id", new { id = access.CongressId });
        Assert.Multiple(async () =>
        {
            Assert.That(refused.StatusCode, Is.EqualTo(HttpStatusCode.BadRequest));
            Assert.That(problem.GetProperty("code").GetString(), Is.EqualTo(code));
            Assert.That(stored, Is.EqualTo(("agenda", (string?)"Chào mừng", "vi")), "the screen keeps what it showed");
            Assert.That(await AuditCountAsync(access.CongressId), Is.EqualTo(auditBefore), "a refusal writes nothing");
        });
    }

    [Test]
    public async Task An_unknown_scene_name_is_refused()
    {
        var access = await _server.CreateCongressAsync(officialDelegates: 2, guests: 0);
        using var staff = await _server.SignInStaffAsync(access);
        using var refused = await staff.PutAsync("/api/projector", Json("{\"scene\":\"fireworks\",\"language\":\"vi\"}"));
        Assert.That(refused.StatusCode, Is.EqualTo(HttpStatusCode.BadRequest));
    }

    /// <summary>A real 1×1 PNG.</summary>
    public static readonly byte[] TinyPng = Convert.FromBase64String("iVBORw0KGgoAAAANSUhEUgAAAAEAAAABCAQAAAC1HAwCAAAAC0lEQVR42mNkYAAAAAYAAjCB0C8AAAAASUVORK5CYII=");

    [Test, CancelAfter(60_000)]
    public async Task An_uploaded_emblem_reaches_the_screen_and_a_file_that_is_not_a_picture_changes_nothing()
    {
        var access = await _server.CreateCongressAsync(officialDelegates: 2, guests: 0);
        using var staff = await _server.SignInStaffAsync(access);
        var (screen, _) = _server.NewBrowserlessClient();
        using (screen)
        {
            (await screen.PostAsJsonAsync(Routes.ProjectorLogin, new TokenLoginRequest(access.ProjectorCode), TestJson.Options)).EnsureSuccessStatusCode();
            using var none = await screen.GetAsync("/api/projector/emblem");

            using var uploaded = await staff.PutAsync("/api/projector/emblem", Picture(TinyPng, "image/png"));
            var state = await uploaded.Content.ReadFromJsonAsync<ProjectorStateDto>(TestJson.Options);
            long audit = await AuditCountAsync(access.CongressId);
            using var notPicture = await staff.PutAsync("/api/projector/emblem", Picture("<svg onload=alert(1)>"u8.ToArray(), "image/png"));
            byte[] huge = [.. TinyPng.Take(8), .. new byte[ProjectorStateDto.EmblemMaxBytes]];
            using var tooLarge = await staff.PutAsync("/api/projector/emblem", Picture(huge, "image/png"));
            long auditAfterRefusals = await AuditCountAsync(access.CongressId);
            using var shown = await screen.GetAsync($"/api/projector/emblem?v={state!.EmblemVersion}");
            byte[] shownBytes = await shown.Content.ReadAsByteArrayAsync();

            using var scene = await staff.PutAsJsonAsync("/api/projector", new ProjectorStateDto(ProjectorScene.Welcome, null, "vi"), TestJson.Options);
            var afterScene = await scene.Content.ReadFromJsonAsync<ProjectorStateDto>(TestJson.Options);
            using var removed = await staff.DeleteAsync("/api/projector/emblem");
            var afterRemove = await removed.Content.ReadFromJsonAsync<ProjectorStateDto>(TestJson.Options);
            using var gone = await screen.GetAsync("/api/projector/emblem");

            Assert.Multiple(async () =>
            {
                Assert.That(none.StatusCode, Is.EqualTo(HttpStatusCode.NotFound), "no emblem yet: the app's own is shown");
                Assert.That(uploaded.StatusCode, Is.EqualTo(HttpStatusCode.OK));
                Assert.That(state.EmblemVersion, Is.Not.Null);
                Assert.That(notPicture.StatusCode, Is.EqualTo(HttpStatusCode.BadRequest));
                Assert.That((await notPicture.Content.ReadFromJsonAsync<System.Text.Json.JsonElement>()).GetProperty("code").GetString(), Is.EqualTo("bad_emblem"));
                Assert.That(tooLarge.StatusCode, Is.EqualTo(HttpStatusCode.BadRequest));
                Assert.That((await tooLarge.Content.ReadFromJsonAsync<System.Text.Json.JsonElement>()).GetProperty("code").GetString(), Is.EqualTo("emblem_too_large"));
                Assert.That(auditAfterRefusals, Is.EqualTo(audit), "refusals write nothing");
                Assert.That(shown.Content.Headers.ContentType?.MediaType, Is.EqualTo("image/png"));
                Assert.That(shown.Headers.GetValues("X-Content-Type-Options"), Is.EqualTo(new[] { "nosniff" }));
                Assert.That(shownBytes, Is.EqualTo(TinyPng), "the refused files did not replace the emblem");
                Assert.That(afterScene?.EmblemVersion, Is.EqualTo(state.EmblemVersion), "a scene change does not make screens fetch the picture again");
                Assert.That(afterRemove?.EmblemVersion, Is.Null);
                Assert.That(gone.StatusCode, Is.EqualTo(HttpStatusCode.NotFound));
            });
        }
    }

    private static ByteArrayContent Picture(byte[] bytes, string type)
    {
        var content = new ByteArrayContent(bytes);
        content.Headers.ContentType = new System.Net.Http.Headers.MediaTypeHeaderValue(type);
        return content;
    }

    private static StringContent Json(string json) => new(json, System.Text.Encoding.UTF8, "application/json");

    private async Task<long> AuditCountAsync(Guid congressId)
    {
        await using var connection = await _server.Db.OpenConnectionAsync();
        return await connection.ExecuteScalarAsync<long>("SELECT count(*) FROM audit_event WHERE congress_id = @congressId", new { congressId });
    }
}

using CongressVote.Shared;

namespace CongressVote.Tests.Projector;

/// <summary>Which view the hall screen draws for a chosen scene and the state of the congress.</summary>
public sealed class SceneRulesTests
{
    private static readonly Guid s_item = Guid.NewGuid();

    private static PollDto Poll(PollState state, bool secret = false, PollKind kind = PollKind.Motion, bool withResult = false) =>
        new(Guid.NewGuid(), s_item, "Thông qua Nghị quyết", "?", state, secret, true, MajorityRule.MoreThanHalfOfSummoned, null, null,
            withResult ? new PollResultDto(11, 1, 0, 20, 15, true, RuleBase.Summoned, 20, 10m, true) : null, Kind: kind);

    private static CongressSnapshotDto Snapshot(ProjectorScene scene, PollDto? poll = null, bool speaking = false, Guid? current = null, string? message = null) =>
        new(Guid.NewGuid(), "Đại hội", 20, current, [], poll is null ? [] : [poll], poll, null, null, null,
            speaking ? [new SpeechDto(Guid.NewGuid(), s_item, Guid.NewGuid(), "Nguyễn Văn An", "Đoàn 1", "Ý kiến", SpeechState.Speaking, 1, DateTimeOffset.UtcNow, 180)] : [],
            null, new ProjectorStateDto(scene, message, "vi"));

    [Test]
    public void Auto_puts_the_speaker_before_the_vote_and_the_vote_before_the_agenda()
    {
        Assert.Multiple(() =>
        {
            Assert.That(ProjectorScenes.Resolve(Snapshot(ProjectorScene.Auto, Poll(PollState.Open), speaking: true)), Is.EqualTo(ProjectorView.Speaker));
            Assert.That(ProjectorScenes.Resolve(Snapshot(ProjectorScene.Auto, Poll(PollState.Open))), Is.EqualTo(ProjectorView.OpenVote));
            Assert.That(ProjectorScenes.Resolve(Snapshot(ProjectorScene.Auto, Poll(PollState.Closed, withResult: true))), Is.EqualTo(ProjectorView.Result));
            Assert.That(ProjectorScenes.Resolve(Snapshot(ProjectorScene.Auto, Poll(PollState.Draft), current: s_item)), Is.EqualTo(ProjectorView.Agenda));
            Assert.That(ProjectorScenes.Resolve(Snapshot(ProjectorScene.Auto)), Is.EqualTo(ProjectorView.Welcome), "before any item is current");
        });
    }

    [Test]
    public void A_secret_vote_or_an_open_election_shows_turnout_only_until_its_result_exists()
    {
        Assert.Multiple(() =>
        {
            Assert.That(ProjectorScenes.Resolve(Snapshot(ProjectorScene.Auto, Poll(PollState.Open, secret: true))), Is.EqualTo(ProjectorView.SecretVote));
            Assert.That(ProjectorScenes.Resolve(Snapshot(ProjectorScene.Poll, Poll(PollState.Open, kind: PollKind.Election))), Is.EqualTo(ProjectorView.SecretVote));
            Assert.That(ProjectorScenes.Resolve(Snapshot(ProjectorScene.Poll, Poll(PollState.Closed, secret: true))), Is.EqualTo(ProjectorView.SecretVote), "closed, paper still being counted");
            Assert.That(ProjectorScenes.Resolve(Snapshot(ProjectorScene.Poll, Poll(PollState.Closed, secret: true, withResult: true))), Is.EqualTo(ProjectorView.Result));
        });
    }

    [Test]
    public void A_chosen_scene_with_nothing_to_show_falls_back_instead_of_a_blank_screen()
    {
        Assert.Multiple(() =>
        {
            Assert.That(ProjectorScenes.Resolve(Snapshot(ProjectorScene.Poll, current: s_item)), Is.EqualTo(ProjectorView.Agenda));
            Assert.That(ProjectorScenes.Resolve(Snapshot(ProjectorScene.Speaker, current: s_item)), Is.EqualTo(ProjectorView.Agenda));
            Assert.That(ProjectorScenes.Resolve(Snapshot(ProjectorScene.Message, message: "  ")), Is.EqualTo(ProjectorView.Welcome));
            Assert.That(ProjectorScenes.Resolve(Snapshot(ProjectorScene.Message, message: "Giải lao")), Is.EqualTo(ProjectorView.Message));
            Assert.That(ProjectorScenes.Resolve(Snapshot(ProjectorScene.Attendance, Poll(PollState.Open), speaking: true)), Is.EqualTo(ProjectorView.Attendance),
                "a scene the secretariat chose stays until it chooses another");
        });
    }
}

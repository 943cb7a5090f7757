namespace CongressVote.Shared;

/// <summary>What the secretariat asks the hall screen to show; Auto follows the current item and poll.</summary>
public enum ProjectorScene
{
    Auto,
    Welcome,
    Agenda,
    Attendance,
    Poll,
    Message,
    Speaker,
}

/// <summary>What the hall screen actually draws, after <see cref="ProjectorScenes.Resolve"/>.</summary>
public enum ProjectorView
{
    Welcome,
    Agenda,
    Attendance,
    OpenVote,
    SecretVote,
    Result,
    ElectionResult,
    Message,
    Speaker,
}

/// <summary>
/// The hall screen's settings: the chosen scene, the free message and the screen's language ("vi" or "en").
/// <see cref="Version"/> counts the changes; <see cref="EmblemVersion"/> changes with each new emblem picture only.
/// </summary>
public sealed record ProjectorStateDto(ProjectorScene Scene, string? Message, string Language, long Version = 0, long? EmblemVersion = null)
{
    public const int MessageMaxLength = 300;

    /// <summary>The largest emblem image accepted, in bytes.</summary>
    public const int EmblemMaxBytes = 512 * 1024;

    public static ProjectorStateDto Default { get; } = new(ProjectorScene.Auto, null, "vi");
}

public static class ProjectorScenes
{
    /// <summary>
    /// The view for a chosen scene. Auto shows, in order: the speaker at the rostrum, the open vote, the result of the
    /// current item's latest vote, the agenda, and the welcome before any item is current. A chosen scene that has
    /// nothing to show (a vote scene with no vote, a speaker scene with nobody speaking) falls back to the agenda, so
    /// the hall never sees an empty screen.
    /// </summary>
    public static ProjectorView Resolve(CongressSnapshotDto snapshot)
    {
        ArgumentNullException.ThrowIfNull(snapshot);
        var state = snapshot.Projector ?? ProjectorStateDto.Default;
        bool speaking = snapshot.Speakers?.Any(s => s.State == SpeechState.Speaking) == true;
        ProjectorView? poll = PollView(snapshot.CurrentPoll);
        var fallback = snapshot.CurrentItemId is null ? ProjectorView.Welcome : ProjectorView.Agenda;
        return state.Scene switch
        {
            ProjectorScene.Welcome => ProjectorView.Welcome,
            ProjectorScene.Agenda => ProjectorView.Agenda,
            ProjectorScene.Attendance => ProjectorView.Attendance,
            ProjectorScene.Message => string.IsNullOrWhiteSpace(state.Message) ? ProjectorView.Welcome : ProjectorView.Message,
            ProjectorScene.Poll => poll ?? fallback,
            ProjectorScene.Speaker => speaking ? ProjectorView.Speaker : fallback,
            _ when speaking => ProjectorView.Speaker,
            _ when poll is { } view => view,
            _ => fallback,
        };
    }

    private static ProjectorView? PollView(PollDto? poll) => poll switch
    {
        null or { State: PollState.Draft or PollState.Cancelled } => null,
        { Election: not null } => ProjectorView.ElectionResult,
        { Result: not null } => ProjectorView.Result,
        { State: PollState.Open, Kind: PollKind.Election } or { State: PollState.Open, Secret: true } => ProjectorView.SecretVote,
        { State: PollState.Open } => ProjectorView.OpenVote,
        // Closed, its count not yet stored (paper ballots still being entered): turnout only until the result exists.
        _ => ProjectorView.SecretVote,
    };
}

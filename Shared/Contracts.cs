namespace CongressVote.Shared;

public enum SessionRole
{
    Delegate,
    Projector,
    Staff,
}

public enum PollState
{
    Draft,
    Open,
    Closed,
    Published,
    Cancelled,
}

public enum VoteChoice : short
{
    Yes = 0,
    No = 1,
    Abstain = 2,
}

/// <summary>Every answer a cast can get. The tablet shows a message per status; none is silent.</summary>
public enum CastStatus
{
    Recorded,
    AlreadyVoted,
    PollNotOpen,
    UnknownPoll,
    InvalidChoice,
    NotEntitled,
    /// <summary>This tablet's session was ended by staff; the delegate must sign in again at the help desk.</summary>
    SessionEnded,
    /// <summary>The delegate was checked out at the door; they vote again after checking back in.</summary>
    NotPresent,
    /// <summary>The server could not store the ballot (for example the database is down); retry with the same key.</summary>
    NotRecorded,
    /// <summary>An election ballot that keeps more names than there are seats, or nobody where that is not valid.</summary>
    InvalidBallot,
}

/// <summary>A ballot; <see cref="OnBehalfOf"/> names the absent delegate whose proxy this tablet's delegate holds.</summary>
/// <remarks>
/// For an election, <see cref="Kept"/> lists the positions of the candidates the ballot keeps and
/// <see cref="Receipt"/> is the code the tablet drew for it; <see cref="Choice"/> is not used.
/// </remarks>
public sealed record CastRequest(Guid PollId, VoteChoice Choice, Guid Key, Guid? OnBehalfOf = null, IReadOnlyList<int>? Kept = null, string? Receipt = null);

public sealed record CastResult(CastStatus Status, DateTimeOffset? RecordedAt = null);

public sealed record StaffLoginRequest(string UserName, string Password);

public sealed record TokenLoginRequest(string Token);

/// <summary>Who is signed in; <see cref="Staff"/> is a staff account's role, which the console's permissions follow.</summary>
public sealed record SessionDto(SessionRole Role, Guid CongressId, string DisplayName, string? Detail, Guid? SubjectId = null, StaffRole? Staff = null);

public sealed record AgendaItemDto(Guid Id, int Position, string Title, string Kind, string? Presenter = null, string? PlannedTime = null, Guid? ParentId = null);

public sealed record PollDto(
    Guid Id,
    Guid AgendaItemId,
    string Title,
    string Question,
    PollState State,
    bool Secret,
    bool AllowAbstain,
    MajorityRule Rule,
    DateTimeOffset? OpenedAt,
    DateTimeOffset? ClosedAt,
    PollResultDto? Result,
    bool AllowChange = false,
    DateTimeOffset? ClosesAt = null,
    PollKind Kind = PollKind.Motion,
    int? Seats = null,
    bool EmptyBallotValid = true,
    IReadOnlyList<CandidateDto>? Candidates = null,
    ElectionResultDto? Election = null,
    int? CountdownSeconds = null,
    bool Rehearsal = false);

/// <summary>
/// A live count. It is a hint: <see cref="Version"/> only grows, so a client keeps the highest one it has seen
/// and fetches a snapshot after reconnecting. <see cref="Counts"/> is null while a secret poll is open.
/// </summary>
public sealed record TallyDto(Guid PollId, long Version, int Turnout, int Entitled, IReadOnlyList<int>? Counts);

/// <summary>The stored result of a closed poll, with the figures the rule was applied to.</summary>
public sealed record PollResultDto(
    int Yes,
    int No,
    int Abstain,
    int Entitled,
    int Present,
    bool Passed,
    RuleBase Base,
    int BaseCount,
    decimal Required,
    bool Strict,
    Verdict Verdict = Verdict.Passed);

/// <summary>How a vote ended: passed, failed, failed on a tie, or void for want of a quorum at close.</summary>
public enum Verdict
{
    Passed,
    Failed,
    Tie,
    NoQuorum,
    /// <summary>An election that filled fewer seats than it had: a second round is needed.</summary>
    Shortfall,
}

public sealed record RecountRequestDto(string Reason);

public sealed record MyBallotDto(Guid PollId, VoteChoice? Choice, DateTimeOffset RecordedAt);

public sealed record CongressSnapshotDto(
    Guid CongressId,
    string CongressName,
    int Summoned,
    Guid? CurrentItemId,
    IReadOnlyList<AgendaItemDto> Agenda,
    IReadOnlyList<PollDto> Polls,
    PollDto? CurrentPoll,
    TallyDto? Tally,
    MyBallotDto? MyBallot,
    AttendanceDto? Attendance,
    IReadOnlyList<SpeechDto>? Speakers = null,
    IReadOnlyList<ProxyVoteDto>? Proxies = null,
    ProjectorStateDto? Projector = null,
    DateOnly? StartsOn = null,
    // False on the tablet of a delegate who has no vote (a guest, an alternate): it shows no vote buttons.
    bool MayVote = true);

/// <summary>An absent delegate this tablet may vote for, and what was cast for them on the current poll.</summary>
public sealed record ProxyVoteDto(Guid GrantorId, string FullName, bool Voted, VoteChoice? Choice);

public sealed record ProxyDto(Guid GrantorId, string GrantorCode, string GrantorName, Guid HolderId, string HolderCode, string HolderName);

public sealed record ProxyEditDto(string GrantorCode, string HolderCode);

public sealed record WeightDto(int Weight);

public sealed record ProblemMessage(string Code, string Message);

public sealed record AgendaItemEditDto(string Title, string Kind, string? Presenter, string? PlannedTime, Guid? ParentId = null);

public sealed record AgendaImportDto(string Lines);

public sealed record MotionEditDto(
    Guid AgendaItemId, string Title, string Question, bool Secret, bool AllowAbstain, MajorityRule? Rule,
    bool AllowChange = false, int? CountdownSeconds = null, bool Rehearsal = false);

public sealed record CancelPollDto(string Reason);

/// <summary>Who has voted on a poll, by delegation; the choice only for a named poll that has closed.</summary>
public sealed record VoterDto(string Code, string FullName, string Delegation, bool Voted, VoteChoice? Choice, bool Present = true);

/// <summary>Paper votes counted by the vote-counting committee, added to the electronic ones.</summary>
public sealed record PaperCountDto(int Yes, int No, int Abstain, string? Note);

public enum SpeechState
{
    Requested,
    Approved,
    Speaking,
    Done,
    Withdrawn,
    Refused,
}

public sealed record SpeechDto(
    Guid Id, Guid AgendaItemId, Guid DelegateId, string FullName, string Delegation, string Topic, SpeechState State, int Position,
    DateTimeOffset? StartedAt, int? TimeLimitSeconds);

public sealed record SpeechRequestDto(string Topic);

public sealed record SpeechStartDto(int? TimeLimitSeconds);

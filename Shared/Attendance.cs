namespace CongressVote.Shared;

/// <summary>The answer a desk shows for a scan: green, amber or red, never ambiguous.</summary>
public enum ScanOutcome
{
    CheckedIn,
    AlreadyCheckedIn,
    CheckedOut,
    NotCheckedIn,
    GuestCheckedIn,
    BadgeRevoked,
    UnknownBadge,
    Excused,
}

public sealed record ScanRequest(string? Badge, Guid? DelegateId, string Desk);

public sealed record ScanResultDto(
    ScanOutcome Outcome,
    Guid? DelegateId,
    string? FullName,
    string? Delegation,
    string? Code,
    DelegateKind? Kind,
    DateTimeOffset? At);

public sealed record ExcuseRequest(Guid DelegateId, string? Reason, string Desk);

public sealed record GroupCountDto(string Key, int Summoned, int Present);

/// <summary>
/// Live attendance. <see cref="Summoned"/> counts delegates entitled to vote (excused ones left out where the
/// preset says so); the quorum is decided by the congress's preset rule.
/// </summary>
public sealed record AttendanceDto(
    long Version,
    int Summoned,
    int Present,
    int Excused,
    int GuestsPresent,
    bool QuorumReached,
    decimal QuorumRequired,
    bool QuorumStrict,
    bool QuorumApplies,
    IReadOnlyList<GroupCountDto> ByKind,
    IReadOnlyList<GroupCountDto> ByDelegation);

/// <summary>
/// One row of the credentials report. For delegates with a vote Summoned = Present + Absent, and Excused counts the
/// absent with a recorded reason; for the "nonvoting" group (alternates, guests) Summoned is the number invited.
/// </summary>
public sealed record ReportRowDto(string Group, string Key, int Summoned, int Present, int Absent, int Excused = 0);

public sealed record AbsenceDto(string Code, string FullName, string Delegation, string? Reason);

/// <summary>The figures of the credentials report (báo cáo thẩm tra tư cách đại biểu).</summary>
public sealed record CredentialsReportDto(
    AttendanceDto Attendance,
    IReadOnlyList<ReportRowDto> Rows,
    IReadOnlyList<AbsenceDto> Absent);

public sealed record OpenPollRequest(string? QuorumOverrideReason);

public enum LoginOutcome
{
    SignedIn,
    /// <summary>The badge already has a tablet; this device waits for the help desk.</summary>
    HeldForApproval,
}

public sealed record DelegateLoginRequest(string Token, string DeviceId, string? DeviceName);

public sealed record DelegateLoginResultDto(LoginOutcome Outcome, SessionDto? Session, Guid? RequestId);

public sealed record DeviceRequestDto(Guid Id, Guid DelegateId, string Code, string FullName, string Delegation, string DeviceName, DateTimeOffset AskedAt);

public sealed record DelegateSessionDto(Guid SessionId, Guid DelegateId, string Code, string FullName, string Delegation, string DeviceName, DateTimeOffset Since, bool Connected);

public sealed record HelpDeskDto(IReadOnlyList<DeviceRequestDto> Requests, IReadOnlyList<DelegateSessionDto> Sessions);

public sealed record AuditEventDto(long Id, DateTimeOffset At, string Actor, string Action, string? Subject, string? Device, string? Detail);

/// <summary>The result of re-computing the audit chain: the first row whose hash does not follow, if any.</summary>
/// <summary>
/// The audit trail checked: the chain, each row's seal, and the anchor kept outside the database. Reason says what
/// broke: "chain" (a row edited or removed), "seal" (a row or its seal not written by this server), "truncated"
/// (rows missing after the anchored head).
/// </summary>
public sealed record AuditVerificationDto(bool Intact, long Rows, long? FirstBrokenId, string? LastHash, string? Reason = null, long? AnchoredRows = null);

public sealed record StaffAccountDto(Guid Id, string UserName, string DisplayName, string Role, bool Disabled, bool Locked);

public sealed record StaffEditDto(string UserName, string DisplayName, string Role, string? Password, bool Disabled);

public sealed record CongressSettingsDto(string Name, DateOnly StartsOn, string Preset, bool LoginRequiresCheckIn, bool AllowProxy = false);

/// <summary>
/// The heading of the congress's documents: the issuing organisation, its superior body, the place on the date
/// line, and the motto top right ("national", "party", "youth_union" or "none"). Empty means the preset's default.
/// CountingCommittee is the committee the congress approved, one name a line, the head first.
/// </summary>
public sealed record DocumentHeadingDto(string Organisation, string SuperiorBody, string Place, string Motto, string CountingCommittee = "")
{
    /// <summary>The committee's names, head first, without blank lines.</summary>
    public IReadOnlyList<string> CommitteeNames() =>
        CountingCommittee.Split('\n').Select(n => n.Trim()).Where(n => n.Length > 0).ToList();
}

/// <summary>A document of the record the console can download, in PDF and Word; PollId for a vote's minutes.</summary>
public sealed record RecordDocumentDto(string Kind, Guid? PollId, string Title, string Path, DateTimeOffset? ResultAt);

namespace CongressVote.Shared;

public enum DelegateKind
{
    Official,
    Alternate,
    Guest,
}

public enum Gender
{
    Female,
    Male,
    Other,
}

public sealed record DelegateDto(
    Guid Id,
    string Code,
    string FullName,
    string Delegation,
    string? Position,
    string? Rank,
    Gender? Gender,
    int? BirthYear,
    DelegateKind Kind,
    string? Seat,
    string? Notes,
    bool HasBadge,
    DateTimeOffset? CheckedInAt);

/// <summary>Adding or editing one delegate; validated by the same rules as an imported row.</summary>
public sealed record DelegateEditDto(
    string Code,
    string FullName,
    string Delegation,
    string? Position,
    string? Rank,
    Gender? Gender,
    int? BirthYear,
    DelegateKind Kind,
    string? Seat,
    string? Notes);

public sealed record CountDto(string Key, int Count);

public sealed record DelegateListDto(int Total, IReadOnlyList<DelegateDto> Items, IReadOnlyList<string> Delegations);

public sealed record DelegateSummaryDto(
    int Total,
    IReadOnlyList<CountDto> ByKind,
    IReadOnlyList<CountDto> ByGender,
    IReadOnlyList<CountDto> ByDelegation);

/// <summary>
/// One problem in an imported file: the spreadsheet row (1 is the header; 0 is the file as a whole), the column
/// as the file names it, a code the client translates, and the offending value or a detail.
/// </summary>
public sealed record ImportProblemDto(int Row, string Column, string Code, string? Value);

/// <summary>
/// What an import did or, not yet imported and without problems, what its preview would do. Problems refuse the whole
/// file; warnings (columns that are ignored) do not. <see cref="Changes"/> lists every added delegate and every
/// changed field; <see cref="Plan"/> fingerprints them, so a confirmation applies exactly the preview the person saw.
/// </summary>
public sealed record ImportReportDto(
    bool Imported,
    int Rows,
    int Added,
    int Changed,
    int Unchanged,
    IReadOnlyList<ImportProblemDto> Problems,
    IReadOnlyList<ImportProblemDto>? Warnings = null,
    IReadOnlyList<DelegateChangeDto>? Changes = null,
    string? Plan = null);

/// <summary>
/// One line of what an import does: a delegate it adds (<see cref="Field"/> null), or one field it changes, old
/// value to new. Fields by their name in the registry (FullName, Seat…); genders and types by their enum names.
/// One flat class, not a record nor a delegate with a list of fields: every type and member here adds to the
/// tablet's first download, and nothing compares these.
/// </summary>
public sealed class DelegateChangeDto(string code, string fullName, string? field, string? old, string? @new)
{
    public string Code { get; } = code;

    public string FullName { get; } = fullName;

    public string? Field { get; } = field;

    public string? Old { get; } = old;

    public string? New { get; } = @new;
}

public enum BadgeScope
{
    /// <summary>Only delegates who have no badge yet.</summary>
    New,
    /// <summary>Everyone chosen, reissuing badges already printed (the old ones stop working).</summary>
    Reprint,
    /// <summary>The badges already issued, printed again: nothing new is issued and the printed ones keep working.</summary>
    Again,
}

public sealed record BadgeSheetRequest(BadgeScope Scope, string? Delegation);

/// <summary>
/// The chair's approval, typed on the desk's screen, for reissuing or revoking one badge while a vote is open:
/// without it no staff member can give themself a delegate's vote.
/// </summary>
public sealed record BadgeChangeApprovalDto(string? ChairUserName, string? ChairPassword);

namespace CongressVote.Shared;

/// <summary>The steps of an election as a congress votes them through, in order.</summary>
public enum DossierStep
{
    Seats,
    Nominations,
    Withdrawals,
    List,
    Committee,
    Ballot,
    Result,
}

public enum NominationSource
{
    Presidium,
    Delegate,
    Self,
    Paper,
}

public enum NominationState
{
    Proposed,
    Accepted,
    Declined,
    WithdrawalAsked,
    Withdrawn,
}

public sealed record NominationDto(
    Guid Id, Guid DelegateId, string FullName, string Code, NominationSource Source, NominationState State, string? NominatedBy,
    string? WithdrawalReason, Guid? WithdrawalPollId, bool WithdrawalRefused);

/// <summary>A step's outcome as recorded on the dossier: the motion that decided it and its verdict, or skipped.</summary>
public sealed record DossierStepDto(int Round, DossierStep Step, Guid? PollId, Verdict? Verdict, bool Skipped);

/// <summary>
/// An election dossier: the number to elect, the nominations, the withdrawals, the list, the counting committee and
/// the secret ballot. <see cref="Nominations"/> is in the order the list will have once frozen.
/// </summary>
public sealed record DossierDto(
    Guid Id, Guid AgendaItemId, string Title, int Seats, DossierStep Step, int Round, Guid? StepPollId, Guid ElectionPollId,
    bool Alphabetical, IReadOnlyList<string> Committee, IReadOnlyList<NominationDto> Nominations, IReadOnlyList<DossierStepDto> Recorded,
    bool Skippable);

public sealed record DossierCreateDto(Guid AgendaItemId, string Title, int Seats);

/// <summary>Moves the dossier on from <see cref="From"/>: refused if another console moved it meanwhile.</summary>
public sealed record DossierAdvanceDto(DossierStep From, bool Skip = false);

/// <summary>The motion of the current step; in the first step it may change the number to elect.</summary>
public sealed record DossierMotionDto(int? Seats = null);

/// <summary>The counting committee proposed to the congress, head first.</summary>
public sealed record CommitteeDto(IReadOnlyList<string> Names);

/// <summary>The presidium's list, or one paper nomination, by delegate.</summary>
public sealed record NomineesDto(IReadOnlyList<Guid> DelegateIds);

/// <summary>A delegate nominates another delegate, or themself, from the tablet.</summary>
public sealed record NominateRequest(Guid DossierId, Guid DelegateId);

public sealed record NominationAnswerRequest(Guid NominationId, bool Accept);

public sealed record WithdrawalRequest(Guid DossierId, string Reason);

public sealed record NomineeSearchRequest(string Query);

public sealed record NomineeDto(Guid Id, string FullName, string Code, string Delegation);

/// <summary>A tablet action's answer: no code when done, else the refusal's code (Error_&lt;code&gt;).</summary>
public sealed record DossierAnswer(string? Code);

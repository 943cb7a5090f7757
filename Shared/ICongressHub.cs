namespace CongressVote.Shared;

/// <summary>What clients may call on the hub. The server's hub implements it; clients invoke with nameof(...).</summary>
public interface ICongressHub
{
    /// <summary>The whole current state; called on connect and after every reconnect.</summary>
    Task<CongressSnapshotDto> Snapshot();

    /// <summary>Casts a delegate's ballot. The answer comes after the ballot's transaction committed.</summary>
    Task<CastResult> Cast(CastRequest request);

    /// <summary>The election dossier a tablet shows (the newest not finished), or none.</summary>
    Task<DossierDto?> Dossier();

    /// <summary>Delegates a tablet may nominate, found without diacritics.</summary>
    Task<List<NomineeDto>> SearchNominees(NomineeSearchRequest request);

    /// <summary>Nominates a delegate, or oneself, while nominations are open.</summary>
    Task<DossierAnswer> Nominate(NominateRequest request);

    /// <summary>The nominee accepts or declines a nomination.</summary>
    Task<DossierAnswer> AnswerNomination(NominationAnswerRequest request);

    /// <summary>A nominee on the list asks to withdraw, with a reason; the congress votes on it.</summary>
    Task<DossierAnswer> AskToWithdraw(WithdrawalRequest request);
}

namespace CongressVote.Shared;

/// <summary>What clients may call on the hub. The server's hub implements it; clients invoke with nameof(...).</summary>
public interface ICongressHub
{
    /// <summary>The whole current state; called on connect and after every reconnect.</summary>
    Task<CongressSnapshotDto> Snapshot();

    /// <summary>Casts a delegate's ballot. The answer comes after the ballot's transaction committed.</summary>
    Task<CastResult> Cast(CastRequest request);
}

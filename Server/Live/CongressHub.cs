using CongressVote.Server.Polls;
using CongressVote.Server.Sessions;
using CongressVote.Shared;
using Microsoft.AspNetCore.Authorization;
using Microsoft.AspNetCore.SignalR;

namespace CongressVote.Server.Live;

/// <summary>
/// The live channel of tablets, consoles and projectors. It holds no state: a connection joins its congress's
/// group, asks for a snapshot, and (as a delegate) casts.
/// </summary>
[Authorize]
public sealed class CongressHub(
    BallotBox ballots, Elections.Dossiers dossiers, CongressSnapshots snapshots, ConnectionRegistry connections, BackplaneState backplane, ILogger<CongressHub> logger)
    : Hub<ICongressClient>
{
    public override async Task OnConnectedAsync()
    {
        var user = Context.User!;
        await JoinAsync(CongressNotifier.CongressGroup(user.CongressId()));
        if (user.Role() == Roles.Delegate)
        {
            Guid session = user.SessionId();
            await JoinAsync(CongressNotifier.SessionGroup(session));
            connections.Add(Context, user.CongressId(), user.SubjectId(), session);
        }
        else
        {
            await JoinAsync(CongressNotifier.ScreensGroup(user.CongressId()));
            if (Roles.IsStaff(user.Role()))
            {
                connections.AddStaff(Context, user.CongressId(), user.SubjectId());
            }
            else
            {
                connections.Add(Context, user.CongressId(), null, null);
            }
        }

        await base.OnConnectedAsync();
    }

    /// <summary>
    /// Joining a group can fail while the backplane is down. The connection still votes and reads snapshots (they
    /// go to PostgreSQL), so a tablet is never turned away for want of live pushes.
    /// </summary>
    private async Task JoinAsync(string group)
    {
        try
        {
            await Groups.AddToGroupAsync(Context.ConnectionId, group);
        }
        catch (Exception ex) when (ex is StackExchange.Redis.RedisException or TimeoutException)
        {
            logger.LogWarning(ex, "Could not join {Group} while the backplane is down", group);
            backplane.RejoinWhenBack(Context.ConnectionId, Context.Abort);
        }
    }

    public override Task OnDisconnectedAsync(Exception? exception)
    {
        connections.Remove(Context.ConnectionId);
        return base.OnDisconnectedAsync(exception);
    }

    /// <summary>The whole current state, versioned; clients call it on connect and after every reconnect.</summary>
    public Task<CongressSnapshotDto> Snapshot()
    {
        var user = Context.User!;
        Guid? delegateId = user.Role() == Roles.Delegate ? user.SubjectId() : null;
        return snapshots.ReadAsync(user.CongressId(), delegateId, Context.ConnectionAborted);
    }

    /// <summary>
    /// The wire form of <see cref="ICongressHub.Cast"/>: the ballot is read strictly here rather than by the
    /// serializer, so a malformed one gets a refusal the tablet can show instead of a generic hub error.
    /// </summary>
    [Authorize(Roles = Roles.Delegate)]
    public Task<CastResult> Cast(System.Text.Json.JsonElement? request)
    {
        var (cast, refusal) = CastWire.Parse(request);
        if (refusal is { } status)
        {
            return Task.FromResult(new CastResult(status));
        }

        var user = Context.User!;
        return ballots.CastAsync(user.CongressId(), user.SubjectId(), user.SessionId(), cast!, Context.ConnectionAborted);
    }

    /// <summary>The election dossier the tablet shows; staff screens read theirs over HTTP.</summary>
    public Task<DossierDto?> Dossier() => dossiers.CurrentAsync(Context.User!.CongressId());

    [Authorize(Roles = Roles.Delegate)]
    public Task<List<NomineeDto>> SearchNominees(NomineeSearchRequest request) => dossiers.SearchAsync(Context.User!.CongressId(), request?.Query);

    // Nominating, answering and withdrawing are a delegate's own acts, bound to the tablet's session like a ballot.
    [Authorize(Roles = Roles.Delegate)]
    public Task<DossierAnswer> Nominate(NominateRequest request) =>
        request is null ? Task.FromResult(new DossierAnswer("bad_request_body")) : dossiers.NominateAsync(Context.User!, request);

    [Authorize(Roles = Roles.Delegate)]
    public Task<DossierAnswer> AnswerNomination(NominationAnswerRequest request) =>
        request is null ? Task.FromResult(new DossierAnswer("bad_request_body")) : dossiers.AnswerAsync(Context.User!, request);

    [Authorize(Roles = Roles.Delegate)]
    public Task<DossierAnswer> AskToWithdraw(WithdrawalRequest request) =>
        request is null ? Task.FromResult(new DossierAnswer("bad_request_body")) : dossiers.AskToWithdrawAsync(Context.User!, request);
}

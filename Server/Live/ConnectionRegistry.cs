using System.Collections.Concurrent;
using Microsoft.AspNetCore.SignalR;

namespace CongressVote.Server.Live;

/// <summary>
/// The live connections of this node, so staff can see which tablets are connected and an ended session's
/// connections can be closed at once instead of when their cookie next reaches the server.
/// </summary>
public sealed class ConnectionRegistry
{
    private sealed record Entry(HubCallerContext Context, Guid CongressId, Guid? DelegateId, Guid? SessionId, Guid? StaffId = null);

    private readonly ConcurrentDictionary<string, Entry> _connections = new();

    public void Add(HubCallerContext context, Guid congressId, Guid? delegateId, Guid? sessionId)
    {
        ArgumentNullException.ThrowIfNull(context);
        _connections[context.ConnectionId] = new Entry(context, congressId, delegateId, sessionId);
    }

    /// <summary>A staff member's console: closed when their account's cookies are ended.</summary>
    public void AddStaff(HubCallerContext context, Guid congressId, Guid staffId)
    {
        ArgumentNullException.ThrowIfNull(context);
        _connections[context.ConnectionId] = new Entry(context, congressId, null, null, staffId);
    }

    public void AbortStaff(Guid staffId)
    {
        foreach (var entry in _connections.Values.Where(e => e.StaffId == staffId))
        {
            entry.Context.Abort();
        }
    }

    public void Remove(string connectionId) => _connections.TryRemove(connectionId, out _);

    public void AbortSession(Guid sessionId)
    {
        foreach (var entry in _connections.Values.Where(e => e.SessionId == sessionId))
        {
            entry.Context.Abort();
        }
    }

    public IReadOnlySet<Guid> ConnectedSessions(Guid congressId) =>
        _connections.Values.Where(e => e.CongressId == congressId && e.SessionId is not null).Select(e => e.SessionId!.Value).ToHashSet();
}

using System.Collections.Concurrent;
using Microsoft.AspNetCore.SignalR;

namespace CongressVote.Server.Live;

/// <summary>
/// The live connections of this node, so staff can see which tablets are connected and an ended session's
/// connections can be closed at once instead of when their cookie next reaches the server.
/// </summary>
public sealed class ConnectionRegistry
{
    private sealed record Entry(HubCallerContext Context, Guid CongressId, Guid? DelegateId, Guid? SessionId, Guid? StaffId = null)
    {
        public long Order { get; } = Interlocked.Increment(ref s_order);
    }

    private static long s_order;

    /// <summary>
    /// A tablet needs one live connection (two while it reconnects after a network change); a session opening
    /// many would multiply its calls past the per-connection limit. Beyond this, the oldest is closed.
    /// </summary>
    public const int MaxConnectionsPerSession = 3;

    private readonly ConcurrentDictionary<string, Entry> _connections = new();
    private readonly ConcurrentDictionary<Guid, ConcurrentDictionary<string, long>> _bySession = new();

    /// <summary>Live connections on this node, of every kind.</summary>
    public int Count => _connections.Count;

    /// <summary>How many of a congress's delegates have a tablet connected to this node (a tablet reconnecting counts once).</summary>
    public int DelegatesConnected(Guid congressId) =>
        _connections.Values.Where(e => e.CongressId == congressId && e.DelegateId is not null).Select(e => e.DelegateId).Distinct().Count();

    public void Add(HubCallerContext context, Guid congressId, Guid? delegateId, Guid? sessionId)
    {
        ArgumentNullException.ThrowIfNull(context);
        _connections[context.ConnectionId] = new Entry(context, congressId, delegateId, sessionId);
        if (sessionId is { } session)
        {
            var ofSession = _bySession.GetOrAdd(session, _ => new ConcurrentDictionary<string, long>());
            ofSession[context.ConnectionId] = _connections[context.ConnectionId].Order;
            if (ofSession.Count > MaxConnectionsPerSession)
            {
                foreach (var (connectionId, _) in ofSession.OrderByDescending(c => c.Value).Skip(MaxConnectionsPerSession))
                {
                    if (_connections.TryGetValue(connectionId, out var oldest))
                    {
                        oldest.Context.Abort();
                    }
                }
            }
        }
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

    public void Remove(string connectionId)
    {
        if (_connections.TryRemove(connectionId, out var entry) && entry.SessionId is { } session && _bySession.TryGetValue(session, out var ofSession))
        {
            ofSession.TryRemove(connectionId, out _);
            if (ofSession.IsEmpty)
            {
                _bySession.TryRemove(new KeyValuePair<Guid, ConcurrentDictionary<string, long>>(session, ofSession));
            }
        }
    }

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

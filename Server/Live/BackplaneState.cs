using StackExchange.Redis;

namespace CongressVote.Server.Live;

/// <summary>
/// Whether the nodes' shared message bus (Redis) is up. Votes never travel through it (docs/architecture.md §4, rule 8):
/// without it a node still stores and acknowledges ballots, and only live pushes to other nodes' clients pause.
/// When it comes back, every client is told to fetch a fresh snapshot.
/// </summary>
public sealed class BackplaneState
{
    private readonly System.Collections.Concurrent.ConcurrentDictionary<string, Action> _rejoin = new();
    private volatile bool _connected;

    public bool Configured { get; private set; }

    /// <summary>Raised when the bus is reachable again after an outage.</summary>
    public event Action? Restored;

    /// <summary>
    /// A connection taken while Redis was down missed its Redis subscriptions, and nothing subscribes it later: when
    /// Redis is back it is closed, and the client reconnects (with a fresh snapshot) and subscribes properly.
    /// </summary>
    public void RejoinWhenBack(string connectionId, Action abort) => _rejoin[connectionId] = abort;

    public string Describe() => !Configured ? "none" : _connected ? "connected" : "disconnected";

    public void Attach(IConnectionMultiplexer multiplexer)
    {
        ArgumentNullException.ThrowIfNull(multiplexer);
        Configured = true;
        _connected = multiplexer.IsConnected;
        multiplexer.ConnectionFailed += (_, _) => _connected = false;
        multiplexer.ConnectionRestored += (_, e) =>
        {
            // Several physical connections (interactive, subscription) report separately; resynchronise once both are up.
            bool was = _connected;
            _connected = multiplexer.IsConnected;
            if (_connected && !was)
            {
                foreach (var (id, abort) in _rejoin)
                {
                    _rejoin.TryRemove(id, out Action? _);
                    abort();
                }

                Restored?.Invoke();
            }
        };
    }
}

using StackExchange.Redis;

namespace CongressVote.Server.Live;

/// <summary>
/// Whether the nodes' shared message bus (Redis) is up. Votes never travel through it (design.md §4, rule 8):
/// without it a node still stores and acknowledges ballots, and only live pushes to other nodes' clients pause.
/// When it comes back, every client is told to fetch a fresh snapshot.
/// </summary>
public sealed class BackplaneState
{
    private volatile bool _connected;

    public bool Configured { get; private set; }

    /// <summary>Raised when the bus is reachable again after an outage.</summary>
    public event Action? Restored;

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
                Restored?.Invoke();
            }
        };
    }
}

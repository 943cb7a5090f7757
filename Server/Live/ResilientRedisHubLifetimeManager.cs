using Microsoft.AspNetCore.SignalR;
using Microsoft.AspNetCore.SignalR.StackExchangeRedis;
using Microsoft.Extensions.Options;

namespace CongressVote.Server.Live;

/// <summary>
/// The Redis backplane, except that a tablet connecting while Redis is down is still taken. The stock manager
/// subscribes each new connection to its own Redis channel and refuses the connection when that fails; this one
/// keeps it, because everything the connection needs to vote (casting, snapshots) goes to PostgreSQL on this node.
/// Only pushes from other nodes to that one connection are missed, and its groups are shared with connections that
/// were subscribed before the outage; when Redis returns, such a connection is closed so its client reconnects
/// and subscribes, and every other client is told to resynchronise.
/// </summary>
public sealed class ResilientRedisHubLifetimeManager<THub>(
    ILogger<RedisHubLifetimeManager<THub>> baseLogger,
    ILogger<ResilientRedisHubLifetimeManager<THub>> logger,
    BackplaneState backplane,
    IOptions<RedisOptions> options,
    IHubProtocolResolver hubProtocolResolver,
    IOptions<HubOptions>? globalHubOptions,
    IOptions<HubOptions<THub>>? hubOptions)
    : RedisHubLifetimeManager<THub>(baseLogger, options, hubProtocolResolver, globalHubOptions, hubOptions)
    where THub : Hub
{
    public override async Task OnConnectedAsync(HubConnectionContext connection)
    {
        try
        {
            await base.OnConnectedAsync(connection);
        }
        catch (Exception ex) when (ex is StackExchange.Redis.RedisException or TimeoutException)
        {
            logger.LogWarning(ex, "Connection {ConnectionId} taken while the backplane is down", connection?.ConnectionId);
            if (connection is not null)
            {
                backplane.RejoinWhenBack(connection.ConnectionId, connection.Abort);
            }
        }
    }

    public override async Task OnDisconnectedAsync(HubConnectionContext connection)
    {
        try
        {
            await base.OnDisconnectedAsync(connection);
        }
        catch (Exception ex) when (ex is StackExchange.Redis.RedisException or TimeoutException)
        {
            logger.LogWarning(ex, "Connection {ConnectionId} left while the backplane is down", connection?.ConnectionId);
        }
    }
}

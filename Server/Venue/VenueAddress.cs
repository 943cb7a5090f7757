namespace CongressVote.Server.Venue;

/// <summary>Where the hall reaches this server; set as Venue:PublicUrl.</summary>
public sealed class VenueOptions
{
    /// <summary>The address tablets and phones reach the server at, e.g. http://192.168.1.10:5000; badge QR codes point here.</summary>
    public string? PublicUrl { get; set; }
}

/// <summary>The address printed on badges and projector links, and the machine's own address on the hall LAN.</summary>
public static class VenueAddress
{
    /// <summary>The configured venue address, else the address the console itself was opened at.</summary>
    public static string BaseUrl(VenueOptions venue, HttpContext http)
    {
        ArgumentNullException.ThrowIfNull(venue);
        ArgumentNullException.ThrowIfNull(http);
        if (!string.IsNullOrWhiteSpace(venue.PublicUrl))
        {
            return venue.PublicUrl.TrimEnd('/');
        }

        // A console opened on the server itself would print badges only the server can open: use its LAN address.
        string host = http.Request.Host.Host;
        if (host is "localhost" or "::1" || host.StartsWith("127.", StringComparison.Ordinal))
        {
            host = LanAddress() ?? host;
        }

        return $"{http.Request.Scheme}://{host}{(http.Request.Host.Port is { } port ? ":" + port.ToString(System.Globalization.CultureInfo.InvariantCulture) : "")}";
    }

    /// <summary>The machine's first IPv4 address on a network interface that is up, if any.</summary>
    public static string? LanAddress() =>
        System.Net.NetworkInformation.NetworkInterface.GetAllNetworkInterfaces()
            .Where(n => n.OperationalStatus == System.Net.NetworkInformation.OperationalStatus.Up
                && n.NetworkInterfaceType != System.Net.NetworkInformation.NetworkInterfaceType.Loopback)
            .SelectMany(n => n.GetIPProperties().UnicastAddresses)
            .Select(a => a.Address)
            .FirstOrDefault(a => a.AddressFamily == System.Net.Sockets.AddressFamily.InterNetwork && !System.Net.IPAddress.IsLoopback(a))
            ?.ToString();
}

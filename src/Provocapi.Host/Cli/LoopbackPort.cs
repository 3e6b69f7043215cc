using System.Net;
using System.Net.Sockets;

namespace Provocapi.Host.Cli;

/// <summary>A loopback port free now, for the servers the bench commands start in process.</summary>
public static class LoopbackPort
{
    public static int Free()
    {
        using var listener = new TcpListener(IPAddress.Loopback, 0);
        listener.Start();
        return ((IPEndPoint)listener.LocalEndpoint).Port;
    }
}

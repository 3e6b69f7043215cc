using System.Runtime.InteropServices;
using Provocapi.Host.Tests.Server;

namespace Provocapi.Host.Tests.Adapters.Cluster;

/// <summary>
/// Freezes and thaws a server process with SIGSTOP and SIGCONT (Linux), as a long pause or a network partition
/// would: it stays alive with its state, but answers nothing and misses what is sent meanwhile.
/// </summary>
public static class ProcessPause
{
    const int SigCont = 18;
    const int SigStop = 19;

    [DllImport("libc", SetLastError = true)]
    static extern int kill(int pid, int signal);

    public static void Freeze(ServerProcess server) => Signal(server, SigStop);

    public static void Thaw(ServerProcess server) => Signal(server, SigCont);

    static void Signal(ServerProcess server, int signal)
    {
        if (kill(server.ProcessId, signal) != 0) throw new InvalidOperationException($"kill({signal}) failed: errno {Marshal.GetLastPInvokeError()}");
    }
}

using System.Diagnostics;
using System.Text;
using Provocapi.Host.Cli;

namespace Provocapi.Host.Tests.Server;

/// <summary>The real <c>provocapi</c> executable serving on a free loopback port, stopped on dispose.</summary>
public sealed class ServerProcess : IAsyncDisposable
{
    readonly Process _process;
    readonly StringBuilder _output = new();

    public Uri BaseAddress { get; }
    public string Output { get { lock (_output) return _output.ToString(); } }

    ServerProcess(Process process, Uri baseAddress)
    {
        _process = process;
        BaseAddress = baseAddress;
    }

    public static async Task<ServerProcess> StartAsync(params string[] args)
    {
        var port = LoopbackPort.Free();
        var start = new ProcessStartInfo("dotnet") { RedirectStandardOutput = true, RedirectStandardError = true, UseShellExecute = false };
        start.ArgumentList.Add(Path.Combine(AppContext.BaseDirectory, "provocapi.dll"));
        start.ArgumentList.Add("serve");
        start.ArgumentList.Add("--urls");
        start.ArgumentList.Add($"http://127.0.0.1:{port}");
        foreach (var a in args) start.ArgumentList.Add(a);
        var server = new ServerProcess(Process.Start(start)!, new Uri($"http://127.0.0.1:{port}"));
        server._process.OutputDataReceived += (_, e) => server.Append(e.Data);
        server._process.ErrorDataReceived += (_, e) => server.Append(e.Data);
        server._process.BeginOutputReadLine();
        server._process.BeginErrorReadLine();
        using var http = new HttpClient { BaseAddress = server.BaseAddress };
        for (var i = 0; i < 300; i++)
        {
            if (server._process.HasExited) throw new InvalidOperationException("provocapi exited: " + server.Output);
            try
            {
                if ((await http.GetAsync("/ready")).IsSuccessStatusCode) return server;
            }
            catch (HttpRequestException) { }
            await Task.Delay(100);
        }
        await server.DisposeAsync();
        throw new TimeoutException("provocapi did not become ready: " + server.Output);
    }

    void Append(string? line)
    {
        if (line == null) return;
        lock (_output) _output.AppendLine(line);
    }

    public bool HasExited => _process.HasExited;

    /// <summary>The server's process id (<c>dotnet</c> runs the app in its own process).</summary>
    public int ProcessId => _process.Id;

    /// <summary>SIGKILL: the process gets no chance to clean up, as when a machine dies.</summary>
    public async Task KillAsync()
    {
        if (!_process.HasExited) _process.Kill(entireProcessTree: true);
        await _process.WaitForExitAsync();
    }

    public async ValueTask DisposeAsync()
    {
        await KillAsync();
        _process.Dispose();
    }
}

using System.Data.Common;
using Microsoft.Extensions.Options;
using Provocapi.Host.Server;

namespace Provocapi.Host.Cli;

/// <summary><c>provocapi serve</c>: runs the server until stopped. A bad configuration ends start-up with one line and exit code 1.</summary>
public static class ServeCommand
{
    public static async Task<int> RunAsync(string[] args)
    {
        try
        {
            var app = ProvocapiServer.Build(ServeArguments.Parse(args));
            await app.RunAsync();
            return Environment.ExitCode;
        }
        catch (OptionsValidationException e)
        {
            return Fail(string.Join("; ", e.Failures));
        }
        catch (Exception e) when (e is InvalidOperationException or IOException or UnauthorizedAccessException or DbException or FormatException)
        {
            return Fail(e.Message);
        }
    }

    static int Fail(string message)
    {
        Console.Error.WriteLine($"error: {message.ReplaceLineEndings(" ")}");
        return 1;
    }
}

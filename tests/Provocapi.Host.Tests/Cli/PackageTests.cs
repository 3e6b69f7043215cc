using System.Diagnostics;
using Provocapi.Tests;

namespace Provocapi.Host.Tests.Cli;

/// <summary>`dotnet pack` makes the Core and Engine packages, and the sample app builds against them from a local feed and runs, as a NuGet user's app would.</summary>
public sealed class PackageTests
{
    [Fact]
    public async Task Sample_app_runs_from_the_packed_packages()
    {
        var repo = Path.GetFullPath(Path.Combine(TestData.Root, "..", ".."));
        var work = Directory.CreateTempSubdirectory("provocapi-pack-").FullName;
        var feed = Path.Combine(work, "feed");
        // A version of its own, so the global package cache never serves an older build.
        var version = $"0.1.0-test{DateTime.UtcNow:yyyyMMddHHmmssfff}";
        foreach (var project in new[] { "src/Provocapi.Engine", "src/Provocapi.Core" })
            await Run("dotnet", ["pack", Path.Combine(repo, project), "-c", Configuration, "--no-build", "-o", feed, $"-p:Version={version}"], work);
        Assert.True(File.Exists(Path.Combine(feed, $"Provocapi.Core.{version}.nupkg")));
        Assert.True(File.Exists(Path.Combine(feed, $"Provocapi.Engine.{version}.nupkg")));

        var sample = Path.Combine(work, "sample");
        Directory.CreateDirectory(sample);
        foreach (var file in new[] { "Program.cs", "Provocapi.Sample.csproj" })
            File.Copy(Path.Combine(repo, "samples", "Provocapi.Sample", file), Path.Combine(sample, file));
        File.WriteAllText(Path.Combine(sample, "nuget.config"), $"""
            <?xml version="1.0" encoding="utf-8"?>
            <configuration>
              <packageSources>
                <add key="local" value="{feed}" />
              </packageSources>
            </configuration>
            """);
        var model = TestData.Path("models", "llama-bpe-d64", "hf-f32");
        var output = await Run("dotnet", ["run", "--project", sample, $"-p:ProvocapiVersion={version}", "--", model], sample);
        Assert.Contains("completion: ", output);
        Assert.Matches(@"tokens: (\d+ ){7}\d+", output);
        Assert.Contains("chat: ", output);
        Directory.Delete(work, recursive: true);
    }

    /// <summary>The configuration these tests were built in; the packages are made from that same build.</summary>
    static string Configuration => AppContext.BaseDirectory.Contains($"{Path.DirectorySeparatorChar}Release{Path.DirectorySeparatorChar}") ? "Release" : "Debug";

    static async Task<string> Run(string file, string[] args, string directory)
    {
        var start = new ProcessStartInfo(file) { RedirectStandardOutput = true, RedirectStandardError = true, WorkingDirectory = directory };
        foreach (var a in args) start.ArgumentList.Add(a);
        using var process = Process.Start(start)!;
        var stdout = process.StandardOutput.ReadToEndAsync();
        var stderr = process.StandardError.ReadToEndAsync();
        using var timeout = new CancellationTokenSource(TimeSpan.FromMinutes(5));
        await process.WaitForExitAsync(timeout.Token);
        var output = await stdout + await stderr;
        Assert.True(process.ExitCode == 0, $"{file} {string.Join(' ', args)} failed:\n{output}");
        return output;
    }
}

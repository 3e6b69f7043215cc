using System.Net.Http.Headers;
using Provocapi.Host.Tests.Cli;
using Provocapi.Host.Tests.Server;

namespace Provocapi.Host.Tests.Batch;

/// <summary>The real executable, killed with SIGKILL in the middle of a job and started again on the same data folder.</summary>
public sealed class BatchDurabilityTests
{
    [Fact]
    public async Task A_job_survives_sigkill_with_no_line_lost_and_none_run_twice()
    {
        var data = Directory.CreateTempSubdirectory("provocapi-batch-kill-").FullName;
        // Dedicated: the test polls faster than the shared tier's 60 requests a minute allow.
        var key = (await ProvocapiProcess.RunAsync(["keys", "create", "--tenant", "durable", "--tier", "dedicated", "--data", data])).Stdout.Trim();
        string id;
        Dictionary<string, string> before;
        const int lines = 60;
        await using (var first = await ServerProcess.StartAsync("--data", data, "--Provocapi:Batch:MaxConcurrentLines=2"))
        {
            using var client = Client(first, key);
            id = (await client.SubmittedAsync(Enumerable.Range(0, lines).Select(i => BatchHttp.Chat($"k{i}", $"Line {i}", maxTokens: 24)))).GetProperty("id").GetString()!;
            for (var i = 0; i < 1200 && (await client.OutputAsync(id)).Count < 8; i++) await Task.Delay(50);
            before = (await client.OutputAsync(id)).ToDictionary(o => o.GetProperty("custom_id").GetString()!, o => o.GetRawText());
            Assert.InRange(before.Count, 8, lines - 1);
        } // DisposeAsync kills the process (SIGKILL), with lines running.

        await using var second = await ServerProcess.StartAsync("--data", data);
        using var again = Client(second, key);
        var done = await again.WaitForAsync(id, "completed");
        Assert.Equal(lines, done.GetProperty("completed_count").GetInt32() + done.GetProperty("failed_count").GetInt32());
        var output = await again.OutputAsync(id);
        Assert.Equal(Enumerable.Range(0, lines).Select(i => $"k{i}"), output.Select(o => o.GetProperty("custom_id").GetString()));
        // Lines finished before the kill were not run again: same request id, same answer, byte for byte.
        foreach (var line in output)
            if (before.TryGetValue(line.GetProperty("custom_id").GetString()!, out var earlier)) Assert.Equal(earlier, line.GetRawText());
        Assert.All(output, o => Assert.Equal(200, o.GetProperty("response").GetProperty("status_code").GetInt32()));
    }

    static HttpClient Client(ServerProcess server, string key)
    {
        var client = new HttpClient { BaseAddress = server.BaseAddress };
        client.DefaultRequestHeaders.Authorization = new AuthenticationHeaderValue("Bearer", key);
        return client;
    }
}

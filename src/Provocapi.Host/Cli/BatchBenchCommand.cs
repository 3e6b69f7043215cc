using System.Diagnostics;
using System.Globalization;
using System.Net.Http.Headers;
using System.Net.Http.Json;
using System.Text;
using System.Text.Json;
using Microsoft.AspNetCore.Builder;
using Microsoft.Extensions.DependencyInjection;
using Provocapi.Host.Modules.Inference.Catalog;
using Provocapi.Host.Modules.Keys;
using Provocapi.Host.Platform.Callers;
using Provocapi.Host.Server;

namespace Provocapi.Host.Cli;

/// <summary>
/// <c>provocapi bench-batch</c>: the batch API against the same requests sent one at a time over HTTP, on a server
/// started in this process on loopback (a fresh data folder, one model). Reports both in generated tokens/s, and an
/// interactive streamed request's time to first token, idle and while a batch job runs.
/// </summary>
public static class BatchBenchCommand
{
    public static async Task<int> RunAsync(CommandLineOptions options)
    {
        var path = options.String("--model", "-m") ?? DemoModel.Options().Path;
        var lines = options.Int(1000, "-n", "--lines");
        var maxTokens = options.Int(16, "--max-tokens");
        var threads = options.Int(Environment.ProcessorCount, "-t", "--threads");
        var probes = options.Int(10, "--probes");
        options.RejectUnknown();
        if (lines < 1 || maxTokens < 1 || threads < 1 || probes < 1) throw new CommandLineException("-n, --max-tokens, -t and --probes must be at least 1");

        var data = Directory.CreateTempSubdirectory("provocapi-bench-batch-").FullName;
        var url = $"http://127.0.0.1:{LoopbackPort.Free()}";
        await using var app = ProvocapiServer.Build(ServeArguments.Parse(
        [
            "--urls", url, "--data", data, "--Provocapi:Models:0:Id=bench", $"--Provocapi:Models:0:Path={Path.GetFullPath(path)}",
            $"--Provocapi:Models:0:Threads={threads}", "--Provocapi:Tiers:Shared:RequestsPerMinute=0", "--Provocapi:Tiers:Shared:TokensPerMinute=0",
            "--Logging:LogLevel:Default=Warning",
        ]));
        await app.StartAsync();
        var key = app.Services.GetRequiredService<KeyStore>().CreateKey("bench", Tier.Dedicated).Key;
        using var http = new HttpClient { BaseAddress = new Uri(url), Timeout = TimeSpan.FromHours(1) };
        http.DefaultRequestHeaders.Authorization = new AuthenticationHeaderValue("Bearer", key);
        while (!(await http.GetAsync("/ready")).IsSuccessStatusCode) await Task.Delay(50);
        Console.Error.WriteLine($"{path}: {threads} threads, {lines} requests of max_tokens {maxTokens}");

        object Body(int i) => new { model = "bench", messages = new[] { new { role = "user", content = $"Question {i}: what comes next?" } }, max_tokens = maxTokens, temperature = 0 };
        await OneAtATimeAsync(http, Enumerable.Range(0, Math.Min(lines, 20)).Select(i => Body(-i)));

        var single = await OneAtATimeAsync(http, Enumerable.Range(0, lines).Select(Body));
        var batch = await BatchAsync(http, Enumerable.Range(0, lines).Select(Body));
        var idle = await TimeToFirstTokenAsync(http, probes);
        var jobId = await SubmitAsync(http, Enumerable.Range(0, lines).Select(Body));
        while ((await StatusAsync(http, jobId)).GetProperty("completed_count").GetInt32() == 0) await Task.Delay(20);
        var busy = await TimeToFirstTokenAsync(http, probes);
        var running = (await StatusAsync(http, jobId)).GetProperty("status").GetString();
        await http.PostAsync($"/v1/batch/{jobId}/cancel", null);

        Console.WriteLine($"one at a time over HTTP: {single.Tokens} tokens in {single.Seconds:F2} s = {single.Tokens / single.Seconds:F1} tokens/s");
        Console.WriteLine($"batch job:               {batch.Tokens} tokens in {batch.Seconds:F2} s = {batch.Tokens / batch.Seconds:F1} tokens/s " +
                          $"({batch.Tokens / batch.Seconds / (single.Tokens / single.Seconds):F2}x)");
        Console.WriteLine($"interactive time to first token, median of {probes}: idle {idle.FirstToken:F1} ms, during a batch job {busy.FirstToken:F1} ms " +
                          $"({busy.FirstToken / idle.FirstToken:F2}x; the job was {running} throughout); of it in the engine's queue: {idle.Queue:F0} ms idle, {busy.Queue:F0} ms during");
        await app.StopAsync();
        Directory.Delete(data, recursive: true);
        return 0;
    }

    static async Task<(long Tokens, double Seconds)> OneAtATimeAsync(HttpClient http, IEnumerable<object> bodies)
    {
        long tokens = 0;
        var start = Stopwatch.GetTimestamp();
        foreach (var body in bodies)
        {
            using var response = await http.PostAsJsonAsync("/v1/chat/completions", body);
            response.EnsureSuccessStatusCode();
            tokens += (await response.Content.ReadFromJsonAsync<JsonElement>()).GetProperty("usage").GetProperty("completion_tokens").GetInt64();
        }
        return (tokens, Stopwatch.GetElapsedTime(start).TotalSeconds);
    }

    static async Task<(long Tokens, double Seconds)> BatchAsync(HttpClient http, IEnumerable<object> bodies)
    {
        var start = Stopwatch.GetTimestamp();
        var id = await SubmitAsync(http, bodies);
        while ((await StatusAsync(http, id)).GetProperty("status").GetString() is not ("completed" or "failed")) await Task.Delay(20);
        var seconds = Stopwatch.GetElapsedTime(start).TotalSeconds;
        var output = await http.GetStringAsync($"/v1/batch/{id}/output");
        var tokens = output.Split('\n', StringSplitOptions.RemoveEmptyEntries)
            .Sum(l => JsonDocument.Parse(l).RootElement.GetProperty("response").GetProperty("body").GetProperty("usage").GetProperty("completion_tokens").GetInt64());
        return (tokens, seconds);
    }

    static async Task<string> SubmitAsync(HttpClient http, IEnumerable<object> bodies)
    {
        var file = string.Join("\n", bodies.Select((b, i) => JsonSerializer.Serialize(new { custom_id = $"r{i}", body = b })));
        using var form = new MultipartFormDataContent { { new ByteArrayContent(Encoding.UTF8.GetBytes(file)), "file", "bench.jsonl" } };
        using var response = await http.PostAsync("/v1/batch", form);
        response.EnsureSuccessStatusCode();
        return (await response.Content.ReadFromJsonAsync<JsonElement>()).GetProperty("id").GetString()!;
    }

    static async Task<JsonElement> StatusAsync(HttpClient http, string id) => await http.GetFromJsonAsync<JsonElement>($"/v1/batch/{id}");

    /// <summary>Median milliseconds from sending a streamed chat request to its first content event, and of its queue wait (<c>X-Provocapi-Queue-Ms</c>).</summary>
    static async Task<(double FirstToken, double Queue)> TimeToFirstTokenAsync(HttpClient http, int probes)
    {
        var samples = new List<double>();
        var queue = new List<double>();
        for (var i = 0; i < probes; i++)
        {
            var start = Stopwatch.GetTimestamp();
            using var request = new HttpRequestMessage(HttpMethod.Post, "/v1/chat/completions")
            {
                Content = JsonContent.Create(new { model = "bench", messages = new[] { new { role = "user", content = $"Probe {i}" } }, max_tokens = 4, stream = true }),
            };
            using var response = await http.SendAsync(request, HttpCompletionOption.ResponseHeadersRead);
            response.EnsureSuccessStatusCode();
            queue.Add(double.Parse(response.Headers.GetValues("X-Provocapi-Queue-Ms").Single(), CultureInfo.InvariantCulture));
            using var reader = new StreamReader(await response.Content.ReadAsStreamAsync());
            while (await reader.ReadLineAsync() is { } line)
                if (line.StartsWith("data: {", StringComparison.Ordinal) && line.Contains("\"content\":\"", StringComparison.Ordinal) && !line.Contains("\"content\":\"\"", StringComparison.Ordinal))
                    break;
            samples.Add(Stopwatch.GetElapsedTime(start).TotalMilliseconds);
            // Read to the end, so the next probe meets the batch job alone, not this probe's last tokens too.
            await reader.ReadToEndAsync();
        }
        samples.Sort();
        queue.Sort();
        return (samples[samples.Count / 2], queue[queue.Count / 2]);
    }
}

using System.Net.Http.Headers;
using System.Text;
using System.Text.Json;
using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.Mvc.Testing;
using Microsoft.AspNetCore.TestHost;
using Microsoft.Extensions.DependencyInjection;
using Provocapi.Host.Modules.Keys;
using Provocapi.Host.Platform.Callers;
using Provocapi.Host.Tests.Server;
using Provocapi.Tests;

namespace Provocapi.Host.Tests.Batch;

/// <summary>
/// The real server in process on a fresh data folder, serving the d64 demo model as <c>demo</c> (priced, so batch
/// costs can be checked) and <c>private</c> (tenant acme only), with batch settings of the test's choosing.
/// </summary>
public sealed class BatchServer(IReadOnlyDictionary<string, string>? batch = null) : WebApplicationFactory<Program>
{
    public const decimal PromptPrice = 1000, CompletionPrice = 3000;
    public string DataDirectory { get; } = Directory.CreateTempSubdirectory("provocapi-batch-").FullName;
    /// <summary>The server's clock, which a test may move forward (to pass a job's completion window without waiting for it).</summary>
    public ShiftedClock Clock { get; } = new();
    static readonly string DemoPath = TestData.Path("models", "llama-spm-d64", "llama-spm-d64-q8_0.gguf");

    protected override void ConfigureWebHost(IWebHostBuilder builder)
    {
        var settings = new Dictionary<string, string>
        {
            ["Provocapi:DataDirectory"] = DataDirectory,
            ["Provocapi:Models:0:Id"] = "demo",
            ["Provocapi:Models:0:Path"] = DemoPath,
            ["Provocapi:Models:0:PromptPrice"] = "1000",
            ["Provocapi:Models:0:CompletionPrice"] = "3000",
            ["Provocapi:Models:1:Id"] = "private",
            ["Provocapi:Models:1:Path"] = DemoPath,
            ["Provocapi:Models:1:Tenants:0"] = "acme",
            ["Provocapi:Tiers:Shared:RequestsPerMinute"] = "0",
            ["Provocapi:Tiers:Shared:TokensPerMinute"] = "0",
            ["Provocapi:Usage:FlushMilliseconds"] = "20",
            ["Provocapi:Batch:PollInterval"] = "00:00:00.050",
        };
        foreach (var (key, value) in batch ?? new Dictionary<string, string>()) settings[key] = value;
        foreach (var (key, value) in settings) builder.UseSetting(key, value);
        builder.ConfigureTestServices(services => services.AddSingleton<TimeProvider>(Clock));
    }

    public async Task<HttpClient> ClientAsync(string tenant, Tier tier = Tier.Shared)
    {
        var probe = CreateClient();
        for (var i = 0; !(await probe.GetAsync("/ready")).IsSuccessStatusCode; i++)
        {
            if (i > 600) throw new TimeoutException("the models did not load");
            await Task.Delay(50);
        }
        var key = Services.GetRequiredService<KeyStore>().CreateKey(tenant, tier).Key;
        var client = CreateClient();
        client.DefaultRequestHeaders.Authorization = new AuthenticationHeaderValue("Bearer", key);
        return client;
    }
}

/// <summary>The system clock plus an offset a test sets.</summary>
public sealed class ShiftedClock : TimeProvider
{
    public TimeSpan Offset { get; set; }

    public override DateTimeOffset GetUtcNow() => base.GetUtcNow() + Offset;
}

/// <summary>Submitting and following jobs over HTTP, shared by the batch tests.</summary>
public static class BatchHttp
{
    public static string Chat(string customId, string content = "Hi", int maxTokens = 4, string model = "demo") =>
        JsonSerializer.Serialize(new { custom_id = customId, body = new { model, messages = new[] { new { role = "user", content } }, max_tokens = maxTokens, temperature = 0 } });

    public static Task<HttpResponseMessage> SubmitAsync(this HttpClient client, IEnumerable<string> lines, string? metadata = null) =>
        client.SubmitAsync(Encoding.UTF8.GetBytes(string.Join("\n", lines) + "\n"), metadata);

    public static Task<HttpResponseMessage> SubmitAsync(this HttpClient client, byte[] file, string? metadata = null)
    {
        var form = new MultipartFormDataContent();
        form.Add(new ByteArrayContent(file), "file", "batch.jsonl");
        if (metadata != null) form.Add(new StringContent(metadata), "metadata");
        return client.PostAsync("/v1/batch", form);
    }

    public static async Task<JsonElement> SubmittedAsync(this HttpClient client, IEnumerable<string> lines)
    {
        using var response = await client.SubmitAsync(lines);
        Assert.Equal(200, (int)response.StatusCode);
        return await response.JsonAsync();
    }

    /// <summary>Polls the job until its status is one of <paramref name="statuses"/>.</summary>
    public static async Task<JsonElement> WaitForAsync(this HttpClient client, string id, params string[] statuses)
    {
        for (var i = 0; i < 1200; i++)
        {
            var job = await (await client.GetAsync($"/v1/batch/{id}")).JsonAsync();
            if (statuses.Contains(job.GetProperty("status").GetString())) return job;
            await Task.Delay(50);
        }
        throw new TimeoutException($"batch {id} never reached {string.Join("/", statuses)}");
    }

    public static async Task<List<JsonElement>> OutputAsync(this HttpClient client, string id)
    {
        using var response = await client.GetAsync($"/v1/batch/{id}/output");
        Assert.Equal(200, (int)response.StatusCode);
        Assert.Equal("application/jsonl", response.Content.Headers.ContentType?.MediaType);
        var text = await response.Content.ReadAsStringAsync();
        return text.Split('\n', StringSplitOptions.RemoveEmptyEntries).Select(l => JsonDocument.Parse(l).RootElement).ToList();
    }
}

using System.Globalization;
using System.Text.Json;
using Dapper;
using Microsoft.Data.Sqlite;
using Microsoft.Extensions.DependencyInjection;
using Provocapi.Host.Modules.Inference.Catalog;
using Provocapi.Host.Store;
using Provocapi.Host.Tests.Cli;
using Provocapi.Host.Tests.Server;
using Provocapi.Tests;

namespace Provocapi.Host.Tests.UsageAnalytics;

/// <summary><c>GET /v1/usage</c> over what the real server recorded from its own requests.</summary>
public sealed class UsageEndpointTests
{
    static string Date(int offsetDays) => DateTime.UtcNow.AddDays(offsetDays).ToString("yyyy-MM-dd", CultureInfo.InvariantCulture);

    static string Around(string? model = null) => $"/v1/usage?start_date={Date(-1)}&end_date={Date(1)}" + (model != null ? $"&model={Uri.EscapeDataString(model)}" : "");

    /// <summary>Polls until the report counts <paramref name="requests"/> requests (records are written in the background).</summary>
    static async Task<JsonElement> UsageAsync(HttpClient client, long requests, string? model = null)
    {
        for (var i = 0; ; i++)
        {
            var response = await client.GetAsync(Around(model));
            Assert.Equal(System.Net.HttpStatusCode.OK, response.StatusCode);
            var body = await response.JsonAsync();
            if (body.GetProperty("data").EnumerateArray().Sum(d => d.GetProperty("requests").GetInt64()) >= requests || i > 200) return body;
            await Task.Delay(50);
        }
    }

    [Fact]
    public async Task Chat_streams_and_completions_are_recorded_with_the_responses_tokens_their_cost_and_latencies()
    {
        await using var server = new UsageServer();
        var (client, _) = await server.ReadyClientAsync("usage-a");
        long prompt = 0, completion = 0;
        void Add(JsonElement usage)
        {
            prompt += usage.GetProperty("prompt_tokens").GetInt64();
            completion += usage.GetProperty("completion_tokens").GetInt64();
        }
        // Two choices of one prompt: the prompt counts once, as in the response's usage.
        Add((await (await client.PostJsonAsync("/v1/chat/completions",
            """{"model": "priced", "messages": [{"role": "user", "content": "Hello"}], "max_tokens": 6, "n": 2, "temperature": 0.5, "seed": 1}""")).JsonAsync()).GetProperty("usage"));
        var stream = await (await client.PostJsonAsync("/v1/chat/completions",
            """{"model": "priced", "messages": [{"role": "user", "content": "Hi"}], "max_tokens": 4, "stream": true, "stream_options": {"include_usage": true}}""")).EventsAsync();
        Add(JsonDocument.Parse(stream[^2]).RootElement.GetProperty("usage"));
        Add((await (await client.PostJsonAsync("/v1/completions",
            """{"model": "priced", "prompt": ["Once upon", "a time"], "max_tokens": 3}""")).JsonAsync()).GetProperty("usage"));

        var report = await UsageAsync(client, 3);

        Assert.Equal("list", report.GetProperty("object").GetString());
        var day = Assert.Single(report.GetProperty("data").EnumerateArray());
        Assert.Equal(DateTime.UtcNow.ToString("yyyy-MM-dd", CultureInfo.InvariantCulture), day.GetProperty("date").GetString());
        Assert.Equal("priced", day.GetProperty("model").GetString());
        Assert.Equal(3, day.GetProperty("requests").GetInt64());
        Assert.Equal(prompt, day.GetProperty("prompt_tokens").GetInt64());
        Assert.Equal(completion, day.GetProperty("completion_tokens").GetInt64());
        Assert.Equal(prompt + completion, day.GetProperty("total_tokens").GetInt64());
        Assert.Equal((double)((prompt * UsageServer.PromptPrice + completion * UsageServer.CompletionPrice) / 1_000_000m), day.GetProperty("cost").GetDouble(), 1e-9);
        var latency = day.GetProperty("latency_ms");
        var firstToken = day.GetProperty("time_to_first_token_ms");
        foreach (var p in new[] { "p50", "p90", "p95", "p99" })
        {
            Assert.True(firstToken.GetProperty(p).GetDouble() > 0);
            Assert.True(latency.GetProperty(p).GetDouble() >= firstToken.GetProperty(p).GetDouble() - 0.001);
        }
        Assert.True(latency.GetProperty("p50").GetDouble() <= latency.GetProperty("p99").GetDouble());

        Assert.Empty((await UsageAsync(client, 0, model: "other")).GetProperty("data").EnumerateArray());
        var (stranger, _) = await server.ReadyClientAsync("usage-b");
        Assert.Empty((await UsageAsync(stranger, 0)).GetProperty("data").EnumerateArray());
        server.DeleteData();
    }

    /// <summary>The engine runs ahead of a streaming reader by a few chunks. A client that stops reading, so that its
    /// sequence pauses with those chunks unread, and then leaves, pays for them too, as for every other token generated
    /// for it (each forward pass but the prompt's first gives one token). Before, the unread ones went unbilled.</summary>
    [Fact]
    public async Task A_client_that_leaves_is_billed_for_every_token_generated_for_it()
    {
        await using var server = new UsageServer(new Dictionary<string, string>
        {
            ["Provocapi:Models:0:Path"] = "synthetic:tiny:Q8_0",
            ["Provocapi:Models:0:Tokenizer"] = TestData.Path("tokenizers", "ggml-vocab-llama-spm.gguf"),
        });
        var (client, _) = await server.ReadyClientAsync("usage-left");
        var engine = server.Services.GetRequiredService<ModelCatalog>().Models.Single(m => m.Id == "priced").Engine!;
        var before = engine.ForwardTokens;
        using var cancel = new CancellationTokenSource();
        var response = await client.PostJsonAsync("/v1/completions",
            new { model = "priced", prompt = "a", max_tokens = 1900, temperature = 1, stream = true }, cancel.Token);
        Assert.Equal(200, (int)response.StatusCode);
        var stream = await response.Content.ReadAsStreamAsync(cancel.Token);
        Assert.True(await stream.ReadAsync(new byte[64], cancel.Token) > 0);
        // Unread, the reply backs up until the engine pauses the sequence with its unread chunks waiting.
        await EngineProgress.UntilStalledAsync(engine);
        cancel.Cancel();
        response.Dispose();
        for (var i = 0; i < 500 && engine.RunningGenerations > 0; i++) await Task.Delay(10);
        Assert.Equal(0, engine.RunningGenerations);

        var day = Assert.Single((await UsageAsync(client, 1)).GetProperty("data").EnumerateArray());
        var prompt = day.GetProperty("prompt_tokens").GetInt64();
        var generated = engine.ForwardTokens - before - prompt + 1;
        Assert.True(generated is > 0 and < 1900, $"{generated} tokens: the generation did not start, or did not stop");
        Assert.Equal(generated, day.GetProperty("completion_tokens").GetInt64());
        server.DeleteData();
    }

    [Fact]
    public async Task Embeddings_are_recorded_with_their_prompt_tokens_and_cost()
    {
        await using var server = new UsageServer(new Dictionary<string, string>
        {
            ["Provocapi:Models:1:Id"] = "encoder",
            ["Provocapi:Models:1:Path"] = Provocapi.Tests.TestData.Path("models", "bert-wpm-d64", "bert-wpm-d64-f32.gguf"),
            ["Provocapi:Models:1:PromptPrice"] = "500",
        });
        var (client, _) = await server.ReadyClientAsync("usage-embed");
        var usage = (await (await client.PostJsonAsync("/v1/embeddings", """{"model": "encoder", "input": ["a cat sat", "on the mat today"]}""")).JsonAsync()).GetProperty("usage");
        var day = Assert.Single((await UsageAsync(client, 1, model: "encoder")).GetProperty("data").EnumerateArray());
        Assert.Equal(1, day.GetProperty("requests").GetInt64());
        Assert.Equal(usage.GetProperty("prompt_tokens").GetInt64(), day.GetProperty("prompt_tokens").GetInt64());
        Assert.Equal(0, day.GetProperty("completion_tokens").GetInt64());
        Assert.Equal(usage.GetProperty("prompt_tokens").GetInt64() * 500 / 1_000_000.0, day.GetProperty("cost").GetDouble(), 1e-9);
        server.DeleteData();
    }

    public static TheoryData<string, string> BadQueries => new()
    {
        { "", "start_date" },
        { "?start_date=2025-01-01", "end_date" },
        { "?start_date=2025-13-01&end_date=2025-12-31", "start_date" },
        { "?start_date=2025-1-1&end_date=2025-12-31", "start_date" },
        { "?start_date=2025-01-01&end_date=tomorrow", "end_date" },
        { "?start_date=2025-02-01&end_date=2025-01-31", "end_date" },
        { "?start_date=2024-01-01&end_date=2025-01-01", "end_date" },
        { "?start_date=2025-01-01&end_date=2025-01-02&model=", "model" },
    };

    [Theory, MemberData(nameof(BadQueries))]
    public async Task Bad_ranges_are_400s_naming_the_param(string query, string param)
    {
        await using var server = new UsageServer();
        var (client, _) = await server.ReadyClientAsync("usage-bad");
        await (await client.GetAsync("/v1/usage" + query)).AssertErrorAsync(400, "invalid_value", param);
        // 366 days, a leap year's worth, is allowed.
        Assert.Equal(System.Net.HttpStatusCode.OK, (await client.GetAsync("/v1/usage?start_date=2024-01-01&end_date=2024-12-31")).StatusCode);
        await (await server.CreateClient().GetAsync("/v1/usage?start_date=2024-01-01&end_date=2024-12-31")).AssertErrorAsync(401, "invalid_api_key");
        server.DeleteData();
    }

    sealed record StoredRow(string TenantId, string KeyId, string Model, string Endpoint, long PromptTokens, long CompletionTokens, double LatencyMs,
        double? TtftMs, double QueueMs, long Status, long Batch, double Cost);

    [Fact]
    public async Task A_clean_stop_writes_every_queued_record()
    {
        // Records would wait a minute for a batch: only the drain at shutdown can write them.
        var server = new UsageServer(new Dictionary<string, string> { ["Provocapi:Usage:FlushMilliseconds"] = "60000" });
        var (client, tenantId) = await server.ReadyClientAsync("usage-stop");
        const int Requests = 12;
        var tasks = Enumerable.Range(0, Requests).Select(i => client.PostJsonAsync("/v1/completions", $$"""{"model": "priced", "prompt": "Story {{i}}", "max_tokens": 2}"""));
        Assert.All(await Task.WhenAll(tasks), r => Assert.Equal(System.Net.HttpStatusCode.OK, r.StatusCode));
        // Refused once the model is known: recorded with its status and no tokens. Refused before: not recorded.
        await (await client.PostJsonAsync("/v1/completions", """{"model": "priced", "prompt": "x", "max_tokens": 100000}""")).AssertErrorAsync(400, "max_tokens_exceeded", "max_tokens");
        await (await client.PostJsonAsync("/v1/completions", """{"model": "nope", "prompt": "x"}""")).AssertErrorAsync(404, "model_not_found", "model");
        await (await client.PostJsonAsync("/v1/completions", """{"model": """)).AssertErrorAsync(400, null);
        Assert.Equal(System.Net.HttpStatusCode.OK, (await client.GetAsync("/v1/models")).StatusCode);

        await server.DisposeAsync();

        using var connection = new SqliteConnection($"Data Source={Path.Combine(server.DataDirectory, SqliteDatabase.FileName)}");
        var rows = connection.Query<StoredRow>(
            """
            SELECT tenant_id AS TenantId, key_id AS KeyId, model AS Model, endpoint AS Endpoint, prompt_tokens AS PromptTokens,
                   completion_tokens AS CompletionTokens, latency_ms AS LatencyMs, ttft_ms AS TtftMs, queue_ms AS QueueMs, status AS Status,
                   batch AS Batch, cost AS Cost
            FROM usage_requests
            """).ToList();
        var keyId = connection.ExecuteScalar<string>("SELECT id FROM api_keys WHERE tenant_id = @tenantId", new { tenantId });
        connection.Close();
        SqliteConnection.ClearAllPools();
        server.DeleteData();

        Assert.Equal(Requests + 1, rows.Count);
        Assert.All(rows, r => Assert.Equal((tenantId, keyId, "priced", "/v1/completions", 0L), (r.TenantId, r.KeyId, r.Model, r.Endpoint, r.Batch)));
        var served = rows.Where(r => r.Status == 200).ToList();
        Assert.Equal(Requests, served.Count);
        Assert.All(served, r =>
        {
            Assert.Equal(2, r.CompletionTokens);
            Assert.True(r.PromptTokens > 0);
            Assert.Equal((double)((r.PromptTokens * UsageServer.PromptPrice + 2 * UsageServer.CompletionPrice) / 1_000_000m), r.Cost, 1e-12);
            Assert.True(r.TtftMs > 0 && r.TtftMs <= r.LatencyMs && r.QueueMs >= 0 && r.QueueMs <= r.LatencyMs);
        });
        var refused = Assert.Single(rows, r => r.Status == 400);
        Assert.Equal((0L, 0L, (double?)null, 0.0), (refused.PromptTokens, refused.CompletionTokens, refused.TtftMs, refused.Cost));
    }

    [Fact]
    public async Task An_unreachable_clickhouse_stops_the_server_at_start_with_one_error_line()
    {
        var data = Directory.CreateTempSubdirectory("provocapi-usage-ch-").FullName;
        var outcome = await ProvocapiProcess.RunAsync(["serve", "--data", data, "--urls", "http://127.0.0.1:0",
            "--Provocapi:Usage:Backend=ClickHouse", "--Provocapi:Usage:ClickHouse:Url=http://127.0.0.1:9"], timeoutSeconds: 60);
        try { Directory.Delete(data, recursive: true); } catch (IOException) { }

        Assert.Equal(1, outcome.ExitCode);
        var line = Assert.Single(outcome.Stderr.Split('\n', StringSplitOptions.RemoveEmptyEntries));
        Assert.StartsWith("error: usage: ClickHouse at http://127.0.0.1:9/ is unreachable", line);
    }

    [ClickHouseFact]
    public async Task The_server_records_to_clickhouse_and_reports_from_it()
    {
        await using var server = new UsageServer(new Dictionary<string, string>
        {
            ["Provocapi:Usage:Backend"] = "ClickHouse",
            ["Provocapi:Usage:ClickHouse:Url"] = UsageBackends.ClickHouseUrl!,
            ["Provocapi:Usage:ClickHouse:Database"] = "provocapi_test",
        });
        var (client, _) = await server.ReadyClientAsync("usage-ch");
        var usage = (await (await client.PostJsonAsync("/v1/completions", """{"model": "priced", "prompt": "Once upon", "max_tokens": 3}""")).JsonAsync()).GetProperty("usage");

        var day = Assert.Single((await UsageAsync(client, 1)).GetProperty("data").EnumerateArray());

        Assert.Equal(1, day.GetProperty("requests").GetInt64());
        Assert.Equal(usage.GetProperty("total_tokens").GetInt64(), day.GetProperty("total_tokens").GetInt64());
        Assert.True(day.GetProperty("time_to_first_token_ms").GetProperty("p50").GetDouble() > 0);
        server.DeleteData();
    }
}

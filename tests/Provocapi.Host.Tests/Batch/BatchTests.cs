using System.Net.Http.Json;
using System.Text.Json;
using Dapper;
using Microsoft.Data.Sqlite;
using Microsoft.Extensions.DependencyInjection;
using Provocapi.Host.Modules.Batch;
using Provocapi.Host.Platform.Callers;
using Provocapi.Host.Platform.Cluster;
using Provocapi.Host.Tests.Server;

namespace Provocapi.Host.Tests.Batch;

public sealed class BatchTests : IAsyncLifetime
{
    readonly BatchServer _server = new();

    public Task InitializeAsync() => Task.CompletedTask;

    public async Task DisposeAsync() => await _server.DisposeAsync();

    [Fact]
    public async Task A_job_runs_every_line_and_the_output_has_one_line_each_in_order()
    {
        using var client = await _server.ClientAsync("batch-a");
        var tooLong = string.Join(" ", Enumerable.Repeat("word", 400));
        var submitted = await client.SubmittedAsync(
        [
            BatchHttp.Chat("q-1"),
            JsonSerializer.Serialize(new { custom_id = "q-2", url = "/v1/completions", method = "POST", body = new { model = "demo", prompt = "Once", max_tokens = 3 } }),
            BatchHttp.Chat("q-3", tooLong, maxTokens: 8),
            BatchHttp.Chat("q-4", "Hello there", maxTokens: 6),
        ]);
        Assert.StartsWith("batch_", submitted.GetProperty("id").GetString());
        Assert.Equal("batch", submitted.GetProperty("object").GetString());
        Assert.Equal("validating", submitted.GetProperty("status").GetString());
        Assert.Equal("/v1/chat/completions", submitted.GetProperty("endpoint").GetString());
        Assert.Equal(4, submitted.GetProperty("total_requests").GetInt32());
        Assert.Equal(24 * 3600, submitted.GetProperty("expires_at").GetInt64() - submitted.GetProperty("created_at").GetInt64());

        var id = submitted.GetProperty("id").GetString()!;
        var done = await client.WaitForAsync(id, "completed");
        Assert.Equal(3, done.GetProperty("completed_count").GetInt32());
        Assert.Equal(1, done.GetProperty("failed_count").GetInt32());
        Assert.True(done.GetProperty("in_progress_at").GetInt64() >= done.GetProperty("created_at").GetInt64());
        Assert.True(done.GetProperty("completed_at").GetInt64() >= done.GetProperty("in_progress_at").GetInt64());

        var output = await client.OutputAsync(id);
        Assert.Equal(["q-1", "q-2", "q-3", "q-4"], output.Select(o => o.GetProperty("custom_id").GetString()));
        Assert.Equal(4, output.Select(o => o.GetProperty("id").GetString()).Distinct().Count());
        var chat = output[0].GetProperty("response");
        Assert.Equal(200, chat.GetProperty("status_code").GetInt32());
        Assert.StartsWith("req_", chat.GetProperty("request_id").GetString());
        Assert.Equal("chat.completion", chat.GetProperty("body").GetProperty("object").GetString());
        Assert.Equal(4, chat.GetProperty("body").GetProperty("usage").GetProperty("completion_tokens").GetInt32());
        Assert.Equal(JsonValueKind.Null, output[0].GetProperty("error").ValueKind);
        Assert.Equal("text_completion", output[1].GetProperty("response").GetProperty("body").GetProperty("object").GetString());
        // A request the endpoint refuses at run time is recorded with its error; the job still completes.
        Assert.Equal(400, output[2].GetProperty("response").GetProperty("status_code").GetInt32());
        Assert.Equal("context_length_exceeded", output[2].GetProperty("error").GetProperty("code").GetString());
        Assert.Equal("context_length_exceeded", output[2].GetProperty("response").GetProperty("body").GetProperty("error").GetProperty("code").GetString());

        // Batch answers equal interactive ones (greedy), through the same endpoint code.
        var interactive = await (await client.PostJsonAsync("/v1/chat/completions", new
        {
            model = "demo", messages = new[] { new { role = "user", content = "Hello there" } }, max_tokens = 6, temperature = 0,
        })).JsonAsync();
        Assert.Equal(interactive.GetProperty("choices")[0].GetProperty("message").GetProperty("content").GetString(),
            output[3].GetProperty("response").GetProperty("body").GetProperty("choices")[0].GetProperty("message").GetProperty("content").GetString());
    }

    [Fact]
    public async Task A_bad_file_fails_validation_with_line_numbers_and_runs_nothing()
    {
        using var client = await _server.ClientAsync("batch-b");
        var submitted = await client.SubmittedAsync(
        [
            BatchHttp.Chat("ok-1"),
            "{not json",
            BatchHttp.Chat("ok-1"),
            JsonSerializer.Serialize(new { custom_id = "u", url = "/v1/images", body = new { model = "demo" } }),
            BatchHttp.Chat("m", model: "nope"),
            BatchHttp.Chat("p", model: "private"),
            JsonSerializer.Serialize(new { custom_id = "t", body = new { model = "demo", messages = new[] { new { role = "user", content = "Hi" } }, temperature = "hot" } }),
            JsonSerializer.Serialize(new { custom_id = "s", body = new { model = "demo", messages = new[] { new { role = "user", content = "Hi" } }, stream = true } }),
            JsonSerializer.Serialize(new { custom_id = "r", body = new { model = "demo", messages = new[] { new { role = "wizard", content = "Hi" } } } }),
            JsonSerializer.Serialize(new { body = new { model = "demo" } }),
            """{"custom_id": "\ud800", "body": {"model": "demo"}}""",
        ]);
        var failed = await client.WaitForAsync(submitted.GetProperty("id").GetString()!, "failed");
        var errors = failed.GetProperty("errors").GetProperty("data").EnumerateArray().ToDictionary(e => e.GetProperty("line").GetInt32(), e => e.GetProperty("message").GetString()!);
        Assert.Equal([2, 3, 4, 5, 6, 7, 8, 9, 10, 11], errors.Keys.Order());
        Assert.Contains("Unicode", errors[11]);
        Assert.Contains("JSON", errors[2]);
        Assert.Contains("earlier line", errors[3]);
        Assert.Contains("/v1/images", errors[4]);
        Assert.Contains("nope", errors[5]);
        Assert.Contains("private", errors[6]);
        Assert.Contains("stream", errors[8]);
        Assert.Contains("wizard", errors[9]);
        Assert.Contains("custom_id", errors[10]);
        Assert.Equal(0, failed.GetProperty("completed_count").GetInt32());
        Assert.Empty(await client.OutputAsync(submitted.GetProperty("id").GetString()!));
        // A bad file fails alone: the next job still runs.
        var next = await client.SubmittedAsync([BatchHttp.Chat("after")]);
        await client.WaitForAsync(next.GetProperty("id").GetString()!, "completed");
    }

    [Fact]
    public async Task Jobs_are_listed_newest_first_and_are_visible_to_their_tenant_only()
    {
        using var client = await _server.ClientAsync("batch-c");
        using var other = await _server.ClientAsync("batch-c-other");
        var ids = new List<string>();
        for (var i = 0; i < 3; i++) ids.Add((await client.SubmittedAsync([BatchHttp.Chat($"l{i}")])).GetProperty("id").GetString()!);
        ids.Reverse();
        var page = await (await client.GetAsync("/v1/batch?limit=2")).JsonAsync();
        Assert.Equal(ids.Take(2), page.GetProperty("data").EnumerateArray().Select(j => j.GetProperty("id").GetString()));
        Assert.True(page.GetProperty("has_more").GetBoolean());
        var next = await (await client.GetAsync($"/v1/batch?limit=2&after={page.GetProperty("last_id").GetString()}")).JsonAsync();
        Assert.Equal(ids.Skip(2), next.GetProperty("data").EnumerateArray().Select(j => j.GetProperty("id").GetString()));
        Assert.False(next.GetProperty("has_more").GetBoolean());

        Assert.Empty((await (await other.GetAsync("/v1/batch")).JsonAsync()).GetProperty("data").EnumerateArray());
        foreach (var path in new[] { $"/v1/batch/{ids[0]}", $"/v1/batch/{ids[0]}/output" })
            await (await other.GetAsync(path)).AssertErrorAsync(404, "batch_not_found", "id");
        await (await other.PostAsync($"/v1/batch/{ids[0]}/cancel", null)).AssertErrorAsync(404, "batch_not_found", "id");
        await (await client.GetAsync("/v1/batch?limit=0")).AssertErrorAsync(400, "invalid_value", "limit");
    }

    [Fact]
    public async Task Lines_may_name_an_adapter_as_base_colon_name()
    {
        using var client = await _server.ClientAsync("batch-lora");
        var config = ((IServiceProvider)_server.Services).GetRequiredService<Provocapi.Host.Modules.Inference.Catalog.ModelCatalog>().Models.Single(m => m.Id == "demo").RequireChat().Model.Config;
        var folder = Provocapi.Tests.TestLoraAdapter.Random(config, 8, 16f, seed: 5).WritePeft();
        var form = new MultipartFormDataContent
        {
            { new StringContent("tuned"), "name" }, { new StringContent("demo"), "base_model" },
            { new ByteArrayContent(File.ReadAllBytes(Path.Combine(folder, "adapter_config.json"))), "file", "adapter_config.json" },
            { new ByteArrayContent(File.ReadAllBytes(Path.Combine(folder, "adapter_model.safetensors"))), "file", "adapter_model.safetensors" },
        };
        Assert.True((await client.PostAsync("/v1/adapters/upload", form)).IsSuccessStatusCode);
        var id = (await client.SubmittedAsync([BatchHttp.Chat("base", "Hello", 8), BatchHttp.Chat("tuned", "Hello", 8, model: "demo:tuned")])).GetProperty("id").GetString()!;
        await client.WaitForAsync(id, "completed");
        var output = await client.OutputAsync(id);
        string Text(JsonElement body) => body.GetProperty("choices")[0].GetProperty("message").GetProperty("content").GetString()!;
        foreach (var (line, model) in output.Zip(new[] { "demo", "demo:tuned" }))
        {
            var alone = await (await client.PostJsonAsync("/v1/chat/completions", new { model, messages = new[] { new { role = "user", content = "Hello" } }, max_tokens = 8, temperature = 0 })).JsonAsync();
            Assert.Equal(Text(alone), Text(line.GetProperty("response").GetProperty("body")));
        }
        Assert.NotEqual(Text(output[0].GetProperty("response").GetProperty("body")), Text(output[1].GetProperty("response").GetProperty("body")));
        Assert.Equal("demo:tuned", output[1].GetProperty("response").GetProperty("body").GetProperty("model").GetString());

        var unknown = await client.SubmittedAsync([BatchHttp.Chat("x", model: "demo:nope")]);
        var failed = await client.WaitForAsync(unknown.GetProperty("id").GetString()!, "failed");
        Assert.Contains("nope", failed.GetProperty("errors").GetProperty("data")[0].GetProperty("message").GetString());
    }

    [Fact]
    public async Task Batch_usage_is_recorded_as_batch_at_half_price()
    {
        using var client = await _server.ClientAsync("batch-d");
        var id = (await client.SubmittedAsync([BatchHttp.Chat("a", maxTokens: 5), BatchHttp.Chat("b", maxTokens: 7)])).GetProperty("id").GetString()!;
        await client.WaitForAsync(id, "completed");
        var output = await client.OutputAsync(id);
        var expected = output.Sum(o =>
        {
            var usage = o.GetProperty("response").GetProperty("body").GetProperty("usage");
            return (usage.GetProperty("prompt_tokens").GetInt32() * BatchServer.PromptPrice + usage.GetProperty("completion_tokens").GetInt32() * BatchServer.CompletionPrice) / 1_000_000m / 2;
        });
        using var connection = new SqliteConnection($"Data Source={Path.Combine(_server.DataDirectory, "provocapi.db")}");
        for (var i = 0; i < 100 && connection.ExecuteScalar<long>("SELECT COUNT(*) FROM usage_requests WHERE batch = 1") < 2; i++) await Task.Delay(50);
        var rows = connection.Query<(long Batch, double Cost)>("SELECT batch, cost FROM usage_requests").ToList();
        Assert.Equal(2, rows.Count);
        Assert.All(rows, r => Assert.Equal(1, r.Batch));
        Assert.Equal((double)expected, rows.Sum(r => r.Cost), 6);
    }

    [Fact]
    public async Task Uploads_that_are_not_a_jsonl_file_part_are_400s()
    {
        using var client = await _server.ClientAsync("batch-e");
        await (await client.PostJsonAsync("/v1/batch", new { file = "x" })).AssertErrorAsync(415, "unsupported_media_type");
        var form = new MultipartFormDataContent { { new StringContent("{}"), "notes" } };
        await (await client.PostAsync("/v1/batch", form)).AssertErrorAsync(400, "missing_required_parameter", "file");
        await (await client.SubmitAsync("\n\n"u8.ToArray())).AssertErrorAsync(400, "invalid_value", "file");
        var cut = await (await client.PostAsync("/v1/batch", Http.TruncatedForm("file", "lines.jsonl", BatchHttp.Chat("a") + "\n"))).AssertErrorAsync(400, "invalid_value", "file");
        Assert.Contains("ended before the closing boundary", cut.GetProperty("message").GetString());
        Assert.Empty(Directory.GetFiles(Path.Combine(_server.DataDirectory, "batch")));
        await (await client.SubmitAsync([BatchHttp.Chat("a")], metadata: "[1]")).AssertErrorAsync(400, "invalid_value", "metadata");
        var withMetadata = await (await client.SubmitAsync([BatchHttp.Chat("a")], metadata: """{"run": "nightly"}""")).JsonAsync();
        Assert.Equal("nightly", withMetadata.GetProperty("metadata").GetProperty("run").GetString());
        var lines = string.Concat(Enumerable.Repeat("{}\n", 50_001));
        await (await client.SubmitAsync(System.Text.Encoding.UTF8.GetBytes(lines))).AssertErrorAsync(400, "too_many_requests", "file");
    }

    [Fact]
    public async Task A_line_that_is_not_utf8_fails_validation_rather_than_being_read_with_replacement_characters()
    {
        using var client = await _server.ClientAsync("batch-utf8");
        byte[] Line(string customId, byte[] tail, string end) =>
            [.. System.Text.Encoding.UTF8.GetBytes(BatchHttp.Chat(customId)[..^1]), .. tail, .. System.Text.Encoding.UTF8.GetBytes(end)];
        var latin1 = new byte[] { (byte)',', (byte)'"', (byte)'t', (byte)'"', (byte)':', (byte)'"', 0xE9, (byte)'"', (byte)'}' };
        byte[] file = [0xEF, 0xBB, 0xBF, .. Line("a", latin1, "\r\n"), .. Line("b", [(byte)'}'], "\r\n"), .. Line("c", latin1, "")];
        var submitted = await (await client.SubmitAsync(file)).JsonAsync();
        var failed = await client.WaitForAsync(submitted.GetProperty("id").GetString()!, "failed");
        var errors = failed.GetProperty("errors").GetProperty("data").EnumerateArray().ToDictionary(e => e.GetProperty("line").GetInt32(), e => e.GetProperty("message").GetString()!);
        Assert.Equal([1, 3], errors.Keys.Order());
        Assert.All(errors.Values, message => Assert.Contains("not valid UTF-8", message));

        // The same lines in UTF-8, behind a byte order mark and with CRLF endings, run.
        var utf8 = System.Text.Encoding.UTF8.GetBytes(",\"t\":\"é\"}");
        byte[] good = [0xEF, 0xBB, 0xBF, .. Line("a", utf8, "\r\n"), .. Line("b", [(byte)'}'], "\r\n"), .. Line("c", utf8, "")];
        var ok = await (await client.SubmitAsync(good)).JsonAsync();
        var id = ok.GetProperty("id").GetString()!;
        Assert.Equal(3, (await client.WaitForAsync(id, "completed")).GetProperty("completed_count").GetInt32());
        Assert.Equal(["a", "b", "c"], (await client.OutputAsync(id)).Select(o => o.GetProperty("custom_id").GetString()));
    }

    [Theory]
    [InlineData(new byte[] { (byte)'{', (byte)'"', (byte)'a', (byte)'"', (byte)':', (byte)'"', 0xFF, (byte)'"', (byte)'}' }, "Unicode")]
    [InlineData(new byte[] { (byte)'{', (byte)'"', 0xC3, (byte)'"', (byte)':', (byte)'"', (byte)'b', (byte)'"', (byte)'}' }, "Unicode")]
    [InlineData(new byte[] { (byte)'{', (byte)'"', (byte)'a', (byte)'"', (byte)':', (byte)'"', (byte)'\\', (byte)'u', (byte)'d', (byte)'8', (byte)'0', (byte)'0', (byte)'"', (byte)'}' }, "Unicode")]
    [InlineData(new byte[] { (byte)'{', (byte)'"', (byte)'a', (byte)'"', (byte)':', (byte)'"', (byte)'1', (byte)'"', (byte)',', (byte)'"', (byte)'a', (byte)'"', (byte)':', (byte)'"', (byte)'2', (byte)'"', (byte)'}' }, "twice")]
    public async Task Metadata_that_does_not_decode_is_a_400_and_stores_no_job(byte[] metadata, string reason)
    {
        using var client = await _server.ClientAsync("batch-metadata-" + reason + metadata.Length);
        var form = new MultipartFormDataContent();
        form.Add(new ByteArrayContent(System.Text.Encoding.UTF8.GetBytes(BatchHttp.Chat("a") + "\n")), "file", "batch.jsonl");
        form.Add(new ByteArrayContent(metadata), "metadata");
        var error = await (await client.PostAsync("/v1/batch", form)).AssertErrorAsync(400, "invalid_value", "metadata");
        Assert.Contains(reason, error.GetProperty("message").GetString());
        var list = await (await client.GetAsync("/v1/batch")).JsonAsync();
        Assert.Empty(list.GetProperty("data").EnumerateArray());
    }
}

/// <summary>Limits and lifecycle with test-sized settings: one line at a time, so jobs stay open long enough to act on.</summary>
public sealed class BatchLimitTests
{
    static BatchServer Server(params (string Key, string Value)[] batch) =>
        new(batch.ToDictionary(b => $"Provocapi:Batch:{b.Key}", b => b.Value));

    [Fact]
    public async Task Files_over_the_size_limit_are_413()
    {
        await using var server = Server(("MaxFileBytes", "2000"));
        using var client = await server.ClientAsync("limits-a");
        using var response = await client.SubmitAsync(Enumerable.Range(0, 40).Select(i => BatchHttp.Chat($"c{i}")));
        await response.AssertErrorAsync(413, "request_too_large");
        Assert.Empty(Directory.GetFiles(Path.Combine(server.DataDirectory, "batch")));
    }

    [Fact]
    public async Task The_shared_tier_may_have_only_so_many_open_jobs_and_reserved_has_no_cap()
    {
        await using var server = Server(("SharedTierMaxOpenJobs", "2"), ("MaxConcurrentLines", "1"));
        using var shared = await server.ClientAsync("limits-b");
        using var reserved = await server.ClientAsync("limits-b-reserved", Tier.Reserved);
        var slow = Enumerable.Range(0, 4).Select(i => BatchHttp.Chat($"s{i}", maxTokens: 120)).ToList();
        await shared.SubmittedAsync(slow);
        await shared.SubmittedAsync(slow);
        using var third = await shared.SubmitAsync(slow);
        await third.AssertErrorAsync(429, "rate_limit_exceeded");
        Assert.True(third.Headers.Contains("Retry-After"));
        for (var i = 0; i < 3; i++) await reserved.SubmittedAsync([BatchHttp.Chat("r")]);
    }

    [Fact]
    public async Task Batch_lines_are_not_held_to_the_tenants_tokens_per_minute()
    {
        await using var server = new BatchServer(new Dictionary<string, string> { ["Provocapi:Tiers:Shared:TokensPerMinute"] = "10" });
        using var client = await server.ClientAsync("limits-tpm");
        await (await client.PostJsonAsync("/v1/chat/completions", new { model = "demo", messages = new[] { new { role = "user", content = "Hi" } }, max_tokens = 8 }))
            .AssertErrorAsync(429, "rate_limit_exceeded");
        var id = (await client.SubmittedAsync([BatchHttp.Chat("a", maxTokens: 8), BatchHttp.Chat("b", maxTokens: 8)])).GetProperty("id").GetString()!;
        var done = await client.WaitForAsync(id, "completed");
        Assert.Equal(2, done.GetProperty("completed_count").GetInt32());
    }

    [Fact]
    public async Task Cancelling_stops_new_lines_and_keeps_finished_ones()
    {
        await using var server = Server(("MaxConcurrentLines", "1"));
        using var client = await server.ClientAsync("limits-c");
        var id = (await client.SubmittedAsync(Enumerable.Range(0, 30).Select(i => BatchHttp.Chat($"c{i}", maxTokens: 30)))).GetProperty("id").GetString()!;
        for (var i = 0; i < 400 && (await client.OutputAsync(id)).Count == 0; i++) await Task.Delay(25);
        var cancelling = await (await client.PostAsync($"/v1/batch/{id}/cancel", null)).JsonAsync();
        Assert.Contains(cancelling.GetProperty("status").GetString(), new[] { "cancelling", "cancelled" });
        var cancelled = await client.WaitForAsync(id, "cancelled");
        var finished = cancelled.GetProperty("completed_count").GetInt32();
        Assert.InRange(finished, 1, 29);
        var output = await client.OutputAsync(id);
        Assert.Equal(finished, output.Count);
        Assert.Equal(Enumerable.Range(0, finished).Select(i => $"c{i}"), output.Select(o => o.GetProperty("custom_id").GetString()));
        await Task.Delay(300);
        Assert.Equal(finished, (await client.OutputAsync(id)).Count);
        Assert.Equal("cancelled", (await (await client.PostAsync($"/v1/batch/{id}/cancel", null)).JsonAsync()).GetProperty("status").GetString());
    }

    [Fact]
    public async Task Jobs_not_done_in_their_window_expire_with_partial_output()
    {
        await using var server = Server(("MaxConcurrentLines", "1"));
        using var client = await server.ClientAsync("limits-d");
        var id = (await client.SubmittedAsync(Enumerable.Range(0, 400).Select(i => BatchHttp.Chat($"e{i}", maxTokens: 64)))).GetProperty("id").GetString()!;
        for (var i = 0; i < 1200 && (await client.OutputAsync(id)).Count == 0; i++) await Task.Delay(25);
        // A day passes (the server's clock moves on): the job is overdue with some lines done.
        server.Clock.Offset = TimeSpan.FromHours(25);
        var expired = await client.WaitForAsync(id, "expired");
        Assert.True(expired.GetProperty("expired_at").GetInt64() >= expired.GetProperty("expires_at").GetInt64());
        var output = await client.OutputAsync(id);
        Assert.InRange(output.Count, 1, 399);
        Assert.Equal(Enumerable.Range(0, output.Count).Select(i => $"e{i}"), output.Select(o => o.GetProperty("custom_id").GetString()));
        await (await client.PostAsync($"/v1/batch/{id}/cancel", null)).AssertErrorAsync(400, "invalid_value", "id");
    }

    [Fact]
    public async Task A_job_whose_file_nobody_validates_in_time_fails_and_one_still_in_time_waits()
    {
        await using var server = Server(("ValidationTimeout", "00:10:00"));
        using var client = await server.ClientAsync("limits-v");
        var mine = (await client.SubmittedAsync([BatchHttp.Chat("a")])).GetProperty("id").GetString()!;
        await client.WaitForAsync(mine, "completed");
        // A job another gateway took, which stopped with the file before validating it, and one it took just now.
        var store = server.Services.GetRequiredService<BatchStore>();
        string tenantId;
        using (var connection = new SqliteConnection($"Data Source={Path.Combine(server.DataDirectory, "provocapi.db")}"))
            tenantId = connection.ExecuteScalar<string>("SELECT tenant_id FROM batch_jobs WHERE id = @mine", new { mine })!;
        var template = store.Find(mine, tenantId)!;
        var now = server.Clock.GetUtcNow().ToUnixTimeSeconds();
        store.Insert(template with { Id = "batch_000000000000000000000001", Status = BatchStatus.Validating, InputNode = "gone-gateway", InputPath = "/nowhere/lost.jsonl", CreatedAt = now - 11 * 60, ExpiresAt = now + 86400 });
        store.Insert(template with { Id = "batch_000000000000000000000002", Status = BatchStatus.Validating, InputNode = "gone-gateway", InputPath = "/nowhere/fresh.jsonl", CreatedAt = now - 60, ExpiresAt = now + 86400 });
        // One this server took before it was down for longer than the timeout: its file is here, so it is validated and runs.
        var kept = Path.Combine(server.DataDirectory, "kept.jsonl");
        File.WriteAllText(kept, BatchHttp.Chat("kept") + "\n");
        store.Insert(template with
        {
            Id = "batch_000000000000000000000003", Status = BatchStatus.Validating, InputNode = server.Services.GetRequiredService<NodeIdentity>().NodeId,
            InputPath = kept, CreatedAt = now - 2 * 3600, ExpiresAt = now + 86400,
        });
        await client.WaitForAsync("batch_000000000000000000000003", "completed");

        var failed = await client.WaitForAsync("batch_000000000000000000000001", "failed");
        var error = Assert.Single(failed.GetProperty("errors").GetProperty("data").EnumerateArray());
        Assert.Contains("not validated within 10 minutes:", error.GetProperty("message").GetString());
        Assert.Contains("submit it again", error.GetProperty("message").GetString());
        Assert.Equal("validating", (await client.GetFromJsonAsync<JsonElement>("/v1/batch/batch_000000000000000000000002")).GetProperty("status").GetString());
        // Ten minutes on, the other one's time is up too.
        server.Clock.Offset = TimeSpan.FromMinutes(10);
        await client.WaitForAsync("batch_000000000000000000000002", "failed");
    }
}

using System.Net;
using System.Net.Http.Json;
using System.Text;
using System.Text.Json;

namespace Provocapi.Host.Tests.Cluster;

/// <summary>A gateway routing to worker processes: by model, around dead workers, and what the client sees when they die.</summary>
public sealed class ClusterRoutingTests
{
    static object Chat(string model, int maxTokens, bool stream = false) => new
    {
        model,
        messages = new[] { new { role = "user", content = "Tell me a fortune." } },
        max_tokens = maxTokens,
        temperature = 0,
        stream,
    };

    static string Worker(HttpResponseMessage response) => response.Headers.GetValues("X-Provocapi-Worker").Single();

    [Fact]
    public async Task Requests_go_to_a_worker_that_serves_their_model_and_the_gateway_meters_them()
    {
        await using var cluster = await ClusterNodes.StartAsync();
        await cluster.AddWorkerAsync("w-demo");
        await cluster.AddWorkerAsync("w-slow", ClusterNodes.SlowModel);
        using var http = cluster.Client(await cluster.CreateKeyAsync("acme"));

        var models = await http.GetFromJsonAsync<JsonElement>("/v1/models");
        Assert.Equal(["demo", "slow"], models.GetProperty("data").EnumerateArray().Select(m => m.GetProperty("id").GetString()).Order());

        long promptTokens = 0, completionTokens = 0;
        for (var i = 0; i < 3; i++)
        {
            using var demo = await http.PostAsJsonAsync("/v1/chat/completions", Chat("demo", 4));
            Assert.Equal(HttpStatusCode.OK, demo.StatusCode);
            Assert.Equal("w-demo", Worker(demo));
            Assert.Equal("demo", demo.Headers.GetValues("X-Provocapi-Model").Single());
            Assert.False(demo.Headers.Contains("X-Provocapi-Usage"));
            var usage = (await demo.Content.ReadFromJsonAsync<JsonElement>()).GetProperty("usage");
            promptTokens += usage.GetProperty("prompt_tokens").GetInt64();
            completionTokens += usage.GetProperty("completion_tokens").GetInt64();
        }
        using (var slow = await http.PostAsJsonAsync("/v1/completions", new { model = "slow", prompt = "Once", max_tokens = 3 }))
        {
            Assert.Equal(HttpStatusCode.OK, slow.StatusCode);
            Assert.Equal("w-slow", Worker(slow));
        }

        // A stream comes through event by event, without the worker's usage comment, and is metered like a whole reply.
        using (var request = new HttpRequestMessage(HttpMethod.Post, "/v1/chat/completions") { Content = JsonContent.Create(Chat("demo", 5, stream: true)) })
        {
            request.Headers.Add("X-Request-Id", "cluster-stream-1");
            using var stream = await http.SendAsync(request, HttpCompletionOption.ResponseHeadersRead);
            Assert.Equal("w-demo", Worker(stream));
            Assert.Equal("cluster-stream-1", stream.Headers.GetValues("X-Request-Id").Single());
            var text = await stream.Content.ReadAsStringAsync();
            Assert.DoesNotContain("provocapi-usage", text);
            Assert.EndsWith("data: [DONE]\n\n", text);
            Assert.All(text.Split("\n\n", StringSplitOptions.RemoveEmptyEntries), e => Assert.StartsWith("data: ", e));
        }

        using var unknown = await http.PostAsJsonAsync("/v1/chat/completions", Chat("nope", 4));
        Assert.Equal(HttpStatusCode.NotFound, unknown.StatusCode);
        Assert.Equal("model_not_found", (await unknown.Content.ReadFromJsonAsync<JsonElement>()).GetProperty("error").GetProperty("code").GetString());

        // Usage is written in batches (every second by default): wait for the gateway's records of the four demo requests.
        var today = DateTime.UtcNow.ToString("yyyy-MM-dd");
        JsonElement demoDay = default;
        for (var i = 0; i < 50 && demoDay.ValueKind == JsonValueKind.Undefined; i++)
        {
            var report = await http.GetFromJsonAsync<JsonElement>($"/v1/usage?start_date={today}&end_date={today}");
            demoDay = report.GetProperty("data").EnumerateArray().FirstOrDefault(d => d.GetProperty("model").GetString() == "demo" && d.GetProperty("requests").GetInt64() == 4);
            if (demoDay.ValueKind == JsonValueKind.Undefined) await Task.Delay(100);
        }
        Assert.NotEqual(JsonValueKind.Undefined, demoDay.ValueKind);
        Assert.Equal(4, demoDay.GetProperty("requests").GetInt64());
        Assert.True(demoDay.GetProperty("prompt_tokens").GetInt64() > promptTokens);
        Assert.Equal(completionTokens + 5, demoDay.GetProperty("completion_tokens").GetInt64());
    }

    [Fact]
    public async Task Workers_answer_only_requests_that_carry_the_cluster_secret()
    {
        await using var cluster = await ClusterNodes.StartAsync();
        var worker = await cluster.AddWorkerAsync("w1");
        var key = await cluster.CreateKeyAsync("acme");
        using var direct = new HttpClient { BaseAddress = worker.BaseAddress };
        direct.DefaultRequestHeaders.Authorization = new("Bearer", key);
        using var refused = await direct.PostAsJsonAsync("/v1/chat/completions", Chat("demo", 2));
        Assert.Equal(HttpStatusCode.Unauthorized, refused.StatusCode);
        Assert.Equal("invalid_api_key", (await refused.Content.ReadFromJsonAsync<JsonElement>()).GetProperty("error").GetProperty("code").GetString());

        var attemptUsage = "/internal/attempts/" + new string('a', 32) + "/usage";
        using (var claim = await direct.PostAsync(attemptUsage, null))
            Assert.Equal(HttpStatusCode.Unauthorized, claim.StatusCode);

        direct.DefaultRequestHeaders.Authorization = new("Bearer", ClusterNodes.Secret);
        using var anonymous = await direct.PostAsJsonAsync("/v1/chat/completions", Chat("demo", 2));
        Assert.Equal(HttpStatusCode.BadRequest, anonymous.StatusCode);
        using (var claim = await direct.PostAsync(attemptUsage, null))
        {
            Assert.Equal(HttpStatusCode.NotFound, claim.StatusCode);
            Assert.Equal("attempt_not_found", (await claim.Content.ReadFromJsonAsync<JsonElement>()).GetProperty("error").GetProperty("code").GetString());
        }

        // The gateway answers what it cannot route itself, in OpenAI's shape.
        using var tenant = cluster.Client(key);
        foreach (var (body, code) in new[] { ("{\"model\": 5}", "invalid_type"), ("{\"messages\": []}", "missing_required_parameter"), ("not json", null) })
        {
            using var bad = await tenant.PostAsync("/v1/chat/completions", new StringContent(body, Encoding.UTF8, "application/json"));
            Assert.Equal(HttpStatusCode.BadRequest, bad.StatusCode);
            var error = (await bad.Content.ReadFromJsonAsync<JsonElement>()).GetProperty("error");
            Assert.Equal("invalid_request_error", error.GetProperty("type").GetString());
            if (code != null) Assert.Equal(code, error.GetProperty("code").GetString());
        }
        // A field only the worker checks comes back from the worker as it said it.
        using (var invalid = await tenant.PostAsJsonAsync("/v1/chat/completions", new { model = "demo", messages = Array.Empty<object>() }))
        {
            Assert.Equal(HttpStatusCode.BadRequest, invalid.StatusCode);
            Assert.Equal("w1", Worker(invalid));
        }

        // And the gateway takes tenants' keys only: the cluster secret is not one.
        using var gateway = cluster.Client(ClusterNodes.Secret);
        using var secretAtGateway = await gateway.PostAsJsonAsync("/v1/chat/completions", Chat("demo", 2));
        Assert.Equal(HttpStatusCode.Unauthorized, secretAtGateway.StatusCode);
    }

    [Fact]
    public async Task A_killed_worker_costs_one_retry_and_with_every_worker_gone_the_model_is_503()
    {
        await using var cluster = await ClusterNodes.StartAsync();
        var w1 = await cluster.AddWorkerAsync("w1");
        await cluster.AddWorkerAsync("w2");
        using var http = cluster.Client(await cluster.CreateKeyAsync("acme"));
        using (var first = await http.PostAsJsonAsync("/v1/chat/completions", Chat("demo", 2)))
            Assert.Equal(HttpStatusCode.OK, first.StatusCode);

        await w1.KillAsync();
        // The registry still calls w1 healthy for up to WorkerTimeout: whichever request picks it is retried on w2.
        var served = await Task.WhenAll(Enumerable.Range(0, 6).Select(async _ =>
        {
            using var response = await http.PostAsJsonAsync("/v1/chat/completions", Chat("demo", 2));
            Assert.Equal(HttpStatusCode.OK, response.StatusCode);
            return Worker(response);
        }));
        Assert.All(served, w => Assert.Equal("w2", w));
        Assert.Equal(7, await ClusterNodes.MetricAsync(cluster.Gateway, "provocapi_gateway_attempts_total", "outcome=\"served\""));

        await cluster.Workers["w2"].KillAsync();
        await Task.Delay(ClusterNodes.WorkerTimeout + TimeSpan.FromMilliseconds(500));
        using var none = await http.PostAsJsonAsync("/v1/chat/completions", Chat("demo", 2));
        Assert.Equal(HttpStatusCode.ServiceUnavailable, none.StatusCode);
        Assert.True(none.Headers.RetryAfter != null);
        var error = (await none.Content.ReadFromJsonAsync<JsonElement>()).GetProperty("error");
        Assert.Equal("no_healthy_workers", error.GetProperty("code").GetString());
        Assert.Contains("No healthy workers", error.GetProperty("message").GetString());
        Assert.Contains("provocapi_gateway_unrouted_total 1", await http.GetStringAsync("/metrics"));
    }

    [Fact]
    public async Task A_stream_whose_worker_dies_ends_with_an_error_event_then_DONE()
    {
        await using var cluster = await ClusterNodes.StartAsync();
        var worker = await cluster.AddWorkerAsync("w1", ClusterNodes.SlowModel);
        using var http = cluster.Client(await cluster.CreateKeyAsync("acme"));
        using var request = new HttpRequestMessage(HttpMethod.Post, "/v1/chat/completions") { Content = JsonContent.Create(Chat("slow", 400, stream: true)) };
        using var response = await http.SendAsync(request, HttpCompletionOption.ResponseHeadersRead);
        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        using var reader = new StreamReader(await response.Content.ReadAsStreamAsync(), Encoding.UTF8);
        Assert.StartsWith("data: {", await reader.ReadLineAsync());
        await worker.KillAsync();

        var events = (await reader.ReadToEndAsync()).Split("\n\n", StringSplitOptions.RemoveEmptyEntries);
        Assert.Equal("data: [DONE]", events[^1].Trim());
        var error = JsonDocument.Parse(events[^2]["data: ".Length..]).RootElement.GetProperty("error");
        Assert.Equal("upstream_error", error.GetProperty("code").GetString());
        Assert.True(events.Length < 400, "the stream ended early, not after the whole generation");
    }

    [Fact]
    public async Task A_client_that_leaves_is_metered_for_the_tokens_its_worker_generated()
    {
        await using var cluster = await ClusterNodes.StartAsync();
        var worker = await cluster.AddWorkerAsync("w1", ClusterNodes.SlowModel);
        using var http = cluster.Client(await cluster.CreateKeyAsync("acme"));

        // A stream, left after its first event once the worker has generated a few tokens: metered by what the worker
        // generated until it saw the link close, not only by the prompt its headers reported.
        using (var request = new HttpRequestMessage(HttpMethod.Post, "/v1/chat/completions") { Content = JsonContent.Create(Chat("slow", 400, stream: true)) })
        using (var response = await http.SendAsync(request, HttpCompletionOption.ResponseHeadersRead))
        {
            using var reader = new StreamReader(await response.Content.ReadAsStreamAsync(), Encoding.UTF8);
            Assert.StartsWith("data: {", await reader.ReadLineAsync());
            await WaitForGeneratedAsync(worker, 4);
        }
        var stream = await UsageAsync(http, worker, requests: 1);
        Assert.True(stream.PromptTokens > 0);
        Assert.InRange(stream.CompletionTokens, 2, 399);

        // A whole reply, left while the worker generates it: its usage would have come in headers never sent, so the
        // gateway asks the worker for it.
        using (var leave = new CancellationTokenSource())
        {
            var request = http.PostAsJsonAsync("/v1/chat/completions", Chat("slow", 400), leave.Token);
            await WaitForGeneratedAsync(worker, stream.Generated + 4);
            await leave.CancelAsync();
            await Assert.ThrowsAnyAsync<OperationCanceledException>(() => request);
        }
        var both = await UsageAsync(http, worker, requests: 2);
        Assert.Equal(2 * stream.PromptTokens, both.PromptTokens);
        Assert.InRange(both.CompletionTokens - stream.CompletionTokens, 2, 399);
        Assert.True(both.CompletionTokens <= both.Generated, "no more tokens metered than the worker generated");
    }

    static async Task WaitForGeneratedAsync(Server.ServerProcess worker, double tokens)
    {
        for (var i = 0; i < 400 && await ClusterNodes.MetricAsync(worker, "provocapi_engine_generated_tokens_total") < tokens; i++) await Task.Delay(25);
    }

    /// <summary>Today's usage of the slow model once the gateway has recorded <paramref name="requests"/> requests, and what the only worker generated by then.</summary>
    static async Task<(long PromptTokens, long CompletionTokens, double Generated)> UsageAsync(HttpClient http, Server.ServerProcess worker, int requests)
    {
        var today = DateTime.UtcNow.ToString("yyyy-MM-dd");
        for (var i = 0; i < 200; i++)
        {
            var report = await http.GetFromJsonAsync<JsonElement>($"/v1/usage?start_date={today}&end_date={today}");
            var day = report.GetProperty("data").EnumerateArray().FirstOrDefault(d => d.GetProperty("model").GetString() == "slow");
            if (day.ValueKind != JsonValueKind.Undefined && day.GetProperty("requests").GetInt64() == requests)
                return (day.GetProperty("prompt_tokens").GetInt64(), day.GetProperty("completion_tokens").GetInt64(),
                    await ClusterNodes.MetricAsync(worker, "provocapi_engine_generated_tokens_total"));
            await Task.Delay(100);
        }
        throw new TimeoutException($"the gateway never recorded {requests} requests of the slow model");
    }
}

using System.Globalization;
using System.Text.Json;
using System.Text.RegularExpressions;

namespace Provocapi.Host.Tests.Server;

[Collection(ServerCollection.Name)]
public sealed class MetricsTests(ServerFixture server)
{
    static double Value(string text, string series)
    {
        var match = Regex.Match(text, "^" + Regex.Escape(series) + @" (\S+)$", RegexOptions.Multiline);
        Assert.True(match.Success, $"no series {series} in:\n{text}");
        return double.Parse(match.Groups[1].Value, CultureInfo.InvariantCulture);
    }

    [Fact]
    public async Task Metrics_report_the_engines_work_in_prometheus_text_format()
    {
        using var client = server.ClientWithKey(server.CreateKey(ServerFixture.UniqueTenant("metrics")));
        await server.ReadyClientAsync();
        var before = await (await client.GetAsync("/metrics")).Content.ReadAsStringAsync();
        using var chat = await client.PostJsonAsync("/v1/completions", new { model = "cramped", prompt = "a", max_tokens = 5, temperature = 0 });
        Assert.Equal(200, (int)chat.StatusCode);
        using var response = await client.GetAsync("/metrics");
        Assert.Equal("text/plain", response.Content.Headers.ContentType?.MediaType);
        var text = await response.Content.ReadAsStringAsync();

        Assert.Contains("# TYPE provocapi_engine_generated_tokens_total counter", text);
        var generated = Value(text, "provocapi_engine_generated_tokens_total{model=\"cramped\"}");
        var generatedBefore = before.Contains("generated_tokens_total{model=\"cramped\"}") ? Value(before, "provocapi_engine_generated_tokens_total{model=\"cramped\"}") : 0;
        Assert.Equal(5, generated - generatedBefore);
        Assert.Equal(1, Value(text, "provocapi_engine_kv_pages_free{model=\"cramped\"}") + Value(text, "provocapi_engine_kv_pages_used{model=\"cramped\"}"));
        Assert.Equal(0, Value(text, "provocapi_engine_running_sequences{model=\"cramped\"}"));
        Assert.Equal(0, Value(text, "provocapi_engine_queue_length{model=\"cramped\"}"));
        Assert.Contains("# TYPE provocapi_engine_time_to_first_token_seconds histogram", text);
        var count = Value(text, "provocapi_engine_time_to_first_token_seconds_count{model=\"cramped\"}");
        Assert.Equal(count, Value(text, "provocapi_engine_time_to_first_token_seconds_bucket{model=\"cramped\",le=\"+Inf\"}"));
        Assert.True(Value(text, "provocapi_engine_inter_token_latency_seconds_count{model=\"cramped\"}") >= 4);
        Assert.Contains("provocapi_engine_prefix_cache_hit_rate{model=\"cramped\"}", text);
        Assert.Contains("provocapi_engine_queue_wait_seconds_sum{model=\"cramped\"}", text);
    }

    [Fact]
    public async Task A_cache_of_halves_holds_twice_the_pages_in_the_same_budget()
    {
        using var client = server.ClientWithKey(server.CreateKey(ServerFixture.UniqueTenant("halves")));
        await server.ReadyClientAsync();
        using var completion = await client.PostJsonAsync("/v1/completions", new { model = "cramped-halves", prompt = "a", max_tokens = 20, temperature = 0 });
        Assert.Equal(200, (int)completion.StatusCode);
        using var body = JsonDocument.Parse(await completion.Content.ReadAsStringAsync());
        Assert.Equal(20, body.RootElement.GetProperty("usage").GetProperty("completion_tokens").GetInt32());
        var text = await (await client.GetAsync("/metrics")).Content.ReadAsStringAsync();
        double Pages(string model) => Value(text, $"provocapi_engine_kv_pages_free{{model=\"{model}\"}}") + Value(text, $"provocapi_engine_kv_pages_used{{model=\"{model}\"}}");
        // 16 KiB: one 16-position page of floats (12 KiB for this model), two of halves, so 20 tokens fit in one sequence.
        Assert.Equal(1, Pages("cramped"));
        Assert.Equal(2, Pages("cramped-halves"));
    }
}

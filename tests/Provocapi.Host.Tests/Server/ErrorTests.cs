using System.Text;
using System.Text.Json;

namespace Provocapi.Host.Tests.Server;

/// <summary>Every error the spec lists, in OpenAI's shape, with the headers every response carries.</summary>
[Collection(ServerCollection.Name)]
public sealed class ErrorTests(ServerFixture server)
{
    static string Chat(string fields) => $$"""{"messages": [{"role": "user", "content": "Hi"}], {{fields}}}""";

    public static TheoryData<string, string, int, string?, string?> BadBodies => new()
    {
        // name, body, status, code, param
        { "missing model", """{"messages": [{"role": "user", "content": "Hi"}]}""", 400, "missing_required_parameter", "model" },
        { "unknown model", Chat("\"model\": \"gpt-9\""), 404, "model_not_found", "model" },
        { "missing messages", """{"model": "demo"}""", 400, "missing_required_parameter", "messages" },
        { "empty messages", """{"model": "demo", "messages": []}""", 400, "invalid_value", "messages" },
        { "bad role", """{"model": "demo", "messages": [{"role": "wizard", "content": "Hi"}]}""", 400, "invalid_value", "messages" },
        { "content of wrong type", """{"model": "demo", "messages": [{"role": "user", "content": 5}]}""", 400, "invalid_type", "messages" },
        { "image part", """{"model": "demo", "messages": [{"role": "user", "content": [{"type": "image_url", "image_url": {"url": "x"}}]}]}""", 400, "unsupported_value", "messages" },
        { "temperature as string", Chat("\"model\": \"demo\", \"temperature\": \"hot\""), 400, "invalid_type", "temperature" },
        { "temperature above 2", Chat("\"model\": \"demo\", \"temperature\": 2.5"), 400, "invalid_value", "temperature" },
        { "negative temperature", Chat("\"model\": \"demo\", \"temperature\": -0.1"), 400, "invalid_value", "temperature" },
        { "top_p zero", Chat("\"model\": \"demo\", \"top_p\": 0"), 400, "invalid_value", "top_p" },
        { "max_tokens zero", Chat("\"model\": \"demo\", \"max_tokens\": 0"), 400, "invalid_value", "max_tokens" },
        { "max_tokens fractional", Chat("\"model\": \"demo\", \"max_tokens\": 1.5"), 400, "invalid_type", "max_tokens" },
        { "max_completion_tokens negative", Chat("\"model\": \"demo\", \"max_completion_tokens\": -3"), 400, "invalid_value", "max_completion_tokens" },
        { "shared tier cap", Chat("\"model\": \"tiny\", \"max_tokens\": 8193"), 400, "max_tokens_exceeded", "max_tokens" },
        { "beyond the context", Chat("\"model\": \"demo\", \"max_tokens\": 5000"), 400, "context_length_exceeded", "max_tokens" },
        { "five stops", Chat("\"model\": \"demo\", \"stop\": [\"a\", \"b\", \"c\", \"d\", \"e\"]"), 400, "invalid_value", "stop" },
        { "stop of wrong type", Chat("\"model\": \"demo\", \"stop\": 3"), 400, "invalid_type", "stop" },
        { "seed as string", Chat("\"model\": \"demo\", \"seed\": \"x\""), 400, "invalid_type", "seed" },
        { "stream as string", Chat("\"model\": \"demo\", \"stream\": \"yes\""), 400, "invalid_type", "stream" },
        { "n of 17", Chat("\"model\": \"demo\", \"n\": 17"), 400, "invalid_value", "n" },
        { "n of 0", Chat("\"model\": \"demo\", \"n\": 0"), 400, "invalid_value", "n" },
        { "logit_bias key not a token", Chat("\"model\": \"demo\", \"logit_bias\": {\"abc\": 5}"), 400, "invalid_value", "logit_bias" },
        { "logit_bias out of the vocabulary", Chat("\"model\": \"demo\", \"logit_bias\": {\"999999\": 5}"), 400, "invalid_value", "logit_bias" },
        { "logit_bias above 100", Chat("\"model\": \"demo\", \"logit_bias\": {\"5\": 101}"), 400, "invalid_value", "logit_bias" },
        { "logit_bias not an object", Chat("\"model\": \"demo\", \"logit_bias\": [1]"), 400, "invalid_type", "logit_bias" },
        { "body is an array", """[1, 2]""", 400, null, null },
        { "body is null", """null""", 400, null, null },
        { "empty body", "", 400, null, null },
    };

    [Theory]
    [MemberData(nameof(BadBodies))]
    public async Task A_bad_chat_request_is_an_OpenAI_error_naming_the_param(string name, string body, int status, string? code, string? param)
    {
        using var client = server.ClientWithKey(server.CreateKey(ServerFixture.UniqueTenant("errors")));
        await server.ReadyClientAsync();
        using var response = await client.PostJsonAsync("/v1/chat/completions", body);
        var error = await response.AssertErrorAsync(status, code, param);
        Assert.False(string.IsNullOrEmpty(name));
        AssertCommonHeaders(response);
        if (param != null) Assert.Contains(param, error.GetProperty("message").GetString());
    }

    [Fact]
    public async Task Bad_JSON_says_where()
    {
        using var client = server.ClientWithKey(server.CreateKey(ServerFixture.UniqueTenant("errors")));
        using var response = await client.PostJsonAsync("/v1/chat/completions", "{\"model\": \"demo\",\n  \"messages\": [}");
        var error = await response.AssertErrorAsync(400, null);
        Assert.Contains("line 2, column", error.GetProperty("message").GetString());
    }

    [Fact]
    public async Task A_body_over_the_limit_is_413()
    {
        using var client = server.ClientWithKey(server.CreateKey(ServerFixture.UniqueTenant("errors")));
        var huge = Chat($"\"model\": \"demo\", \"user\": \"{new string('x', 70_000)}\"");
        using var response = await client.PostJsonAsync("/v1/chat/completions", huge);
        await response.AssertErrorAsync(413, "request_too_large");
        AssertCommonHeaders(response);
    }

    [Fact]
    public async Task Unknown_routes_and_wrong_methods_are_404_and_405_in_the_envelope()
    {
        using var client = server.ClientWithKey(server.CreateKey(ServerFixture.UniqueTenant("errors")));
        using var unknown = await client.GetAsync("/v1/no-such-thing");
        await unknown.AssertErrorAsync(404, "unknown_url");
        AssertCommonHeaders(unknown);
        using var outside = await client.GetAsync("/nowhere");
        await outside.AssertErrorAsync(404, "unknown_url");
        using var wrongMethod = await client.DeleteAsync("/v1/chat/completions");
        await wrongMethod.AssertErrorAsync(405, "method_not_allowed");
        AssertCommonHeaders(wrongMethod);
        using var embeddings = await client.PostJsonAsync("/v1/embeddings", """{"model": "demo", "input": "x"}""");
        await embeddings.AssertErrorAsync(400, "wrong_model_kind", "model");   // the route exists; demo is a chat model
    }

    [Fact]
    public async Task Missing_malformed_and_unknown_keys_are_401_invalid_api_key()
    {
        using var anonymous = server.CreateClient();
        using var none = await anonymous.GetAsync("/v1/models");
        await none.AssertErrorAsync(401, "invalid_api_key");
        AssertCommonHeaders(none);
        foreach (var header in new[] { "Basic abc", "Bearer ", "Bearer sk-123", "Bearer pk-prov-" + new string('A', 40), "Bearer pk-prov-short" })
        {
            using var request = new HttpRequestMessage(HttpMethod.Get, "/v1/models");
            request.Headers.TryAddWithoutValidation("Authorization", header);
            using var response = await anonymous.SendAsync(request);
            await response.AssertErrorAsync(401, "invalid_api_key");
        }
    }

    [Fact]
    public async Task A_key_with_a_known_prefix_but_wrong_secret_is_rejected()
    {
        var key = server.CreateKey(ServerFixture.UniqueTenant("errors"));
        var forged = key[..^1] + (key[^1] == 'A' ? 'B' : 'A');
        using var client = server.ClientWithKey(forged);
        using var response = await client.GetAsync("/v1/models");
        var error = await response.AssertErrorAsync(401, "invalid_api_key");
        Assert.DoesNotContain(key[20..^4], error.GetProperty("message").GetString());
    }

    [Fact]
    public async Task A_revoked_key_stops_working_within_a_second()
    {
        var key = server.CreateKey(ServerFixture.UniqueTenant("revoke"));
        using var client = server.ClientWithKey(key);
        Assert.Equal(200, (int)(await client.GetAsync("/v1/models")).StatusCode);
        Assert.Single(server.Keys.Revoke(key[..20]));
        var revokedAt = DateTime.UtcNow;
        await Task.Delay(TimeSpan.FromSeconds(1));
        using var response = await client.GetAsync("/v1/models");
        var error = await response.AssertErrorAsync(401, "invalid_api_key");
        Assert.Contains("revoked", error.GetProperty("message").GetString());
    }

    [Fact]
    public async Task A_prompt_that_does_not_fit_the_KV_cache_is_400_context_length_exceeded()
    {
        // 'cramped' has a single 16-token page, so its context is 16 tokens; the chat prompt alone needs more. Retrying
        // would not help, so this is no 503.
        using var client = server.ClientWithKey(server.CreateKey(ServerFixture.UniqueTenant("kv")));
        await server.ReadyClientAsync();
        using var response = await client.PostJsonAsync("/v1/chat/completions", Chat("\"model\": \"cramped\", \"max_tokens\": 4"));
        var error = await response.AssertErrorAsync(400, "context_length_exceeded", "messages");
        Assert.Contains("16 tokens", error.GetProperty("message").GetString());
        Assert.Equal("cramped", response.Header("X-Provocapi-Model"));
    }

    /// <summary>'doomed' serves one sequence at a time; the test unloads it (as a stopping server does) while a stream is
    /// under way, paused by its unread reply, and a whole request waits behind it.</summary>
    [Fact]
    public async Task The_engine_failing_mid_request_is_502_and_mid_stream_an_error_event_then_done()
    {
        using var client = server.ClientWithKey(server.CreateKey(ServerFixture.UniqueTenant("kv")));
        await server.ReadyClientAsync();
        var engine = server.Engine("doomed");
        using var streamed = await client.PostJsonAsync("/v1/completions", new { model = "doomed", prompt = "a", max_tokens = 1900, temperature = 0, stream = true });
        Assert.Equal(200, (int)streamed.StatusCode);
        var whole = client.PostJsonAsync("/v1/completions", new { model = "doomed", prompt = "a", max_tokens = 5, temperature = 0 });
        for (var i = 0; i < 1000 && engine.Scheduler.QueueLength == 0; i++) await Task.Delay(10);
        Assert.Equal(1, engine.Scheduler.QueueLength);

        engine.Dispose();
        using (var response = await whole) await response.AssertErrorAsync(502, "upstream_error", type: "server_error");
        var events = await streamed.EventsAsync();
        Assert.Equal("[DONE]", events[^1]);
        var error = JsonDocument.Parse(events[^2]).RootElement.GetProperty("error");
        Assert.Equal("upstream_error", error.GetProperty("code").GetString());
        Assert.True(events.Count > 3, "text streamed before the failure");
    }

    static void AssertCommonHeaders(HttpResponseMessage response)
    {
        Assert.StartsWith("req_", response.Header("X-Request-Id"));
        Assert.Equal(ServerFixture.WorkerId, response.Header("X-Provocapi-Worker"));
        Assert.True(long.TryParse(response.Header("X-Provocapi-Queue-Ms"), out var ms) && ms >= 0);
    }
}

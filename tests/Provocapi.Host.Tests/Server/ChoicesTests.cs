using System.Text.Json;

namespace Provocapi.Host.Tests.Server;

/// <summary><c>n</c> choices and <c>logit_bias</c>.</summary>
[Collection(ServerCollection.Name)]
public sealed class ChoicesTests(ServerFixture server)
{
    static object Chat(int n, bool stream = false, object? logitBias = null) => new
    {
        model = "demo", messages = new[] { new { role = "user", content = "Tell me something" } },
        max_tokens = 8, temperature = 1.2, seed = 11, n, stream, logit_bias = logitBias,
        stream_options = stream ? new { include_usage = true } : null,
    };

    [Fact]
    public async Task N_choices_come_back_indexed_reproducible_and_different_with_the_prompt_counted_once()
    {
        using var client = server.ClientWithKey(server.CreateKey(ServerFixture.UniqueTenant("choices")));
        await server.ReadyClientAsync();
        var three = await (await client.PostJsonAsync("/v1/chat/completions", Chat(3))).JsonAsync();
        var one = await (await client.PostJsonAsync("/v1/chat/completions", Chat(1))).JsonAsync();
        var choices = three.GetProperty("choices").EnumerateArray().ToList();
        Assert.Equal([0, 1, 2], choices.Select(c => c.GetProperty("index").GetInt32()));
        var texts = choices.Select(c => c.GetProperty("message").GetProperty("content").GetString()).ToList();
        Assert.Equal(one.GetProperty("choices")[0].GetProperty("message").GetProperty("content").GetString(), texts[0]);
        Assert.True(texts.Distinct().Count() > 1, "seeded choices should differ");
        var usage = three.GetProperty("usage");
        Assert.Equal(one.GetProperty("usage").GetProperty("prompt_tokens").GetInt32(), usage.GetProperty("prompt_tokens").GetInt32());
        Assert.Equal(24, usage.GetProperty("completion_tokens").GetInt32());
    }

    [Fact]
    public async Task Streamed_choices_each_open_with_the_role_and_close_with_a_finish_reason()
    {
        using var client = server.ClientWithKey(server.CreateKey(ServerFixture.UniqueTenant("choices")));
        await server.ReadyClientAsync();
        var whole = await (await client.PostJsonAsync("/v1/chat/completions", Chat(2))).JsonAsync();
        var events = await (await client.PostJsonAsync("/v1/chat/completions", Chat(2, stream: true))).EventsAsync();
        Assert.Equal("[DONE]", events[^1]);
        var chunks = events[..^1].Select(e => JsonDocument.Parse(e).RootElement).ToList();
        for (var i = 0; i < 2; i++)
        {
            var mine = chunks.Where(c => c.GetProperty("choices").GetArrayLength() == 1 && c.GetProperty("choices")[0].GetProperty("index").GetInt32() == i)
                .Select(c => c.GetProperty("choices")[0]).ToList();
            Assert.Equal("assistant", mine[0].GetProperty("delta").GetProperty("role").GetString());
            Assert.Equal("length", mine[^1].GetProperty("finish_reason").GetString());
            var text = string.Concat(mine.Select(c => c.GetProperty("delta").TryGetProperty("content", out var t) ? t.GetString() : ""));
            Assert.Equal(whole.GetProperty("choices")[i].GetProperty("message").GetProperty("content").GetString(), text);
        }
        Assert.Equal(16, chunks[^1].GetProperty("usage").GetProperty("completion_tokens").GetInt32());
    }

    [Fact]
    public async Task Completions_give_n_choices_per_prompt_in_OpenAIs_order()
    {
        using var client = server.ClientWithKey(server.CreateKey(ServerFixture.UniqueTenant("choices")));
        await server.ReadyClientAsync();
        using var response = await client.PostJsonAsync("/v1/completions", new { model = "demo", prompt = new[] { "A", "B" }, n = 2, max_tokens = 4, temperature = 0 });
        var body = await response.JsonAsync();
        var texts = body.GetProperty("choices").EnumerateArray().Select(c => c.GetProperty("text").GetString()).ToList();
        Assert.Equal(4, texts.Count);
        Assert.Equal(texts[0], texts[1]);  // greedy: both choices of prompt A agree
        Assert.Equal(texts[2], texts[3]);
        Assert.NotEqual(texts[0], texts[2]);
    }

    [Fact]
    public async Task Logit_bias_bans_the_greedy_token()
    {
        using var client = server.ClientWithKey(server.CreateKey(ServerFixture.UniqueTenant("bias")));
        await server.ReadyClientAsync();
        var greedy = new { model = "demo", prompt = "Once upon a time", max_tokens = 1, temperature = 0 };
        var first = (await (await client.PostJsonAsync("/v1/completions", greedy)).JsonAsync()).GetProperty("choices")[0].GetProperty("text").GetString()!;
        var engine = await server.Engine("demo").GenerateTextAsync(new() { Prompt = "Once upon a time", Sampling = Engine.Sampling.SamplingOptions.Greedy, MaxTokens = 1 });
        Assert.Equal(first, engine.Text);
        var token = engine.TokenIds[0];
        var banned = new Dictionary<string, int> { [token.ToString()] = -100 };
        var body = await (await client.PostJsonAsync("/v1/completions", new { model = "demo", prompt = "Once upon a time", max_tokens = 1, temperature = 0, logit_bias = banned })).JsonAsync();
        Assert.NotEqual(first, body.GetProperty("choices")[0].GetProperty("text").GetString());
    }
}

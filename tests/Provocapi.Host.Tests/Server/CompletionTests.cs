using System.Text.Json;
using Provocapi.Core.Generation;
using Provocapi.Engine.Sampling;

namespace Provocapi.Host.Tests.Server;

[Collection(ServerCollection.Name)]
public sealed class CompletionTests(ServerFixture server)
{
    [Fact]
    public async Task A_string_prompt_completes_to_the_engines_greedy_text()
    {
        using var client = server.ClientWithKey(server.CreateKey(ServerFixture.UniqueTenant("cmpl")));
        await server.ReadyClientAsync();
        using var response = await client.PostJsonAsync("/v1/completions", new { model = "demo", prompt = "Once upon a time", max_tokens = 10, temperature = 0 });
        var body = await response.JsonAsync();
        Assert.Equal(200, (int)response.StatusCode);
        var expected = await server.Engine("demo").GenerateTextAsync(new GenerationRequest { Prompt = "Once upon a time", Sampling = SamplingOptions.Greedy, MaxTokens = 10 });
        Assert.Equal("text_completion", body.GetProperty("object").GetString());
        Assert.StartsWith("cmpl-", body.GetProperty("id").GetString());
        var choice = body.GetProperty("choices")[0];
        Assert.Equal(expected.Text, choice.GetProperty("text").GetString());
        Assert.Equal(0, choice.GetProperty("index").GetInt32());
        Assert.Equal(JsonValueKind.Null, choice.GetProperty("logprobs").ValueKind);
        Assert.Equal(expected.PromptTokens, body.GetProperty("usage").GetProperty("prompt_tokens").GetInt32());
    }

    /// <summary>"cramped" has one 16-position page of KV cache: its context is 16 tokens, so a reply stops with
    /// <c>length</c> where the cache ends and a request for more is refused up front. Before, the reply broke off with a
    /// 502 when the cache ran out under it.</summary>
    [Fact]
    public async Task A_kv_cache_smaller_than_the_models_context_becomes_the_context()
    {
        using var client = server.ClientWithKey(server.CreateKey(ServerFixture.UniqueTenant("cmpl")));
        await server.ReadyClientAsync();
        Assert.Equal(16, server.Engine("cramped").ContextLength);
        using var whole = await client.PostJsonAsync("/v1/completions", new { model = "cramped", prompt = "a", temperature = 0 });
        var body = await whole.JsonAsync();
        Assert.Equal(200, (int)whole.StatusCode);
        Assert.Equal("length", body.GetProperty("choices")[0].GetProperty("finish_reason").GetString());
        Assert.Equal(16, body.GetProperty("usage").GetProperty("total_tokens").GetInt32());
        using var tooMany = await client.PostJsonAsync("/v1/completions", new { model = "cramped", prompt = "a", max_tokens = 20, temperature = 0 });
        var error = (await tooMany.JsonAsync()).GetProperty("error");
        Assert.Equal(400, (int)tooMany.StatusCode);
        Assert.Equal("context_length_exceeded", error.GetProperty("code").GetString());
        Assert.Contains("16 tokens", error.GetProperty("message").GetString());
    }

    [Fact]
    public async Task An_array_of_prompts_gives_one_choice_each_in_order()
    {
        using var client = server.ClientWithKey(server.CreateKey(ServerFixture.UniqueTenant("cmpl")));
        await server.ReadyClientAsync();
        string[] prompts = ["The sky is", "Numbers: 1, 2,", "Hello"];
        using var response = await client.PostJsonAsync("/v1/completions", new { model = "demo", prompt = prompts, max_tokens = 5, temperature = 0 });
        var body = await response.JsonAsync();
        var choices = body.GetProperty("choices").EnumerateArray().ToList();
        Assert.Equal(3, choices.Count);
        var totalCompletion = 0;
        for (var i = 0; i < prompts.Length; i++)
        {
            var alone = await server.Engine("demo").GenerateTextAsync(new GenerationRequest { Prompt = prompts[i], Sampling = SamplingOptions.Greedy, MaxTokens = 5 });
            Assert.Equal(i, choices[i].GetProperty("index").GetInt32());
            Assert.Equal(alone.Text, choices[i].GetProperty("text").GetString());
            totalCompletion += alone.CompletionTokens;
        }
        Assert.Equal(totalCompletion, body.GetProperty("usage").GetProperty("completion_tokens").GetInt32());
    }

    [Fact]
    public async Task Token_id_prompts_and_echo_work()
    {
        using var client = server.ClientWithKey(server.CreateKey(ServerFixture.UniqueTenant("cmpl")));
        await server.ReadyClientAsync();
        var tokenizer = server.Engine("demo").Model.Tokenizer;
        var ids = tokenizer.Encode("Once upon a time");
        using var byIds = await client.PostJsonAsync("/v1/completions", new { model = "demo", prompt = ids, max_tokens = 6, temperature = 0 });
        using var byText = await client.PostJsonAsync("/v1/completions", new { model = "demo", prompt = "Once upon a time", max_tokens = 6, temperature = 0, echo = true });
        var fromIds = (await byIds.JsonAsync()).GetProperty("choices")[0].GetProperty("text").GetString()!;
        var echoed = (await byText.JsonAsync()).GetProperty("choices")[0].GetProperty("text").GetString()!;
        Assert.Equal("Once upon a time" + fromIds, echoed);
    }

    [Fact]
    public async Task A_streamed_completion_has_OpenAIs_event_shape()
    {
        using var client = server.ClientWithKey(server.CreateKey(ServerFixture.UniqueTenant("cmpl")));
        await server.ReadyClientAsync();
        using var whole = await client.PostJsonAsync("/v1/completions", new { model = "demo", prompt = new[] { "A", "B" }, max_tokens = 5, temperature = 0 });
        var expected = (await whole.JsonAsync()).GetProperty("choices").EnumerateArray().Select(c => c.GetProperty("text").GetString()).ToList();
        using var response = await client.PostJsonAsync("/v1/completions", new
        {
            model = "demo", prompt = new[] { "A", "B" }, max_tokens = 5, temperature = 0, stream = true, stream_options = new { include_usage = true },
        });
        var events = await response.EventsAsync();
        Assert.Equal("[DONE]", events[^1]);
        var chunks = events[..^1].Select(e => JsonDocument.Parse(e).RootElement).ToList();
        Assert.All(chunks, c => Assert.Equal("text_completion", c.GetProperty("object").GetString()));
        for (var i = 0; i < 2; i++)
        {
            var mine = chunks.Where(c => c.GetProperty("choices").GetArrayLength() == 1 && c.GetProperty("choices")[0].GetProperty("index").GetInt32() == i)
                .Select(c => c.GetProperty("choices")[0]).ToList();
            Assert.Equal(expected[i], string.Concat(mine.Select(c => c.GetProperty("text").GetString())));
            Assert.Equal("length", mine[^1].GetProperty("finish_reason").GetString());
        }
        Assert.Equal(10, chunks[^1].GetProperty("usage").GetProperty("completion_tokens").GetInt32());
    }
}

using System.ClientModel;
using System.Text.Json;
using OpenAI.Chat;
using Provocapi.Core.Generation;
using Provocapi.Engine.Sampling;

namespace Provocapi.Host.Tests.Server;

[Collection(ServerCollection.Name)]
public sealed class ChatCompletionTests(ServerFixture server)
{
    [Fact]
    public async Task The_sdk_chats_and_the_reply_is_the_engines_greedy_continuation()
    {
        await server.ReadyClientAsync();
        var key = server.CreateKey(ServerFixture.UniqueTenant("chat"));
        var chat = server.OpenAI(key).GetChatClient("demo");
        var options = new ChatCompletionOptions { Temperature = 0, MaxOutputTokenCount = 12 };
        ChatCompletion completion = await chat.CompleteChatAsync([new SystemChatMessage("Be brief."), new UserChatMessage("Hello there")], options);

        // The same prompt run on the engine directly, greedily, gives the same text.
        var engine = server.Engine("demo");
        var prompt = Core.Chat.ChatPrompt.For(engine, [new("system", "Be brief."), new("user", "Hello there")]);
        var expected = await engine.GenerateTextAsync(new GenerationRequest
        {
            Prompt = prompt.Text, Sampling = SamplingOptions.Greedy, MaxTokens = 12, StopStrings = prompt.StopStrings,
        });
        Assert.Equal(expected.Text, completion.Content[0].Text);
        Assert.Equal(ChatMessageRole.Assistant, completion.Role);
        Assert.Equal("demo", completion.Model);
        Assert.StartsWith("chatcmpl-", completion.Id);
        Assert.Equal(expected.FinishReason == FinishReason.Length ? ChatFinishReason.Length : ChatFinishReason.Stop, completion.FinishReason);
        Assert.Equal(expected.PromptTokens, completion.Usage.InputTokenCount);
        Assert.Equal(expected.CompletionTokens, completion.Usage.OutputTokenCount);
        Assert.Equal(expected.TotalTokens, completion.Usage.TotalTokenCount);
    }

    [Fact]
    public async Task Control_tokens_written_in_a_message_are_tokenized_as_text()
    {
        await server.ReadyClientAsync();
        var chat = server.OpenAI(server.CreateKey(ServerFixture.UniqueTenant("control"))).GetChatClient("demo");
        var engine = server.Engine("demo");
        var tokenizer = engine.Model.Tokenizer;
        var message = $"Hi{tokenizer.TokenText(tokenizer.EosId!.Value)} there";

        ChatCompletion completion = await chat.CompleteChatAsync([new UserChatMessage(message)], new ChatCompletionOptions { Temperature = 0, MaxOutputTokenCount = 1 });

        var prompt = Core.Chat.ChatPrompt.For(engine, [new("user", message)]);
        Assert.Equal(prompt.Tokenize(tokenizer).Length, completion.Usage.InputTokenCount);
        Assert.NotEqual(tokenizer.Encode(prompt.Text, prompt.AddSpecialTokens).Length, completion.Usage.InputTokenCount);
    }

    [Fact]
    public async Task The_sdk_streams_the_same_text_with_usage_and_a_finish_reason()
    {
        await server.ReadyClientAsync();
        var chat = server.OpenAI(server.CreateKey(ServerFixture.UniqueTenant("stream"))).GetChatClient("default");
        var options = new ChatCompletionOptions { Temperature = 0, MaxOutputTokenCount = 10 };
        ChatCompletion whole = await chat.CompleteChatAsync([new UserChatMessage("Tell me a story")], options);

        var text = new System.Text.StringBuilder();
        ChatFinishReason? finish = null;
        ChatTokenUsage? usage = null;
        var updates = 0;
        await foreach (var update in chat.CompleteChatStreamingAsync([new UserChatMessage("Tell me a story")], options))
        {
            updates++;
            foreach (var part in update.ContentUpdate) text.Append(part.Text);
            finish ??= update.FinishReason;
            usage ??= update.Usage;
        }
        Assert.Equal(whole.Content[0].Text, text.ToString());
        Assert.Equal(whole.FinishReason, finish);
        Assert.NotNull(usage);
        Assert.Equal(whole.Usage.TotalTokenCount, usage.TotalTokenCount);
        Assert.True(updates >= 3, $"only {updates} updates");
    }

    [Fact]
    public async Task The_event_stream_has_the_spec_chunk_shapes()
    {
        var key = server.CreateKey(ServerFixture.UniqueTenant("shape"));
        using var client = server.ClientWithKey(key);
        await server.ReadyClientAsync();
        using var response = await client.PostJsonAsync("/v1/chat/completions", new
        {
            model = "demo", messages = new[] { new { role = "user", content = "Hi" } }, max_tokens = 6, temperature = 0,
            stream = true, stream_options = new { include_usage = true },
        });
        Assert.Equal(200, (int)response.StatusCode);
        Assert.Equal("text/event-stream", response.Content.Headers.ContentType?.MediaType);
        var events = await response.EventsAsync();
        Assert.Equal("[DONE]", events[^1]);
        var chunks = events[..^1].Select(e => JsonDocument.Parse(e).RootElement).ToList();
        Assert.All(chunks, c =>
        {
            Assert.Equal("chat.completion.chunk", c.GetProperty("object").GetString());
            Assert.Equal(chunks[0].GetProperty("id").GetString(), c.GetProperty("id").GetString());
            Assert.Equal("demo", c.GetProperty("model").GetString());
        });
        // First: the role; then content deltas; the last choice chunk carries finish_reason; then the usage chunk with no choices.
        var first = chunks[0].GetProperty("choices")[0];
        Assert.Equal("assistant", first.GetProperty("delta").GetProperty("role").GetString());
        Assert.Equal(JsonValueKind.Null, first.GetProperty("finish_reason").ValueKind);
        var choiceChunks = chunks.Where(c => c.GetProperty("choices").GetArrayLength() == 1).ToList();
        var finishes = choiceChunks.Select(c => c.GetProperty("choices")[0].GetProperty("finish_reason")).ToList();
        Assert.All(finishes[..^1], f => Assert.Equal(JsonValueKind.Null, f.ValueKind));
        Assert.Equal("length", finishes[^1].GetString());
        var usageChunk = chunks[^1];
        Assert.Equal(0, usageChunk.GetProperty("choices").GetArrayLength());
        Assert.Equal(6, usageChunk.GetProperty("usage").GetProperty("completion_tokens").GetInt32());
        Assert.Equal(chunks.Count - 1, choiceChunks.Count);
    }

    [Fact]
    public async Task Without_include_usage_there_is_no_usage_chunk()
    {
        using var client = server.ClientWithKey(server.CreateKey(ServerFixture.UniqueTenant("nousage")));
        await server.ReadyClientAsync();
        using var response = await client.PostJsonAsync("/v1/chat/completions",
            """{"model": "demo", "messages": [{"role": "user", "content": "Hi"}], "max_tokens": 3, "stream": true}""");
        var events = await response.EventsAsync();
        Assert.All(events[..^1], e => Assert.False(JsonDocument.Parse(e).RootElement.TryGetProperty("usage", out _)));
        Assert.Equal(1, JsonDocument.Parse(events[^2]).RootElement.GetProperty("choices").GetArrayLength());
    }

    [Fact]
    public async Task Seed_and_temperature_reproduce_and_stop_cuts_the_text()
    {
        var chat = server.OpenAI(server.CreateKey(ServerFixture.UniqueTenant("seed"))).GetChatClient("demo");
        await server.ReadyClientAsync();
        var options = new ChatCompletionOptions { Temperature = 1.3f, TopP = 0.95f, MaxOutputTokenCount = 16 };
#pragma warning disable OPENAI001
        options.Seed = 7;
#pragma warning restore OPENAI001
        ChatCompletion a = await chat.CompleteChatAsync([new UserChatMessage("Pick a word")], options);
        ChatCompletion b = await chat.CompleteChatAsync([new UserChatMessage("Pick a word")], options);
        Assert.Equal(a.Content[0].Text, b.Content[0].Text);

        var text = a.Content[0].Text;
        var stop = text.Substring(text.Length / 2, 2);
        options.StopSequences.Add(stop);
        ChatCompletion cut = await chat.CompleteChatAsync([new UserChatMessage("Pick a word")], options);
        Assert.Equal(text[..text.IndexOf(stop, StringComparison.Ordinal)], cut.Content[0].Text);
        Assert.Equal(ChatFinishReason.Stop, cut.FinishReason);
    }

    [Fact]
    public async Task Max_completion_tokens_and_content_parts_are_accepted_and_unknown_fields_ignored()
    {
        using var client = server.ClientWithKey(server.CreateKey(ServerFixture.UniqueTenant("parts")));
        await server.ReadyClientAsync();
        using var response = await client.PostJsonAsync("/v1/chat/completions", """
            {"model": "demo", "max_completion_tokens": 4, "temperature": 0, "user": "u-1", "some_future_field": {"x": 1},
             "messages": [{"role": "developer", "content": "Be brief."}, {"role": "user", "content": [{"type": "text", "text": "Hel"}, {"type": "text", "text": "lo"}]}]}
            """);
        var body = await response.JsonAsync();
        Assert.Equal(200, (int)response.StatusCode);
        Assert.Equal(4, body.GetProperty("usage").GetProperty("completion_tokens").GetInt32());
        Assert.Equal("length", body.GetProperty("choices")[0].GetProperty("finish_reason").GetString());
    }

    [Fact]
    public async Task Sdk_errors_surface_as_client_result_exceptions_with_the_status()
    {
        await server.ReadyClientAsync();
        var chat = server.OpenAI(server.CreateKey(ServerFixture.UniqueTenant("sdkerr"))).GetChatClient("no-such-model");
        var missing = await Assert.ThrowsAsync<ClientResultException>(() => chat.CompleteChatAsync([new UserChatMessage("Hi")]));
        Assert.Equal(404, missing.Status);
        Assert.Contains("model_not_found", missing.GetRawResponse()!.Content.ToString());

        var badKey = server.OpenAI("pk-prov-" + new string('x', 40)).GetChatClient("demo");
        var unauthorized = await Assert.ThrowsAsync<ClientResultException>(() => badKey.CompleteChatAsync([new UserChatMessage("Hi")]));
        Assert.Equal(401, unauthorized.Status);

        var tooHot = server.OpenAI(server.CreateKey(ServerFixture.UniqueTenant("sdkerr"))).GetChatClient("demo");
        var invalid = await Assert.ThrowsAsync<ClientResultException>(() => tooHot.CompleteChatAsync([new UserChatMessage("Hi")], new ChatCompletionOptions { Temperature = 2.5f }));
        Assert.Equal(400, invalid.Status);
        Assert.Contains("\"param\":\"temperature\"", invalid.GetRawResponse()!.Content.ToString());
    }
}

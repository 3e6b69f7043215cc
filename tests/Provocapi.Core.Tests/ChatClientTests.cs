using System.Text.Json;
using Microsoft.Extensions.AI;

namespace Provocapi.Core.Tests;

public sealed class ChatClientTests(ModelFixture fixture) : IClassFixture<ModelFixture>
{
    [Fact]
    public async Task Chat_client_answers_with_usage_and_finish_reason()
    {
        IChatClient client = fixture.Model.AsChatClient();
        var options = new ChatOptions { Temperature = 0, MaxOutputTokens = 8 };
        var response = await client.GetResponseAsync([new ChatMessage(ChatRole.System, "Be brief."), new ChatMessage(ChatRole.User, "Hi!")], options);
        Assert.Equal(ChatRole.Assistant, response.Messages[0].Role);
        Assert.NotNull(response.Usage);
        Assert.True(response.Usage.InputTokenCount > 5);
        Assert.InRange(response.Usage.OutputTokenCount ?? 0, 1, 8);
        Assert.NotNull(response.FinishReason);

        var streamed = new List<ChatResponseUpdate>();
        await foreach (var update in client.GetStreamingResponseAsync([new ChatMessage(ChatRole.System, "Be brief."), new ChatMessage(ChatRole.User, "Hi!")], options))
            streamed.Add(update);
        Assert.Equal(response.Text, string.Concat(streamed.Select(u => u.Text)));
        Assert.Equal(response.FinishReason, streamed[^1].FinishReason);
        Assert.Same(fixture.Model, client.GetService(typeof(LoadedModel)));
    }

    [Fact]
    public async Task Control_tokens_written_in_a_message_count_as_text()
    {
        IChatClient client = fixture.Model.AsChatClient();
        var tokenizer = fixture.Model.Model.Tokenizer;
        var message = $"Hi{tokenizer.TokenText(tokenizer.EosId!.Value)} there";

        var response = await client.GetResponseAsync([new ChatMessage(ChatRole.User, message)], new ChatOptions { Temperature = 0, MaxOutputTokens = 1 });

        var prompt = Core.Chat.ChatPrompt.For(fixture.Model, [new("user", message)]);
        Assert.Equal(prompt.Tokenize(tokenizer).Length, response.Usage!.InputTokenCount);
        Assert.NotEqual(tokenizer.Encode(prompt.Text, prompt.AddSpecialTokens).Length, response.Usage.InputTokenCount);
    }

    [Fact]
    public async Task Invalid_temperature_is_rejected_naming_it()
    {
        IChatClient client = fixture.Model.AsChatClient();
        var e = await Assert.ThrowsAsync<ArgumentException>(() => client.GetResponseAsync("hi", new ChatOptions { Temperature = 5 }));
        Assert.Equal("temperature", e.ParamName);
    }

    [Fact]
    public async Task Chat_client_forces_tool_calls_and_reads_results_back()
    {
        IChatClient client = fixture.Model.AsChatClient();
        var weather = AIFunctionFactory.Create((string city) => $"4 degrees in {city}", "get_weather");
        var options = new ChatOptions { Tools = [weather], ToolMode = ChatToolMode.RequireAny, MaxOutputTokens = 40, Temperature = 1, Seed = 5 };
        var response = await client.GetResponseAsync([new ChatMessage(ChatRole.User, "Oslo?")], options);
        Assert.Equal(ChatFinishReason.ToolCalls, response.FinishReason);
        var call = Assert.Single(response.Messages[0].Contents.OfType<FunctionCallContent>());
        Assert.Equal("get_weather", call.Name);
        Assert.IsType<JsonElement>(call.Arguments!["city"]);

        // Streaming gives the same kind of call at the end.
        var updates = new List<ChatResponseUpdate>();
        await foreach (var update in client.GetStreamingResponseAsync([new ChatMessage(ChatRole.User, "Oslo?")], options)) updates.Add(update);
        Assert.Equal("get_weather", Assert.Single(updates.SelectMany(u => u.Contents).OfType<FunctionCallContent>()).Name);
        Assert.Equal(ChatFinishReason.ToolCalls, updates[^1].FinishReason);

        // The call and its result go back as the next turn's history.
        var history = new List<ChatMessage> { new(ChatRole.User, "Oslo?"), response.Messages[0], new(ChatRole.Tool, [new FunctionResultContent(call.CallId, "4 degrees")]) };
        var next = await client.GetResponseAsync(history, new ChatOptions { MaxOutputTokens = 4 });
        Assert.Equal(ChatRole.Assistant, next.Messages[0].Role);
    }

    [Fact]
    public async Task Chat_client_json_mode_and_schema_give_valid_json()
    {
        IChatClient client = fixture.Model.AsChatClient();
        var json = await client.GetResponseAsync("Reply in JSON", new ChatOptions { ResponseFormat = ChatResponseFormat.Json, MaxOutputTokens = 30, Temperature = 1.3f, Seed = 1 });
        Assert.Equal(JsonValueKind.Object, JsonDocument.Parse(json.Text).RootElement.ValueKind);
        var schema = JsonDocument.Parse("""{"type":"object","properties":{"n":{"type":"integer"}},"required":["n"]}""").RootElement;
        var typed = await client.GetResponseAsync("Count", new ChatOptions { ResponseFormat = ChatResponseFormat.ForJsonSchema(schema), MaxOutputTokens = 30, Temperature = 1.3f, Seed = 2 });
        Assert.Equal(JsonValueKind.Number, JsonDocument.Parse(typed.Text).RootElement.GetProperty("n").ValueKind);
    }
}

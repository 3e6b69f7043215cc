using System.Text.Json;
using Provocapi.Core.Chat;
using Provocapi.Core.Chat.Tools;
using Provocapi.Core.Generation;
using Provocapi.Engine.Sampling;

namespace Provocapi.Core.Tests.Chat.Tools;

/// <summary>Tools and JSON output through a real (random-weight) model: forced calls are always valid calls.</summary>
public sealed class ChatTurnTests(ModelFixture fixture) : IClassFixture<ModelFixture>
{
    // Small tools: the fixture model's context is 256 tokens, and the tools' text goes into the prompt.
    static readonly ChatTool Weather = new("get_weather", null, JsonDocument.Parse(
        """{"type":"object","properties":{"city":{"type":"string"},"unit":{"enum":["c","f"]}},"required":["city"]}""").RootElement);
    static readonly ChatTool Time = new("get_time", null, JsonDocument.Parse("""{"type":"object","properties":{"tz":{"type":"string"}},"required":["tz"]}""").RootElement);

    static readonly ChatMessageText[] Question = [new("user", "Weather in Oslo?")];

    async Task<ParsedReply> Run(ChatTurn turn, int seed, int maxTokens = 40)
    {
        var request = turn.Apply(new GenerationRequest
        {
            Prompt = turn.Prompt.Text,
            AddSpecialTokens = turn.Prompt.AddSpecialTokens,
            Sampling = new SamplingOptions { Temperature = 1.3f, Seed = seed },
            MaxTokens = maxTokens,
        });
        var result = await fixture.Model.GenerateTextAsync(request);
        return turn.Reply(result.Text);
    }

    [Fact]
    public async Task Required_gives_a_valid_call_to_an_offered_tool_every_time()
    {
        var turn = ChatTurn.Prepare(fixture.Model, Question, [Weather, Time], ToolChoice.Required);
        Assert.True(turn.IsForcedCall);
        Assert.EndsWith("<|im_start|>assistant\n<tool_call>\n", turn.Prompt.Text);
        Assert.Contains("\"get_time\"", turn.Prompt.Text);
        for (var seed = 0; seed < 5; seed++)
        {
            var call = Assert.Single((await Run(turn, seed)).Calls);
            Assert.Contains(call.Name, new[] { "get_weather", "get_time" });
            using var arguments = JsonDocument.Parse(call.Arguments);
            Assert.True(arguments.RootElement.TryGetProperty(call.Name == "get_weather" ? "city" : "tz", out var value));
            Assert.Equal(JsonValueKind.String, value.ValueKind);
        }
    }

    [Fact]
    public async Task A_named_function_is_the_one_called()
    {
        var turn = ChatTurn.Prepare(fixture.Model, Question, [Weather, Time], ToolChoice.Function("get_time"));
        for (var seed = 0; seed < 3; seed++) Assert.Equal("get_time", Assert.Single((await Run(turn, seed)).Calls).Name);
    }

    [Fact]
    public void Tool_choice_must_name_an_offered_tool_and_none_hides_the_tools()
    {
        Assert.Throws<ArgumentException>(() => ChatTurn.Prepare(fixture.Model, Question, [Weather], ToolChoice.Function("nope")));
        Assert.Throws<ArgumentException>(() => ChatTurn.Prepare(fixture.Model, Question, [], ToolChoice.Required));
        var none = ChatTurn.Prepare(fixture.Model, Question, [Weather], ToolChoice.None);
        Assert.DoesNotContain("get_weather", none.Prompt.Text);
        Assert.Null(none.Format);
    }

    [Fact]
    public void Streaming_shows_text_and_parses_calls_at_the_end()
    {
        var turn = ChatTurn.Prepare(fixture.Model, Question, [Weather]);
        var stream = turn.Stream();
        var shown = string.Concat(new[] { "Checking", " <to", "ol_call>\n{\"name\": \"get_weather\",", " \"arguments\": {\"city\": \"Oslo\"}}\n</tool_call>" }.Select(stream.Push));
        Assert.Equal("Checking ", shown);
        var rest = stream.Finish();
        Assert.Equal("get_weather", Assert.Single(rest.Calls).Name);
        Assert.Equal("", rest.Content);
    }

    [Fact]
    public void Calls_and_results_round_trip_through_ChatML()
    {
        var prompt = ChatPrompt.For(fixture.Model,
        [
            new("user", "Weather in Oslo?"),
            new("assistant", "") { ToolCalls = [new ChatToolCall("call_1", "get_weather", "{\"city\":\"Oslo\"}")] },
            new("tool", "{\"temp_c\": 4}") { ToolCallId = "call_1" },
        ], [Weather]);
        Assert.Contains("<|im_start|>assistant\n<tool_call>\n{\"name\":\"get_weather\",\"arguments\":{\"city\":\"Oslo\"}}\n</tool_call><|im_end|>", prompt.Text);
        Assert.Contains("<|im_start|>tool\n{\"temp_c\": 4}<|im_end|>", prompt.Text);
        Assert.StartsWith("<|im_start|>system\n# Tools", prompt.Text);
    }
}

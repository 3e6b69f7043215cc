using System.ClientModel;
using System.Text.Json;
using OpenAI.Chat;
using Provocapi.Tests;

namespace Provocapi.Host.Tests.Server;

/// <summary>Tools and JSON output over HTTP. The demo model has random weights, so whatever comes out is the constraint's doing.</summary>
[Collection(ServerCollection.Name)]
public sealed class ChatToolsTests(ServerFixture server)
{
    // Small: the demo model's context is 256 tokens and the tools' text goes into the prompt.
    static readonly object Weather = new
    {
        type = "function",
        function = new { name = "get_weather", parameters = new { type = "object", properties = new { city = new { type = "string" } }, required = new[] { "city" } } },
    };

    static readonly object[] Question = [new { role = "user", content = "Oslo?" }];

    async Task<HttpClient> Client()
    {
        await server.ReadyClientAsync();
        return server.ClientWithKey(server.CreateKey(ServerFixture.UniqueTenant("tools")));
    }

    [Fact]
    public async Task Json_mode_replies_parse_as_json_objects()
    {
        using var client = await Client();
        var body = await (await client.PostJsonAsync("/v1/chat/completions", new
        {
            model = "demo", messages = Question, max_tokens = 30, temperature = 1.2, seed = 3, n = 3, response_format = new { type = "json_object" },
        })).JsonAsync();
        foreach (var choice in body.GetProperty("choices").EnumerateArray())
        {
            using var reply = JsonDocument.Parse(choice.GetProperty("message").GetProperty("content").GetString()!);
            Assert.Equal(JsonValueKind.Object, reply.RootElement.ValueKind);
        }
    }

    [Fact]
    public async Task Json_schema_replies_validate_streamed_or_whole()
    {
        const string schema = """
            {"type":"object","properties":{"n":{"type":"integer","minimum":10,"exclusiveMaximum":100},"ok":{"type":"boolean"},"tag":{"enum":["a","b",null]},
             "code":{"type":"string","minLength":2,"maxLength":3},"p":{"type":"number","minimum":0.5,"exclusiveMaximum":1,"multipleOf":0.125}},"required":["n","ok","tag","code","p"]}
            """;
        using var client = await Client();
        // 56 tokens hold the shortest valid reply (48 bytes), so it must close in time.
        var request = """{"model":"demo","messages":[{"role":"user","content":"Go"}],"max_tokens":56,"temperature":1.5,"seed":7,"response_format":"""
            + """{"type":"json_schema","json_schema":{"name":"r","strict":true,"schema":""" + schema + "}}";
        var whole = await (await client.PostJsonAsync("/v1/chat/completions", request + "}")).JsonAsync();
        var events = await (await client.PostJsonAsync("/v1/chat/completions", request + ",\"stream\":true}")).EventsAsync();
        var streamed = string.Concat(events[..^1].Select(e => JsonDocument.Parse(e).RootElement.GetProperty("choices")[0].GetProperty("delta"))
            .Where(d => d.TryGetProperty("content", out _)).Select(d => d.GetProperty("content").GetString()));
        using var expected = JsonDocument.Parse(schema);
        foreach (var text in new[] { whole.GetProperty("choices")[0].GetProperty("message").GetProperty("content").GetString()!, streamed })
        {
            using var reply = JsonDocument.Parse(text);
            Assert.Null(SchemaValidator.Problem(reply.RootElement, expected.RootElement));
        }
    }

    [Fact]
    public async Task Required_tool_choice_returns_a_valid_call()
    {
        using var client = await Client();
        var body = await (await client.PostJsonAsync("/v1/chat/completions", new
        {
            model = "demo", messages = Question, max_tokens = 40, temperature = 1.0, seed = 1, tools = new[] { Weather }, tool_choice = "required",
        })).JsonAsync();
        var choice = body.GetProperty("choices")[0];
        Assert.Equal("tool_calls", choice.GetProperty("finish_reason").GetString());
        var message = choice.GetProperty("message");
        Assert.Equal(JsonValueKind.Null, message.GetProperty("content").ValueKind);
        var call = Assert.Single(message.GetProperty("tool_calls").EnumerateArray().ToList());
        Assert.StartsWith("call_", call.GetProperty("id").GetString());
        Assert.Equal("function", call.GetProperty("type").GetString());
        Assert.Equal("get_weather", call.GetProperty("function").GetProperty("name").GetString());
        using var arguments = JsonDocument.Parse(call.GetProperty("function").GetProperty("arguments").GetString()!);
        Assert.Equal(JsonValueKind.String, arguments.RootElement.GetProperty("city").ValueKind);
    }

    [Fact]
    public async Task Streamed_tool_calls_come_as_openai_deltas()
    {
        using var client = await Client();
        var events = await (await client.PostJsonAsync("/v1/chat/completions", new
        {
            model = "demo", messages = Question, max_tokens = 40, temperature = 1.0, seed = 2, stream = true, tools = new[] { Weather },
            tool_choice = new { type = "function", function = new { name = "get_weather" } },
        })).EventsAsync();
        Assert.Equal("[DONE]", events[^1]);
        var choices = events[..^1].Select(e => JsonDocument.Parse(e).RootElement.GetProperty("choices")[0]).ToList();
        var calls = choices.Select(c => c.GetProperty("delta")).Where(d => d.TryGetProperty("tool_calls", out _)).Select(d => d.GetProperty("tool_calls")[0]).ToList();
        Assert.Equal("get_weather", calls[0].GetProperty("function").GetProperty("name").GetString());
        Assert.Equal("function", calls[0].GetProperty("type").GetString());
        Assert.All(calls, c => Assert.Equal(0, c.GetProperty("index").GetInt32()));
        using var arguments = JsonDocument.Parse(string.Concat(calls.Select(c => c.GetProperty("function").GetProperty("arguments").GetString())));
        Assert.True(arguments.RootElement.TryGetProperty("city", out _));
        Assert.Equal("tool_calls", choices[^1].GetProperty("finish_reason").GetString());
        // The arguments stream as the model writes them, not in one piece at the end.
        Assert.True(calls.Count(c => c.GetProperty("function").GetProperty("arguments").GetString()!.Length > 0) > 1);
        Assert.Single(calls, c => c.TryGetProperty("id", out _));
    }

    [Fact]
    public async Task The_official_sdk_gets_calls_and_schema_output()
    {
        var chat = server.OpenAI(server.CreateKey(ServerFixture.UniqueTenant("tools"))).GetChatClient("demo");
        await server.ReadyClientAsync();
        var tool = ChatTool.CreateFunctionTool("get_weather", null, BinaryData.FromString("""{"type":"object","properties":{"city":{"type":"string"}},"required":["city"]}"""));
        var called = (await chat.CompleteChatAsync([new UserChatMessage("Oslo?")],
            new ChatCompletionOptions { Tools = { tool }, ToolChoice = ChatToolChoice.CreateRequiredChoice(), MaxOutputTokenCount = 40 })).Value;
        Assert.Equal(ChatFinishReason.ToolCalls, called.FinishReason);
        var call = Assert.Single(called.ToolCalls);
        Assert.Equal("get_weather", call.FunctionName);
        Assert.True(JsonDocument.Parse(call.FunctionArguments).RootElement.TryGetProperty("city", out _));

        // The call and its result go back in, as an agent loop sends them (without the tools: the demo model's context is small).
        var next = (await chat.CompleteChatAsync([new UserChatMessage("Oslo?"), new AssistantChatMessage(called), new ToolChatMessage(call.Id, "{\"temp_c\": 4}")],
            new ChatCompletionOptions { MaxOutputTokenCount = 5 })).Value;
        Assert.Equal(ChatMessageRole.Assistant, next.Role);

        var structured = (await chat.CompleteChatAsync([new UserChatMessage("Go")], new ChatCompletionOptions
        {
            ResponseFormat = ChatResponseFormat.CreateJsonSchemaFormat("r", BinaryData.FromString("""{"type":"object","properties":{"x":{"type":"number"}},"required":["x"]}"""), jsonSchemaIsStrict: true),
            MaxOutputTokenCount = 20,
        })).Value;
        Assert.Equal(JsonValueKind.Number, JsonDocument.Parse(structured.Content[0].Text).RootElement.GetProperty("x").ValueKind);
    }

    [Theory]
    [InlineData("""{"tools": {"type": "function"}}""", "tools", "invalid_type")]
    [InlineData("""{"tools": [{"type": "function", "function": {"name": "bad name!"}}]}""", "tools", "invalid_value")]
    [InlineData("""{"tools": [{"type": "retrieval"}]}""", "tools", "invalid_value")]
    [InlineData("""{"tool_choice": "sometimes"}""", "tool_choice", "invalid_value")]
    [InlineData("""{"tools": [{"type": "function", "function": {"name": "f"}}], "tool_choice": {"type": "function", "function": {"name": "g"}}}""", "tool_choice", "invalid_value")]
    [InlineData("""{"tool_choice": "required"}""", "tool_choice", "invalid_value")]
    [InlineData("""{"tools": [{"type": "function", "function": {"name": "f", "parameters": {"type": "object", "properties": {"a": {"type": "string", "pattern": "x"}}}}}], "tool_choice": "required"}""", "tools", "invalid_value")]
    [InlineData("""{"response_format": {"type": "xml"}}""", "response_format", "unsupported_value")]
    [InlineData("""{"response_format": {"type": "json_schema"}}""", "response_format", "invalid_value")]
    [InlineData("""{"response_format": {"type": "json_schema", "json_schema": {"name": "r", "schema": {"type": "string", "pattern": "^a"}}}}""", "response_format", "invalid_value")]
    [InlineData("""{"response_format": {"type": "json_schema", "json_schema": {"name": "r", "schema": {"type": "integer", "exclusiveMinimum": 999999999999999}}}}""", "response_format", "invalid_value")]
    public async Task Bad_tool_and_format_settings_are_400s_naming_the_param(string extra, string param, string code)
    {
        using var client = await Client();
        var body = """{"model": "demo", "messages": [{"role": "user", "content": "Hi"}], """ + extra[1..];
        using var response = await client.PostJsonAsync("/v1/chat/completions", body);
        await response.AssertErrorAsync(400, code, param);
    }

    [Theory]
    [InlineData("""[{"role": "assistant", "tool_calls": [{"id": "c1", "type": "function", "function": {"name": "f", "arguments": "{not json"}}]}]""", "invalid_value", "not a JSON object")]
    [InlineData("""[{"role": "assistant", "tool_calls": [{"id": "c1", "type": "function", "function": {"arguments": "{}"}}]}]""", "invalid_value", "'name'")]
    [InlineData("""[{"role": "user", "content": "Hi"}, {"role": "tool", "content": "4"}]""", "missing_required_parameter", "tool_call_id")]
    public async Task Malformed_tool_messages_are_400s_naming_messages(string messages, string code, string mentioned)
    {
        using var client = await Client();
        using var response = await client.PostJsonAsync("/v1/chat/completions", $$"""{"model": "demo", "messages": {{messages}}}""");
        var error = await response.AssertErrorAsync(400, code, "messages");
        Assert.Contains(mentioned, error.GetProperty("message").GetString());
    }
}

using Provocapi.Core.Chat.Tools;

namespace Provocapi.Core.Tests.Chat.Tools;

public class ToolCallFormatTests
{
    [Theory]
    [InlineData("{% for t in tools %}{% endfor %}<tool_call>", "hermes")]
    [InlineData("{{ '[TOOL_CALLS]' }}", "mistral")]
    [InlineData("<|start_header_id|>ipython<|end_header_id|>", "llama3_json")]
    [InlineData("{{ messages }}", "hermes")]
    public void The_format_is_read_from_the_template(string template, string name) => Assert.Equal(name, ToolCallFormat.Detect(template).Name);

    [Fact]
    public void Hermes_calls_are_parsed_with_the_text_around_them()
    {
        var reply = ToolCallFormat.Hermes.Parse(
            "Let me check.\n<tool_call>\n{\"name\": \"get_weather\", \"arguments\": {\"city\": \"Oslo\"}}\n</tool_call>\n<tool_call>\n{\"name\": \"get_time\", \"arguments\": \"{\\\"tz\\\": \\\"CET\\\"}\"}\n</tool_call>");
        Assert.Equal("Let me check.", reply.Content);
        Assert.Equal(["get_weather", "get_time"], reply.Calls.Select(c => c.Name));
        Assert.Equal("{\"city\":\"Oslo\"}", reply.Calls[0].Arguments);
        Assert.Equal("{\"tz\":\"CET\"}", reply.Calls[1].Arguments);
        Assert.All(reply.Calls, c => Assert.StartsWith("call_", c.Id));
        Assert.NotEqual(reply.Calls[0].Id, reply.Calls[1].Id);
    }

    [Theory]
    [InlineData("<tool_call>\n{\"name\": \"f\", \"arguments\": {\"a\": 1}}", 1)]
    [InlineData("<tool_call>{not json}</tool_call>", 0)]
    [InlineData("no calls here", 0)]
    [InlineData("<tool_call>{\"name\": \"\\udc00\", \"arguments\": {}}</tool_call>", 0)]
    [InlineData("<tool_call>{\"name\": \"f\", \"arguments\": \"\\udc00\"}</tool_call>", 0)]
    public void Hermes_without_a_closing_tag_or_with_bad_json(string text, int calls)
    {
        var reply = ToolCallFormat.Hermes.Parse(text);
        Assert.Equal(calls, reply.Calls.Count);
        if (calls == 0) Assert.Equal(text, reply.Content);
    }

    [Fact]
    public void Llama3_json_calls_use_parameters()
    {
        var reply = ToolCallFormat.Llama3.Parse(" {\"name\": \"get_weather\", \"parameters\": {\"city\": \"Oslo\"}}; {\"name\": \"f\", \"parameters\": {}}");
        Assert.Equal("", reply.Content);
        Assert.Equal(["get_weather", "f"], reply.Calls.Select(c => c.Name));
        Assert.Equal("{\"city\":\"Oslo\"}", reply.Calls[0].Arguments);
        Assert.Equal("The answer is {x}.", ToolCallFormat.Llama3.Parse("The answer is {x}.").Content);
        var sql = Assert.Single(ToolCallFormat.Llama3.Parse("{\"name\": \"sql\", \"parameters\": {\"q\": \"SELECT 1; SELECT '}'\"}}").Calls);
        Assert.Equal("{\"q\":\"SELECT 1; SELECT '}'\"}", sql.Arguments);
    }

    [Theory]
    [InlineData("Sure.[TOOL_CALLS][{\"name\": \"get_weather\", \"arguments\": {\"city\": \"Oslo\"}}]")]
    [InlineData("Sure.[TOOL_CALLS]get_weather[ARGS]{\"city\": \"Oslo\"}")]
    public void Mistral_calls_in_both_generations_of_its_format(string text)
    {
        var reply = ToolCallFormat.Mistral.Parse(text);
        Assert.Equal("Sure.", reply.Content);
        var call = Assert.Single(reply.Calls);
        Assert.Equal("get_weather", call.Name);
        Assert.Equal("{\"city\":\"Oslo\"}", call.Arguments);
        Assert.Matches("^[A-Za-z0-9]{9}$", call.Id);
    }

    [Theory]
    [InlineData("Hello <tool", 6, false)]
    [InlineData("Hello <tool_call>{", 6, true)]
    [InlineData("Hello world", -1, false)]
    public void Streaming_holds_back_what_may_start_a_marker(string text, int index, bool found) =>
        Assert.Equal((index, found), ToolCallFormat.Hermes.FindCalls(text, atReplyStart: false));
}

using System.Text.Json;
using Provocapi.Core.Chat;
using Provocapi.Core.Chat.Tools;

namespace Provocapi.Core.Tests.Chat.Tools;

/// <summary>Tool calls stream as they are written, as OpenAI streams them: named first, then their arguments piece by piece.</summary>
public sealed class ToolCallDeltaStreamTests
{
    static ChatTurn Turn(ToolCallFormat format, bool forced = false, bool parallel = true) =>
        new(new ChatPrompt("", [], false, []), null, format, forced, parallel, ["get_weather", "get_time", "f", "g"]);

    /// <summary>Pushes the reply one character at a time (the hardest split), then finishes it.</summary>
    static (string Text, List<(int Step, ChatToolCallDelta Delta)> Calls, bool Complete) Stream(ChatTurn turn, string reply)
    {
        var stream = new ToolCallDeltaStream(turn);
        var text = "";
        var calls = new List<(int, ChatToolCallDelta)>();
        for (var i = 0; i < reply.Length; i++)
        {
            var (shown, deltas) = stream.Push(reply[i].ToString());
            text += shown;
            calls.AddRange(deltas.Select(d => (i, d)));
        }
        var (rest, last, complete) = stream.Finish();
        calls.AddRange(last.Select(d => (reply.Length, d)));
        return (text + rest, calls, complete);
    }

    /// <summary>Each call as the client puts it together: its id, name and concatenated arguments.</summary>
    static List<(string Id, string Name, string Arguments)> Assemble(IEnumerable<ChatToolCallDelta> deltas) =>
        deltas.GroupBy(d => d.Index).OrderBy(g => g.Key)
            .Select(g => (g.First().Id!, g.First().Name!, string.Concat(g.Select(d => d.Arguments)))).ToList();

    [Fact]
    public void Hermes_calls_are_named_then_their_arguments_stream_before_the_reply_ends()
    {
        const string reply = "Let me check. <tool_call>\n{\"name\": \"get_weather\", \"arguments\": {\"city\": \"Oslo\", \"days\": [1, 2]}}\n</tool_call>\n" +
                             "<tool_call>\n{\"name\": \"get_time\", \"arguments\": {\"tz\": \"Europe/Oslo\"}}\n</tool_call>";
        var (text, calls, _) = Stream(Turn(ToolCallFormat.Hermes), reply);

        Assert.Equal("Let me check. ", text);
        var assembled = Assemble(calls.Select(c => c.Delta));
        Assert.Equal(["get_weather", "get_time"], assembled.Select(c => c.Name));
        Assert.Equal("{\"city\": \"Oslo\", \"days\": [1, 2]}", assembled[0].Arguments);
        Assert.Equal("{\"tz\": \"Europe/Oslo\"}", assembled[1].Arguments);
        Assert.All(assembled, c => Assert.StartsWith("call_", c.Id));
        Assert.NotEqual(assembled[0].Id, assembled[1].Id);

        // Streamed as written: the first call is named once its name is whole, its arguments grow with the reply,
        // and it is complete long before the second call begins.
        var nameWhole = reply.IndexOf("get_weather\"", StringComparison.Ordinal) + "get_weather\"".Length - 1;
        Assert.Equal(nameWhole, calls.First(c => c.Delta.Name == "get_weather").Step);
        Assert.True(calls.Count(c => c.Delta.Index == 0 && c.Delta.Arguments.Length > 0) > 10);
        var firstDone = reply.IndexOf("]}}", StringComparison.Ordinal) + 1;
        Assert.True(calls.Where(c => c.Delta.Index == 0).Max(c => c.Step) <= firstDone);
        Assert.True(calls.Where(c => c.Delta.Index == 1).Min(c => c.Step) < reply.Length);
    }

    [Fact]
    public void A_name_written_after_the_arguments_is_sent_first_and_string_arguments_come_whole_at_the_end()
    {
        var (_, calls, _) = Stream(Turn(ToolCallFormat.Hermes),
            "<tool_call>{\"arguments\": {\"a\": \"}\"}, \"name\": \"f\"}</tool_call><tool_call>{\"name\": \"g\", \"arguments\": \"{\\\"b\\\": 1}\"}</tool_call>");
        var assembled = Assemble(calls.Select(c => c.Delta));
        Assert.Equal(("f", "{\"a\": \"}\"}"), (assembled[0].Name, assembled[0].Arguments));
        Assert.Equal(("g", "{\"b\":1}"), (assembled[1].Name, assembled[1].Arguments));
        // f's arguments, written before its name, go out together with the name.
        Assert.Equal(calls.First(c => c.Delta.Name == "f").Step, calls.First(c => c.Delta.Index == 0 && c.Delta.Arguments.Length > 0).Step);
    }

    [Theory]
    [InlineData("{\"name\": \"f\", \"arguments\": {\"a\": 1}, \"name\": \"g\"}", "f", "{\"a\":1}")]
    [InlineData("{\"name\": \"f\", \"arguments\": {\"a\": 1}, \"arguments\": {\"b\": 2}}", "f", "{\"a\":1}")]
    [InlineData("{\"name\": \"f\", \"parameters\": {\"a\": 1}, \"arguments\": {\"b\": 2}}", "f", "{\"a\":1}")]
    [InlineData("{\"name\": \"f\", \"arguments\": \"{\\\"a\\\": 1}\", \"parameters\": {\"b\": 2}}", "f", "{\"a\":1}")]
    [InlineData("{\"name\": 5, \"name\": \"f\", \"arguments\": {}}", null, null)]
    // Llama 3 writes "parameters", but a call that writes "arguments" first takes those.
    [InlineData("<|python_tag|>{\"name\": \"f\", \"arguments\": {\"a\": 1}, \"parameters\": {\"b\": 2}}", "f", "{\"a\":1}")]
    public void Of_keys_written_twice_the_stream_and_the_parser_both_take_the_first(string call, string? name, string? arguments)
    {
        var isLlama3 = call.StartsWith("<|python_tag|>", StringComparison.Ordinal);
        var turn = Turn(isLlama3 ? ToolCallFormat.Llama3 : ToolCallFormat.Hermes);
        var reply = isLlama3 ? call : $"<tool_call>{call}</tool_call>";
        var (text, calls, _) = Stream(turn, reply);
        var parsed = turn.Reply(reply);
        var assembled = Assemble(calls.Select(c => c.Delta));
        if (name == null)
        {
            // Not a call: both show the reply as text.
            Assert.Empty(assembled);
            Assert.Empty(parsed.Calls);
            Assert.Equal(reply, text);
            Assert.Equal(reply, parsed.Content);
            return;
        }
        Assert.Equal(name, Assert.Single(parsed.Calls).Name);
        Assert.Equal(name, Assert.Single(assembled).Name);
        Assert.Equal(arguments, parsed.Calls[0].Arguments);
        Assert.Equal(arguments, JsonSerializer.Serialize(JsonDocument.Parse(assembled[0].Arguments).RootElement));
    }

    [Theory]
    [InlineData("llama3", "<|python_tag|>{\"name\": \"f\", \"parameters\": {\"x\": 1}}; {\"name\": \"g\", \"parameters\": {}}")]
    [InlineData("mistral", "Sure.[TOOL_CALLS][{\"name\": \"f\", \"arguments\": {\"x\": 1}}, {\"name\": \"g\", \"arguments\": {}}]")]
    [InlineData("mistral-args", "[TOOL_CALLS]f[ARGS]{\"x\": 1}[TOOL_CALLS]g[ARGS]{}")]
    public void Each_format_gives_the_calls_its_parser_finds(string format, string reply)
    {
        var turn = Turn(format == "llama3" ? ToolCallFormat.Llama3 : ToolCallFormat.Mistral);
        var (text, calls, _) = Stream(turn, reply);
        var parsed = turn.Reply(reply);
        Assert.Equal(parsed.Content, text.Trim());
        var assembled = Assemble(calls.Select(c => c.Delta));
        Assert.Equal(parsed.Calls.Select(c => c.Name), assembled.Select(c => c.Name));
        for (var i = 0; i < assembled.Count; i++)
            Assert.Equal(JsonSerializer.Serialize(JsonDocument.Parse(parsed.Calls[i].Arguments)), JsonSerializer.Serialize(JsonDocument.Parse(assembled[i].Arguments)));
        // The JSON forms stream before the reply ends; Mistral's name[ARGS] form comes whole at the end.
        Assert.Equal(format != "mistral-args", calls.Any(c => c.Step < reply.Length));
        if (format == "mistral-args") Assert.All(calls, c => Assert.Equal(reply.Length, c.Step));
    }

    [Fact]
    public void A_forced_call_streams_from_the_first_character_and_only_one_call_streams_without_parallel_calls()
    {
        var (_, forced, _) = Stream(Turn(ToolCallFormat.Hermes, forced: true), "{\"name\": \"f\", \"arguments\": {\"x\": 1}}");
        Assert.Equal(("f", "{\"x\": 1}"), Assemble(forced.Select(c => c.Delta)).Select(c => (c.Name, c.Arguments)).Single());

        var (_, single, _) = Stream(Turn(ToolCallFormat.Hermes, parallel: false),
            "<tool_call>{\"name\": \"f\", \"arguments\": {}}</tool_call><tool_call>{\"name\": \"g\", \"arguments\": {}}</tool_call>");
        Assert.Equal("f", Assemble(single.Select(c => c.Delta)).Single().Name);
    }

    [Fact]
    public void A_reply_cut_short_in_a_call_keeps_what_was_sent_and_shows_no_text_for_it()
    {
        var (text, calls, complete) = Stream(Turn(ToolCallFormat.Hermes), "Hi <tool_call>{\"name\": \"f\", \"arguments\": {\"x\": [1, 2");
        Assert.False(complete);
        Assert.Equal("Hi ", text);
        var call = Assemble(calls.Select(c => c.Delta)).Single();
        Assert.Equal(("f", "{\"x\": [1, 2"), (call.Name, call.Arguments));

        // Arguments that never close are read no further than the call's closing tag.
        var (_, unclosed, _) = Stream(Turn(ToolCallFormat.Hermes),
            "<tool_call>{\"name\": \"f\", \"arguments\": {\"x\": 1</tool_call><tool_call>{\"name\": \"g\", \"arguments\": {}}</tool_call>");
        Assert.Equal(("f", "{\"x\": 1"), Assemble(unclosed.Select(c => c.Delta)).Select(c => (c.Name, c.Arguments)).Single());

        // A whole call is complete even when the reply ended with it.
        Assert.True(Stream(Turn(ToolCallFormat.Hermes, forced: true), "{\"name\": \"f\", \"arguments\": {}}").Complete);
    }

    [Fact]
    public void Text_that_names_no_offered_function_is_not_streamed_as_a_call()
    {
        // Not JSON: the whole reply's parser decides, and text that is no call stays text.
        var (notCall, none, _) = Stream(Turn(ToolCallFormat.Hermes), "Hi <tool_call>not json</tool_call>");
        Assert.Empty(none);
        Assert.Equal("Hi <tool_call>not json</tool_call>", notCall);

        // A name no tool has: nothing streams; the parser reads the reply as text, as it does unstreamed.
        const string reply = "{\"name\": \"Alice\"} is your name";
        var turn = Turn(ToolCallFormat.Llama3);
        var (text, calls, _) = Stream(turn, reply);
        Assert.Empty(calls);
        Assert.Equal(turn.Reply(reply).Content, text);
    }
}

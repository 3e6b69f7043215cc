using System.Text.Json;
using Provocapi.Core.Chat.Templates;
using Provocapi.Core.Chat.Tools;
using Provocapi.Engine.Tokenizers;

namespace Provocapi.Core.Chat;

/// <summary>
/// A conversation rendered in a model's prompt format: by the model's own chat template when it has one (which
/// writes BOS itself, so tokenizing must not add it again), else as ChatML, whose end-of-turn string stops generation.
/// <see cref="Literal"/> holds where the request wrote control-token text, which tokenizes as text (<see cref="UserControlText"/>).
/// </summary>
public sealed record ChatPrompt(string Text, IReadOnlyList<string> StopStrings, bool AddSpecialTokens, IReadOnlyList<Range> Literal)
{
    /// <summary>The prompt's tokens: the control tokens the format writes, and the request's control-token text as text.</summary>
    public int[] Tokenize(Tokenizer tokenizer) => tokenizer.Encode(Text, AddSpecialTokens, parseSpecial: true, Literal);

    /// <summary>Renders <paramref name="messages"/> for <paramref name="model"/>, ending with the assistant's opening and then <paramref name="prefill"/>.</summary>
    /// <param name="tools">Functions offered to the model, passed to the template as <c>tools</c>.</param>
    /// <exception cref="ChatTemplateException">The model's template refused the conversation (it raised, say, on roles that do not alternate).</exception>
    public static ChatPrompt For(LoadedModel model, IEnumerable<ChatMessageText> messages, IReadOnlyList<ChatTool>? tools = null, string prefill = "")
    {
        var tokenizer = model.Model.Tokenizer;
        if (model.ChatTemplate is not { } template)
        {
            // ChatML writes tools and calls as escaped JSON (no raw "<"), so only the turns' roles and text need marks.
            var marked = messages.Select(m => m with { Role = UserControlText.Mark(m.Role, tokenizer), Content = UserControlText.Mark(m.Content, tokenizer) });
            var chatMl = UserControlText.Unmark(ChatMlPrompt.Render(marked, tools), tokenizer, out var literal);
            return new ChatPrompt(chatMl + prefill, [ChatMlPrompt.EndOfTurn], AddSpecialTokens: true, literal);
        }
        if (tools is { Count: > 0 } offered)
        {
            // A model with a separate tool-use template (Hermes, Command R) wants it whenever tools are offered.
            if (model.ToolUseChatTemplate is { } toolUse) template = toolUse;
            else if (!model.Model.ChatTemplate!.Contains("tools", StringComparison.Ordinal))
            {
                // The template has no place for tools: offer them, and write past calls, in a system message as ChatML does.
                messages = WithToolsInText(messages, offered);
                tools = null;
            }
        }
        var variables = new Dictionary<string, object?>
        {
            ["messages"] = UserControlText.MarkAll(messages.Select(TemplateValue).ToList(), tokenizer),
            ["add_generation_prompt"] = true,
            ["bos_token"] = tokenizer.BosId is { } bos ? tokenizer.TokenText(bos) : "",
            ["eos_token"] = tokenizer.EosId is { } eos ? tokenizer.TokenText(eos) : "",
        };
        if (tools is { Count: > 0 }) variables["tools"] = UserControlText.MarkAll(tools.Select(t => t.ToTemplateValue()).ToList(), tokenizer);
        var text = UserControlText.Unmark(template.Render(variables), tokenizer, out var literalRanges);
        return new ChatPrompt(text + prefill, [], AddSpecialTokens: false, literalRanges);
    }

    static List<ChatMessageText> WithToolsInText(IEnumerable<ChatMessageText> messages, IReadOnlyList<ChatTool> tools)
    {
        var list = messages.Select(m => m.ToolCalls.Count > 0 ? m with { Content = ChatMlPrompt.WithCalls(m), ToolCalls = [] } : m).ToList();
        var toolsText = ChatMlPrompt.ToolsText(tools);
        if (list.Count > 0 && list[0].Role == "system") list[0] = list[0] with { Content = list[0].Content + toolsText };
        else list.Insert(0, new ChatMessageText("system", toolsText.TrimStart()));
        return list;
    }

    /// <summary>A message as Hugging Face templates expect it: a tool call's arguments as an object, not the API's JSON string.</summary>
    static object? TemplateValue(ChatMessageText message)
    {
        var value = new Dictionary<string, object?> { ["role"] = message.Role, ["content"] = message.Content };
        if (message.ToolCalls.Count > 0)
            value["tool_calls"] = message.ToolCalls.Select(c => (object?)new Dictionary<string, object?>
            {
                ["id"] = c.Id,
                ["type"] = "function",
                ["function"] = new Dictionary<string, object?> { ["name"] = c.Name, ["arguments"] = ArgumentsValue(c.Arguments) },
            }).ToList();
        if (message.ToolCallId != null) value["tool_call_id"] = message.ToolCallId;
        if (message.Name != null) value["name"] = message.Name;
        return value;
    }

    static object? ArgumentsValue(string arguments)
    {
        try
        {
            using var json = JsonDocument.Parse(arguments);
            return ChatTemplateValues.FromJson(json.RootElement);
        }
        catch (JsonException) { return arguments; }
    }
}

using System.Text;
using System.Text.Json;
using Provocapi.Core.Chat.Tools;

namespace Provocapi.Core.Chat;

/// <summary>
/// The ChatML prompt format (OpenAI's, used by Qwen and many fine-tunes): the fallback for models that ship no
/// chat template. Each turn is <c>&lt;|im_start|&gt;role\ncontent&lt;|im_end|&gt;\n</c>, then the assistant's opening.
/// Tools are offered and calls written the Hermes way, as Qwen's own template does.
/// </summary>
public static class ChatMlPrompt
{
    public const string EndOfTurn = "<|im_end|>";

    public static string Render(IEnumerable<ChatMessageText> messages, IReadOnlyList<ChatTool>? tools = null, bool addGenerationPrompt = true)
    {
        var prompt = new StringBuilder();
        var list = messages.ToList();
        var toolsText = tools is { Count: > 0 } ? ToolsText(tools) : null;
        if (toolsText != null && (list.Count == 0 || list[0].Role != "system")) Turn(prompt, "system", toolsText.TrimStart());
        for (var i = 0; i < list.Count; i++)
        {
            var m = list[i];
            var content = WithCalls(m);
            Turn(prompt, m.Role, i == 0 && m.Role == "system" && toolsText != null ? content + toolsText : content);
        }
        if (addGenerationPrompt) prompt.Append("<|im_start|>assistant\n");
        return prompt.ToString();
    }

    static void Turn(StringBuilder prompt, string role, string content) =>
        prompt.Append("<|im_start|>").Append(role).Append('\n').Append(content).Append(EndOfTurn).Append('\n');

    /// <summary>An assistant turn's text with its tool calls written after it, the Hermes way.</summary>
    internal static string WithCalls(ChatMessageText message)
    {
        var content = new StringBuilder(message.Content);
        foreach (var call in message.ToolCalls)
            content.Append(content.Length > 0 ? "\n" : "").Append("<tool_call>\n")
                .Append(JsonSerializer.Serialize(new { name = call.Name, arguments = JsonSerializer.Deserialize<JsonElement>(call.Arguments) })).Append("\n</tool_call>");
        return content.ToString();
    }

    /// <summary>Tools offered in a system message, as Qwen 2.5's template writes them.</summary>
    internal static string ToolsText(IReadOnlyList<ChatTool> tools)
    {
        var text = new StringBuilder("\n\n# Tools\n\nYou may call one or more functions to assist with the user query.\n\n")
            .Append("You are provided with function signatures within <tools></tools> XML tags:\n<tools>\n");
        foreach (var tool in tools) text.Append(JsonSerializer.Serialize(tool.ToTemplateValue())).Append('\n');
        return text.Append("</tools>\n\nFor each function call, return a json object with function name and arguments within <tool_call></tool_call> XML tags:\n")
            .Append("<tool_call>\n{\"name\": <function-name>, \"arguments\": <args-json-object>}\n</tool_call>").ToString();
    }
}

using System.Text.Json;
using Provocapi.Core.Chat;
using Provocapi.Host.Modules.Inference.Serving;
using Provocapi.Host.Platform.Errors;
using Provocapi.Host.Platform.Json;

namespace Provocapi.Host.Modules.Inference.ChatCompletions;

/// <summary><c>POST /v1/chat/completions</c>'s body.</summary>
public sealed record ChatCompletionRequest : GenerationParameters
{
    public IReadOnlyList<ChatMessageInput>? Messages { get; init; }
    public bool? Logprobs { get; init; }
    public int? TopLogprobs { get; init; }
    public JsonElement? Tools { get; init; }
    public JsonElement? ToolChoice { get; init; }
    public bool? ParallelToolCalls { get; init; }
    public JsonElement? ResponseFormat { get; init; }

    static readonly HashSet<string> Roles = ["system", "developer", "user", "assistant", "tool"];

    /// <summary>The conversation as role and text, validated; <c>developer</c> is the newer name for <c>system</c>.</summary>
    public IReadOnlyList<ChatMessageText> ConversationText()
    {
        if (Messages is not { Count: > 0 } messages)
            throw ApiException.BadRequest("'messages' must be a non-empty array of {role, content} objects.", "messages", Messages == null ? "missing_required_parameter" : "invalid_value");
        var conversation = new List<ChatMessageText>(messages.Count);
        for (var i = 0; i < messages.Count; i++)
        {
            var message = messages[i] ?? throw ApiException.BadRequest($"Invalid 'messages[{i}]': expected an object.", "messages", "invalid_type");
            if (message.Role is not { } role || !Roles.Contains(role))
                throw ApiException.BadRequest(
                    $"Invalid 'messages[{i}].role': {(message.Role == null ? "missing" : $"'{message.Role}'")}. Supported roles: system, developer, user, assistant, tool.",
                    "messages", "invalid_value");
            if (role == "tool" && string.IsNullOrEmpty(message.ToolCallId))
                throw ApiException.BadRequest($"Invalid 'messages[{i}]': a 'tool' message needs the 'tool_call_id' it answers.", "messages", "missing_required_parameter");
            conversation.Add(new ChatMessageText(role == "developer" ? "system" : role, Text(message.Content, i))
            {
                ToolCalls = role == "assistant" ? ChatToolsRequest.Calls(message.ToolCalls, i) : [],
                ToolCallId = role == "tool" ? message.ToolCallId : null,
                Name = role == "tool" ? message.Name : null,
            });
        }
        return conversation;
    }

    /// <summary>Content as a string, null, or an array of text parts (joined); other parts are refused.</summary>
    static string Text(JsonElement? content, int index)
    {
        if (content is not { } c || c.ValueKind == JsonValueKind.Null) return "";
        if (c.ValueKind == JsonValueKind.String) return c.Text("messages");
        if (c.ValueKind != JsonValueKind.Array)
            throw ApiException.BadRequest($"Invalid type for 'messages[{index}].content': expected a string or an array of content parts.", "messages", "invalid_type");
        var text = new System.Text.StringBuilder();
        foreach (var part in c.EnumerateArray())
        {
            if (part.ValueKind != JsonValueKind.Object || !part.TryGetProperty("type", out var type) || type.ValueKind != JsonValueKind.String)
                throw ApiException.BadRequest($"Invalid 'messages[{index}].content': each part must be an object with a 'type'.", "messages", "invalid_type");
            if (type.Text("messages") != "text")
                throw ApiException.BadRequest($"Invalid 'messages[{index}].content': content parts of type '{type.Text("messages")}' are not supported (text only).", "messages", "unsupported_value");
            if (!part.TryGetProperty("text", out var value) || value.ValueKind != JsonValueKind.String)
                throw ApiException.BadRequest($"Invalid 'messages[{index}].content': a text part needs a 'text' string.", "messages", "invalid_type");
            text.Append(value.Text("messages"));
        }
        return text.ToString();
    }

    public override int? RequestedTopLogprobs() => Logprobs == true ? TopLogprobs ?? 0 : null;

    public override void RejectUnsupported()
    {
        base.RejectUnsupported();
        if (TopLogprobs is { } top && (top is < 0 or > 20))
            throw ApiException.BadRequest($"Invalid 'top_logprobs': {top}. It must be between 0 and 20.", "top_logprobs", "invalid_value");
        if (TopLogprobs != null && Logprobs != true)
            throw ApiException.BadRequest("'top_logprobs' needs 'logprobs' set to true.", "top_logprobs", "invalid_value");
    }
}

public sealed record ChatMessageInput
{
    public string? Role { get; init; }
    /// <summary>A string, null, or an array of content parts.</summary>
    public JsonElement? Content { get; init; }
    public string? Name { get; init; }
    /// <summary>An assistant's calls: <c>[{"id", "type": "function", "function": {"name", "arguments"}}]</c>.</summary>
    public JsonElement? ToolCalls { get; init; }
    /// <summary>On a <c>tool</c> message, the call it answers.</summary>
    public string? ToolCallId { get; init; }
}

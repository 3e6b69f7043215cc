using Provocapi.Core.Chat.Tools;

namespace Provocapi.Core.Chat;

/// <summary>
/// A chat turn reduced to what a prompt format needs: a role and its text, plus an assistant's tool calls or, for a
/// <c>tool</c> turn, the call it answers.
/// </summary>
public sealed record ChatMessageText(string Role, string Content)
{
    public IReadOnlyList<ChatToolCall> ToolCalls { get; init; } = [];
    public string? ToolCallId { get; init; }
    /// <summary>The tool's name on a <c>tool</c> turn.</summary>
    public string? Name { get; init; }
}

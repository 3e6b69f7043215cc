namespace Provocapi.Core.Chat.Tools;

public enum ToolChoiceMode { Auto, None, Required, Function }

/// <summary>Whether the model may call tools (auto), must not (none), must call one (required) or must call <see cref="FunctionName"/>.</summary>
public sealed record ToolChoice(ToolChoiceMode Mode, string? FunctionName = null)
{
    public static ToolChoice Auto { get; } = new(ToolChoiceMode.Auto);
    public static ToolChoice None { get; } = new(ToolChoiceMode.None);
    public static ToolChoice Required { get; } = new(ToolChoiceMode.Required);
    public static ToolChoice Function(string name) => new(ToolChoiceMode.Function, name);

    /// <summary>The reply must be a call; enforced by constrained decoding.</summary>
    public bool IsForced => Mode is ToolChoiceMode.Required or ToolChoiceMode.Function;
}

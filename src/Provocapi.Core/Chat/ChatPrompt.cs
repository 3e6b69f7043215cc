namespace Provocapi.Core.Chat;

/// <summary>A conversation rendered in a model's prompt format, with the strings that end the assistant's turn.</summary>
public sealed record ChatPrompt(string Text, IReadOnlyList<string> StopStrings)
{
    /// <summary>Renders <paramref name="messages"/> for <paramref name="model"/>, ending with the assistant's opening.</summary>
    public static ChatPrompt For(LoadedModel model, IEnumerable<ChatMessageText> messages) =>
        new(ChatMlPrompt.Render(messages), [ChatMlPrompt.EndOfTurn]);
}

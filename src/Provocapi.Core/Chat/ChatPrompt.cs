using Provocapi.Core.Chat.Templates;

namespace Provocapi.Core.Chat;

/// <summary>
/// A conversation rendered in a model's prompt format: by the model's own chat template when it has one (which
/// writes BOS itself, so tokenizing must not add it again), else as ChatML, whose end-of-turn string stops generation.
/// </summary>
public sealed record ChatPrompt(string Text, IReadOnlyList<string> StopStrings, bool AddSpecialTokens)
{
    /// <summary>Renders <paramref name="messages"/> for <paramref name="model"/>, ending with the assistant's opening.</summary>
    /// <exception cref="ChatTemplateException">The model's template refused the conversation (it raised, say, on roles that do not alternate).</exception>
    public static ChatPrompt For(LoadedModel model, IEnumerable<ChatMessageText> messages)
    {
        if (model.ChatTemplate is not { } template)
            return new ChatPrompt(ChatMlPrompt.Render(messages), [ChatMlPrompt.EndOfTurn], AddSpecialTokens: true);
        var tokenizer = model.Model.Tokenizer;
        var text = template.Render(new Dictionary<string, object?>
        {
            ["messages"] = messages.Select(m => (object?)new Dictionary<string, object?> { ["role"] = m.Role, ["content"] = m.Content }).ToList(),
            ["add_generation_prompt"] = true,
            ["bos_token"] = tokenizer.BosId is { } bos ? tokenizer.TokenText(bos) : "",
            ["eos_token"] = tokenizer.EosId is { } eos ? tokenizer.TokenText(eos) : "",
        });
        return new ChatPrompt(text, [], AddSpecialTokens: false);
    }
}

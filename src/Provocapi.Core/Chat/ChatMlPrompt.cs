using System.Text;

namespace Provocapi.Core.Chat;

/// <summary>
/// The ChatML prompt format (OpenAI's, used by Qwen and many fine-tunes): the fallback for models that ship no
/// chat template. Each turn is <c>&lt;|im_start|&gt;role\ncontent&lt;|im_end|&gt;\n</c>, then the assistant's opening.
/// </summary>
public static class ChatMlPrompt
{
    public const string EndOfTurn = "<|im_end|>";

    public static string Render(IEnumerable<ChatMessageText> messages, bool addGenerationPrompt = true)
    {
        var prompt = new StringBuilder();
        foreach (var m in messages)
            prompt.Append("<|im_start|>").Append(m.Role).Append('\n').Append(m.Content).Append(EndOfTurn).Append('\n');
        if (addGenerationPrompt) prompt.Append("<|im_start|>assistant\n");
        return prompt.ToString();
    }
}

using Provocapi.Core.Generation;

namespace Provocapi.Host.Modules.Inference.Serving;

/// <summary>Token counts of a response, as OpenAI reports them.</summary>
public sealed record Usage(int PromptTokens, int CompletionTokens, int TotalTokens)
{
    /// <summary>
    /// The usage of <paramref name="choicesPerPrompt"/> choices for each of several prompts (results in prompt-major
    /// order): each prompt counts once, however many choices it has, as OpenAI counts it.
    /// </summary>
    public static Usage Of(IReadOnlyList<GenerationResult> results, int choicesPerPrompt)
    {
        int prompt = 0, completion = 0;
        for (var i = 0; i < results.Count; i++)
        {
            if (i % choicesPerPrompt == 0) prompt += results[i].PromptTokens;
            completion += results[i].CompletionTokens;
        }
        return new Usage(prompt, completion, prompt + completion);
    }
}

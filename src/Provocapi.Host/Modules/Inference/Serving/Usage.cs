using Provocapi.Core.Generation;

namespace Provocapi.Host.Modules.Inference.Serving;

/// <summary>Token counts of a response, as OpenAI reports them.</summary>
public sealed record Usage(int PromptTokens, int CompletionTokens, int TotalTokens)
{
    /// <summary>Several choices of one prompt: the prompt counts once, as OpenAI counts it.</summary>
    public static Usage OfChoices(IReadOnlyList<GenerationResult> choices)
    {
        var completion = choices.Sum(c => c.CompletionTokens);
        return new Usage(choices[0].PromptTokens, completion, choices[0].PromptTokens + completion);
    }

    public static Usage Of(IEnumerable<GenerationResult> results)
    {
        int prompt = 0, completion = 0;
        foreach (var r in results)
        {
            prompt += r.PromptTokens;
            completion += r.CompletionTokens;
        }
        return new Usage(prompt, completion, prompt + completion);
    }
}

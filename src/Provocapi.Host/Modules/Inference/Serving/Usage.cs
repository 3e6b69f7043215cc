using Provocapi.Core.Generation;

namespace Provocapi.Host.Modules.Inference.Serving;

/// <summary>Token counts of a response, as OpenAI reports them.</summary>
public sealed record Usage(int PromptTokens, int CompletionTokens, int TotalTokens)
{
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

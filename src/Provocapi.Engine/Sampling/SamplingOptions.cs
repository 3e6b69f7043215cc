namespace Provocapi.Engine.Sampling;

/// <summary>
/// How the next token is picked from the logits. Temperature 0 is greedy. Penalties follow vLLM: repetition
/// (CTRL's divide-or-multiply) over prompt and output, presence and frequency (OpenAI's) over the output only.
/// </summary>
public sealed record SamplingOptions
{
    public float Temperature { get; init; } = 1f;
    public float TopP { get; init; } = 1f;
    /// <summary>0 keeps every token.</summary>
    public int TopK { get; init; }
    public float MinP { get; init; }
    public long? Seed { get; init; }
    public float RepetitionPenalty { get; init; } = 1f;
    public float PresencePenalty { get; init; }
    public float FrequencyPenalty { get; init; }
    /// <summary>OpenAI's logit_bias: added to a token's logit before sampling (−100 bans it, +100 all but forces it).</summary>
    public IReadOnlyDictionary<int, float>? LogitBias { get; init; }

    public static SamplingOptions Greedy { get; } = new() { Temperature = 0 };

    /// <summary>The first invalid setting as (parameter, message), or null; the API maps it to a 400 naming the parameter.</summary>
    public (string Param, string Message)? Validate()
    {
        if (!(Temperature >= 0 && Temperature <= 2)) return ("temperature", "temperature must be between 0 and 2");
        if (!(TopP > 0 && TopP <= 1)) return ("top_p", "top_p must be greater than 0 and at most 1");
        if (TopK < 0) return ("top_k", "top_k must be 0 (off) or positive");
        if (!(MinP >= 0 && MinP <= 1)) return ("min_p", "min_p must be between 0 and 1");
        if (!(RepetitionPenalty > 0 && RepetitionPenalty <= 10)) return ("repetition_penalty", "repetition_penalty must be greater than 0 and at most 10");
        if (!(PresencePenalty >= -2 && PresencePenalty <= 2)) return ("presence_penalty", "presence_penalty must be between -2 and 2");
        if (!(FrequencyPenalty >= -2 && FrequencyPenalty <= 2)) return ("frequency_penalty", "frequency_penalty must be between -2 and 2");
        if (LogitBias != null)
            foreach (var (token, bias) in LogitBias)
            {
                if (token < 0) return ("logit_bias", $"logit_bias has the negative token id {token}");
                if (!(bias >= -100 && bias <= 100)) return ("logit_bias", $"logit_bias for token {token} must be between -100 and 100");
            }
        return null;
    }
}

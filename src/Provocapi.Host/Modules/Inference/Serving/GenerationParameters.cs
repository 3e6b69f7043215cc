using System.Text.Json;
using Provocapi.Engine.Sampling;
using Provocapi.Host.Platform.Errors;
using Provocapi.Host.Platform.Json;

namespace Provocapi.Host.Modules.Inference.Serving;

/// <summary>The request fields chat and legacy completions share, with their validation (a 400 naming the param).</summary>
public abstract record GenerationParameters
{
    public string? Model { get; init; }
    public bool? Stream { get; init; }
    public StreamOptions? StreamOptions { get; init; }
    public int? MaxTokens { get; init; }
    public int? MaxCompletionTokens { get; init; }
    public float? Temperature { get; init; }
    public float? TopP { get; init; }
    /// <summary>vLLM's extensions: top_k, min_p, repetition_penalty.</summary>
    public int? TopK { get; init; }
    public float? MinP { get; init; }
    public float? RepetitionPenalty { get; init; }
    public float? PresencePenalty { get; init; }
    public float? FrequencyPenalty { get; init; }
    /// <summary>A string or up to 4 strings.</summary>
    public JsonElement? Stop { get; init; }
    public long? Seed { get; init; }
    public string? User { get; init; }
    public int? N { get; init; }
    public JsonElement? LogitBias { get; init; }

    public bool IsStreaming => Stream == true;
    public bool IncludeUsage => StreamOptions?.IncludeUsage == true;

    public string RequireModel() => string.IsNullOrWhiteSpace(Model)
        ? throw ApiException.BadRequest("You must provide a model parameter.", "model", "missing_required_parameter")
        : Model;

    /// <summary>The caller's output budget and the param that set it (max_completion_tokens wins over max_tokens).</summary>
    public (int? Value, string Param) RequestedMaxTokens()
    {
        foreach (var (value, param) in OutputBudgets())
            if (value is < 1) throw ApiException.BadRequest($"Invalid '{param}': {value}. It must be at least 1.", param, "invalid_value");
        return MaxCompletionTokens is { } c ? (c, "max_completion_tokens") : (MaxTokens, "max_tokens");
    }

    /// <summary>Both spellings of the output budget, each checked against caps on its own.</summary>
    public IEnumerable<(int? Value, string Param)> OutputBudgets() => [(MaxTokens, "max_tokens"), (MaxCompletionTokens, "max_completion_tokens")];

    public SamplingOptions Sampling()
    {
        var options = new SamplingOptions
        {
            Temperature = Temperature ?? 1f,
            TopP = TopP ?? 1f,
            TopK = TopK ?? 0,
            MinP = MinP ?? 0f,
            RepetitionPenalty = RepetitionPenalty ?? 1f,
            PresencePenalty = PresencePenalty ?? 0f,
            FrequencyPenalty = FrequencyPenalty ?? 0f,
            Seed = Seed,
        };
        if (options.Validate() is { } error)
            throw ApiException.BadRequest($"Invalid '{error.Param}': {error.Message}.", error.Param, "invalid_value");
        return options;
    }

    public IReadOnlyList<string> StopStrings()
    {
        if (Stop is not { } stop || stop.ValueKind == JsonValueKind.Null) return [];
        if (stop.ValueKind == JsonValueKind.String) return NonEmpty([stop.Text("stop")]);
        if (stop.ValueKind != JsonValueKind.Array || stop.EnumerateArray().Any(s => s.ValueKind != JsonValueKind.String))
            throw ApiException.BadRequest("Invalid type for 'stop': expected a string or an array of strings.", "stop", "invalid_type");
        if (stop.GetArrayLength() > 4) throw ApiException.BadRequest("Invalid 'stop': at most 4 stop sequences are allowed.", "stop", "invalid_value");
        return NonEmpty(stop.EnumerateArray().Select(s => s.Text("stop")).ToList());
    }

    static IReadOnlyList<string> NonEmpty(IReadOnlyList<string> stops) => stops.Any(s => s.Length == 0)
        ? throw ApiException.BadRequest("Invalid 'stop': stop sequences must not be empty.", "stop", "invalid_value")
        : stops;

    /// <summary>Parameters this server does not serve yet are refused rather than silently ignored.</summary>
    public virtual void RejectUnsupported()
    {
        if (N is { } n && n != 1)
            throw ApiException.BadRequest(n < 1 ? "Invalid 'n': it must be at least 1." : "Only n = 1 is supported.", "n", n < 1 ? "invalid_value" : "unsupported_value");
        if (LogitBias is { ValueKind: JsonValueKind.Object } bias && bias.EnumerateObject().Any())
            throw ApiException.BadRequest("logit_bias is not supported.", "logit_bias", "unsupported_parameter");
    }
}

public sealed record StreamOptions
{
    public bool? IncludeUsage { get; init; }
}

using System.Text.Json;
using Provocapi.Core.Generation;
using Provocapi.Engine.Sampling;
using Provocapi.Host.Platform.Errors;
using Provocapi.Host.Platform.Json;
using Provocapi.Host.Platform.Models;

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

    public SamplingOptions Sampling(int vocabularySize)
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
            LogitBias = Biases(vocabularySize),
        };
        if (options.Validate() is { } error)
            throw ApiException.BadRequest($"Invalid '{error.Param}': {error.Message}.", error.Param, "invalid_value");
        return options;
    }

    /// <summary><c>logit_bias</c>: an object from token ids (as strings, as JSON requires) to biases.</summary>
    IReadOnlyDictionary<int, float>? Biases(int vocabularySize)
    {
        if (LogitBias is not { } bias || bias.ValueKind == JsonValueKind.Null) return null;
        if (bias.ValueKind != JsonValueKind.Object)
            throw ApiException.BadRequest("Invalid type for 'logit_bias': expected an object from token ids to numbers.", "logit_bias", "invalid_type");
        var biases = new Dictionary<int, float>();
        foreach (var entry in bias.EnumerateObject())
        {
            if (!int.TryParse(entry.Name, System.Globalization.NumberStyles.None, System.Globalization.CultureInfo.InvariantCulture, out var token) || token >= vocabularySize)
                throw ApiException.BadRequest($"Invalid 'logit_bias': '{entry.Name}' is not a token id of this model (0 to {vocabularySize - 1}).", "logit_bias", "invalid_value");
            if (entry.Value.ValueKind != JsonValueKind.Number)
                throw ApiException.BadRequest($"Invalid type for 'logit_bias[{entry.Name}]': expected a number.", "logit_bias", "invalid_type");
            biases[token] = entry.Value.GetSingle();
        }
        return biases;
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

    /// <summary>How many alternatives to report with each token's log-probability; null when logprobs were not asked for.</summary>
    public abstract int? RequestedTopLogprobs();

    /// <summary>How many choices to generate per prompt (n, 1 to <see cref="ChoiceLimits.MaxChoices"/>).</summary>
    public int Choices => N ?? 1;

    /// <summary>The <paramref name="choices"/> generations of one prompt: with a seed, choice i uses seed + i, so each is reproducible and they differ.</summary>
    public static IEnumerable<GenerationRequest> Choose(GenerationRequest generation, int choices) =>
        Enumerable.Range(0, choices).Select(i => i == 0 || generation.Sampling.Seed is null
            ? generation
            : generation with { Sampling = generation.Sampling with { Seed = generation.Sampling.Seed + i } });

    /// <summary>Refuses a bad n, and parameters this server does not serve yet rather than silently ignoring them, before any work is done.</summary>
    public virtual void RejectUnsupported()
    {
        if (N is < 1 or > ChoiceLimits.MaxChoices) throw ApiException.BadRequest($"Invalid 'n': {N}. It must be between 1 and {ChoiceLimits.MaxChoices}.", "n", "invalid_value");
    }
}

public sealed record StreamOptions
{
    public bool? IncludeUsage { get; init; }
}

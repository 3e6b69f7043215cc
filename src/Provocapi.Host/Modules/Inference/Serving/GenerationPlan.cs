using Microsoft.AspNetCore.Http;
using Provocapi.Core.Generation;
using Provocapi.Host.Modules.Inference.Catalog;
using Provocapi.Host.Platform.Callers;
using Provocapi.Host.Platform.Errors;

namespace Provocapi.Host.Modules.Inference.Serving;

/// <summary>
/// What a request may generate once its prompt is tokenized: the tier's <c>max_tokens</c> cap, room in the
/// model's context, and the tokens it reserves against the tenant's tokens per minute (prompt plus budget).
/// </summary>
public static class GenerationPlan
{
    /// <param name="promptParam">The param the prompt came from, named in context-length errors.</param>
    public static GenerationRequest Create(HttpContext http, GenerationParameters parameters, ServedModel model, int[] promptTokens,
        string promptParam, IReadOnlyList<string> extraStops)
    {
        var caller = http.Caller();
        var sampling = parameters.Sampling(model.Engine!.Model.Config.VocabSize);
        var stops = parameters.StopStrings();
        var (requested, param) = parameters.RequestedMaxTokens();
        var cap = caller.Limits.MaxTokens;
        foreach (var (value, name) in parameters.OutputBudgets())
            if (cap > 0 && value > cap)
                throw ApiException.BadRequest(
                    $"Invalid '{name}': {value} is above the {TierName(caller.Tier)} tier's cap of {cap} output tokens per request.", name, "max_tokens_exceeded");
        if (promptTokens.Length == 0) throw ApiException.BadRequest("The prompt is empty: it produced no tokens.", promptParam, "invalid_value");
        var context = model.Engine!.ContextLength;
        var room = context - promptTokens.Length;
        if (room < 1)
            throw ApiException.BadRequest(
                $"This model's maximum context length is {context} tokens, but your prompt is {promptTokens.Length} tokens. Please shorten it.",
                promptParam, "context_length_exceeded");
        if (requested > room)
            throw ApiException.BadRequest(
                $"This model's maximum context length is {context} tokens. However, you requested {promptTokens.Length + requested} tokens " +
                $"({promptTokens.Length} in the prompt, {requested} in the completion). Please reduce the prompt or '{param}'.", param, "context_length_exceeded");
        var maxTokens = requested ?? (cap > 0 ? Math.Min(cap, room) : room);
        var vocabulary = model.Engine.Model.Config.VocabSize;
        foreach (var id in promptTokens)
            if ((uint)id >= (uint)vocabulary)
                throw ApiException.BadRequest($"Token id {id} is outside the model's vocabulary (0 to {vocabulary - 1}).", promptParam, "invalid_value");
        return new GenerationRequest
        {
            Owner = caller.TenantId,
            Priority = caller.Batch ? GenerationPriority.Batch : GenerationPriority.Interactive,
            PromptTokens = promptTokens,
            Sampling = sampling,
            TopLogprobs = parameters.RequestedTopLogprobs(),
            MaxTokens = maxTokens,
            StopStrings = [.. extraStops, .. stops],
            Adapter = http.Features.Get<RequestAdapter>()?.Adapter,
        };
    }

    /// <summary>Reserves what a set of generations may use against the tenant's tokens per minute.</summary>
    public static TokenReservation Reserve(HttpContext http, ITokenRateLimiter limiter, IEnumerable<GenerationRequest> requests) =>
        limiter.Reserve(http, http.Caller(), requests.Sum(r => (long)r.PromptTokens!.Count + r.MaxTokens));

    static string TierName(Tier tier) => tier.ToString().ToLowerInvariant();
}

using Provocapi.Core;
using Provocapi.Host.Platform.Errors;

namespace Provocapi.Host.Modules.Inference.Catalog;

public enum ModelState
{
    Loading,
    Ready,
    Failed,
}

/// <summary>A configured model and its engine once loaded.</summary>
public sealed class ServedModel(ServedModelOptions options)
{
    public ServedModelOptions Options { get; } = options;
    public string Id => Options.Id;
    // Volatile: the loader thread publishes the engine before the state that requests read.
    volatile ModelState _state = ModelState.Loading;
    volatile LoadedModel? _engine;

    public ModelState State => _state;
    /// <summary>The running engine; set once <see cref="State"/> is Ready.</summary>
    public LoadedModel? Engine => _engine;
    public DateTimeOffset? LoadedAt { get; private set; }
    public string? Failure { get; private set; }

    public void Ready(LoadedModel engine)
    {
        _engine = engine;
        LoadedAt = DateTimeOffset.UtcNow;
        _state = ModelState.Ready;
    }

    public void Fail(string reason)
    {
        Failure = reason;
        _state = ModelState.Failed;
    }

    /// <summary>The engine, for a request of <paramref name="kind"/>: a 400 for the wrong kind, a 503 while loading or after a failure.</summary>
    public LoadedModel RequireEngine(ModelKind kind)
    {
        if (Options.Kind != kind)
            throw ApiException.BadRequest(
                $"The model '{Id}' is {(Options.Kind == ModelKind.Chat ? "a chat" : "an embedding")} model; it cannot serve {(kind == ModelKind.Chat ? "completions" : "embeddings")}.",
                "model", "wrong_model_kind");
        return State switch
        {
            ModelState.Ready => Engine!,
            ModelState.Loading => throw ApiException.Unavailable($"The model '{Id}' is still loading. Please retry shortly.", "model_not_ready", retryAfterSeconds: 5),
            _ => throw ApiException.Unavailable($"The model '{Id}' failed to load and cannot serve requests.", "model_unavailable", retryAfterSeconds: 60),
        };
    }

    public bool IsVisibleTo(string tenantName) => Options.Tenants.Count == 0 || Options.Tenants.Contains(tenantName, StringComparer.Ordinal);
}

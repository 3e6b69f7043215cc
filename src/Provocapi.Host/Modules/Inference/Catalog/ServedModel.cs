using Provocapi.Core;
using Provocapi.Core.Embeddings;
using Provocapi.Engine.Models;
using Provocapi.Host.Platform.Errors;

namespace Provocapi.Host.Modules.Inference.Catalog;

public enum ModelState
{
    Loading,
    Ready,
    Failed,
}

/// <summary>A configured model, its kind, and its engine once loaded: a generation engine for chat models, an embedding engine for embedding models.</summary>
public sealed class ServedModel(ServedModelOptions options)
{
    public ServedModelOptions Options { get; } = options;
    public string Id => Options.Id;
    /// <summary>As configured, else read from the file: encoders (bert, xlm-roberta) embed, everything else chats.</summary>
    public ModelKind Kind { get; } = options.Kind
        ?? (!options.IsSynthetic && EncoderModel.IsEncoder(options.Path) ? ModelKind.Embedding : ModelKind.Chat);
    // Volatile: the loader thread publishes the engine before the state that requests read.
    volatile ModelState _state = ModelState.Loading;
    volatile LoadedModel? _engine;
    volatile EmbeddingModel? _embedder;

    public ModelState State => _state;
    /// <summary>The running generation engine of a chat model; set once <see cref="State"/> is Ready.</summary>
    public LoadedModel? Engine => _engine;
    /// <summary>The running embedding engine of an embedding model; set once <see cref="State"/> is Ready.</summary>
    public EmbeddingModel? Embedder => _embedder;
    public DateTimeOffset? LoadedAt { get; private set; }
    public string? Failure { get; private set; }

    public void Ready(LoadedModel engine)
    {
        _engine = engine;
        MarkReady();
    }

    public void Ready(EmbeddingModel embedder)
    {
        _embedder = embedder;
        MarkReady();
    }

    void MarkReady()
    {
        LoadedAt = DateTimeOffset.UtcNow;
        _state = ModelState.Ready;
    }

    public void Fail(string reason)
    {
        Failure = reason;
        _state = ModelState.Failed;
    }

    /// <summary>The generation engine, for chat and completions: a 400 for an embedding model, a 503 while loading or after a failure.</summary>
    public LoadedModel RequireChat()
    {
        if (Kind != ModelKind.Chat)
            throw WrongKind($"The model '{Id}' is an embedding model; it cannot serve chat or completions. Use POST /v1/embeddings with it, or pick a chat model.");
        RequireReady();
        return Engine!;
    }

    /// <summary>The embedding engine: a 400 for a chat model, a 503 while loading or after a failure.</summary>
    public EmbeddingModel RequireEmbeddings()
    {
        if (Kind != ModelKind.Embedding)
            throw WrongKind($"The model '{Id}' is a chat model; it cannot serve embeddings. Use an embedding model (such as a BERT or XLM-RoBERTa encoder) with POST /v1/embeddings.");
        RequireReady();
        return Embedder!;
    }

    static ApiException WrongKind(string message) => ApiException.BadRequest(message, "model", "wrong_model_kind");

    void RequireReady()
    {
        switch (State)
        {
            case ModelState.Ready: return;
            case ModelState.Loading: throw ApiException.Unavailable($"The model '{Id}' is still loading. Please retry shortly.", "model_not_ready", retryAfterSeconds: 5);
            default: throw ApiException.Unavailable($"The model '{Id}' failed to load and cannot serve requests.", "model_unavailable", retryAfterSeconds: 60);
        }
    }

    public bool IsVisibleTo(string tenantName) => Options.Tenants.Count == 0 || Options.Tenants.Contains(tenantName, StringComparer.Ordinal);
}

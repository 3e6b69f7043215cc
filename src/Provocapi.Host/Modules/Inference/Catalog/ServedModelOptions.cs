using Provocapi.Engine.KvCache;

namespace Provocapi.Host.Modules.Inference.Catalog;

public enum ModelKind
{
    Chat,
    Embedding,
}

/// <summary>
/// One configured model (<c>Provocapi:Models:N</c>): a GGUF file, a Hugging Face folder, or
/// <c>synthetic:SHAPE[:TYPE]</c> (random weights of a real shape, with the tokenizer of the GGUF named by
/// <see cref="Tokenizer"/>), and how it is offered: id, aliases, kind, tenants, prices and engine settings.
/// </summary>
public sealed class ServedModelOptions
{
    public string Id { get; set; } = "";
    public string Path { get; set; } = "";
    /// <summary>For synthetic models: a GGUF file whose tokenizer they use.</summary>
    public string? Tokenizer { get; set; }
    /// <summary>Chat or embedding; unset, it is read from the file (a bert or xlm-roberta encoder is an embedding model).</summary>
    public ModelKind? Kind { get; set; }
    /// <summary>Caps the model's own context length (0 keeps it).</summary>
    public int ContextLength { get; set; }
    public List<string> Aliases { get; set; } = [];
    /// <summary>Tenants (by name) that may use the model; empty means every tenant.</summary>
    public List<string> Tenants { get; set; } = [];
    /// <summary>Price per million prompt tokens.</summary>
    public decimal PromptPrice { get; set; }
    /// <summary>Price per million completion tokens.</summary>
    public decimal CompletionPrice { get; set; }
    /// <summary>Compute threads (0: every core).</summary>
    public int Threads { get; set; }
    public long KvCacheBytes { get; set; } = 256L << 20;
    public int KvPageSize { get; set; } = 16;
    /// <summary>F32, or F16 for twice the cached positions in <see cref="KvCacheBytes"/> (keys and values rounded to halves).</summary>
    public KvCacheType KvCacheType { get; set; } = KvCacheType.F32;
    /// <summary>Sequences decoded together at most.</summary>
    public int MaxRunningSequences { get; set; } = 64;
    /// <summary>Tokens per engine step (decodes first, then prompt chunks).</summary>
    public int StepTokenBudget { get; set; } = 256;
    /// <summary>Embedding models: tokens encoded together in one batch at most, from every caller's inputs.</summary>
    public int EmbeddingBatchTokens { get; set; } = 2048;
    /// <summary>Requests waiting for the engine at most (503, or 429 for a tenant over its share, beyond).</summary>
    public int MaxQueueLength { get; set; } = 256;
    /// <summary>Seconds a request may wait for the engine before a 503.</summary>
    public double MaxQueueWaitSeconds { get; set; } = 60;

    public const string SyntheticScheme = "synthetic:";
    public bool IsSynthetic => Path.StartsWith(SyntheticScheme, StringComparison.Ordinal);
}

/// <summary>The <c>Provocapi:Models</c> list.</summary>
public sealed class InferenceOptions
{
    public List<ServedModelOptions> Models { get; set; } = [];
}

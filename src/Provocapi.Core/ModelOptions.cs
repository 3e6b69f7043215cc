using Provocapi.Engine.KvCache;

namespace Provocapi.Core;

/// <summary>How a model is run: threads, the KV cache's memory budget and page size, an optional shorter context, and queue and batch bounds.</summary>
public sealed record ModelOptions
{
    /// <summary>Compute threads; 0 uses every core.</summary>
    public int Threads { get; init; }
    public long KvCacheBytes { get; init; } = 256L << 20;
    public int KvPageSize { get; init; } = 16;
    /// <summary>How the KV cache stores keys and values: F32, or F16 for twice the positions in <see cref="KvCacheBytes"/>.</summary>
    public KvCacheType KvCacheType { get; init; } = KvCacheType.F32;
    /// <summary>Caps the model's context length (0 keeps the model's own).</summary>
    public int ContextLength { get; init; }
    /// <summary>Tokens per forward step: every running sequence's next token, then prompt chunks up to this budget, so a long prompt delays running streams by one bounded step at a time.</summary>
    public int StepTokenBudget { get; init; } = 256;
    /// <summary>Sequences decoded together at most.</summary>
    public int MaxRunningSequences { get; init; } = 64;
    /// <summary>Requests waiting for admission at most; beyond, new ones are refused.</summary>
    public int MaxQueueLength { get; init; } = 256;
    /// <summary>How long a request may wait for admission before it is refused.</summary>
    public TimeSpan MaxQueueWait { get; init; } = TimeSpan.FromSeconds(60);

    /// <summary>Embedding models: tokens encoded together in one batch at most (inputs from every caller, packed).</summary>
    public int EmbeddingBatchTokens { get; init; } = 2048;

    public int ResolvedThreads => Threads > 0 ? Threads : Environment.ProcessorCount;
}

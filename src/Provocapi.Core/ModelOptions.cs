namespace Provocapi.Core;

/// <summary>How a model is run: threads, the KV cache's memory budget and page size, and an optional shorter context.</summary>
public sealed record ModelOptions
{
    /// <summary>Compute threads; 0 uses every core.</summary>
    public int Threads { get; init; }
    public long KvCacheBytes { get; init; } = 256L << 20;
    public int KvPageSize { get; init; } = 16;
    /// <summary>Caps the model's context length (0 keeps the model's own).</summary>
    public int ContextLength { get; init; }
    /// <summary>Prompt tokens fed per forward step.</summary>
    public int PrefillChunk { get; init; } = 512;

    public int ResolvedThreads => Threads > 0 ? Threads : Environment.ProcessorCount;
}

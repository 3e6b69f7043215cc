namespace Provocapi.Engine.KvCache;

/// <summary>What one cached position holds: per layer, a key and a value of <see cref="KvDim"/> floats.</summary>
public sealed record KvCacheShape(int Layers, int KvHeads, int HeadDim)
{
    public int KvDim => KvHeads * HeadDim;

    /// <summary>Bytes one position takes across all layers, keys and values.</summary>
    public long BytesPerPosition => 2L * Layers * KvDim * sizeof(float);
}

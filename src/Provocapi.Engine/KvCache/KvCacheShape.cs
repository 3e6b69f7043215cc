namespace Provocapi.Engine.KvCache;

/// <summary>What one cached position holds: per layer, a key and a value of <see cref="KvDim"/> elements of <see cref="Type"/>.</summary>
public sealed record KvCacheShape(int Layers, int KvHeads, int HeadDim, KvCacheType Type)
{
    public int KvDim => KvHeads * HeadDim;

    public int ElementBytes => Type == KvCacheType.F16 ? sizeof(ushort) : sizeof(float);

    /// <summary>Bytes one position's key (or value) takes in one layer.</summary>
    public int RowBytes => KvDim * ElementBytes;

    /// <summary>Bytes one position takes across all layers, keys and values.</summary>
    public long BytesPerPosition => 2L * Layers * RowBytes;
}

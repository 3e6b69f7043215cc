namespace Provocapi.Engine.KvCache;

/// <summary>
/// How the cache stores keys and values. F32 keeps the projections exactly. F16 (llama.cpp's default) holds twice the
/// positions in the same memory, for a rounding of keys and values to 11 significant bits and slower prompts: without
/// F16C instructions in .NET, widening halves costs about what reading half the bytes saves (docs/benchmarks.md).
/// Halves keep NaN, but store a projection beyond their range (±65504, infinities too) as the largest half.
/// </summary>
public enum KvCacheType
{
    F32,
    F16,
}

using System.Numerics.Tensors;
using Provocapi.Engine.Tensors;

namespace Provocapi.Engine.KvCache;

/// <summary>Keys and values in and out of the cache's element type.</summary>
public static unsafe class KvRows
{
    /// <summary>The largest finite half: larger projections are stored as it, so a cached key never turns into an
    /// infinity that would make every score of its head NaN.</summary>
    const float HalfMax = 65504f;

    /// <summary>Floats converted per pass when storing halves, on the stack.</summary>
    const int Chunk = 256;

    public static void Write(KvCacheType type, ReadOnlySpan<float> source, byte* destination)
    {
        if (type == KvCacheType.F32)
        {
            source.CopyTo(new Span<float>(destination, source.Length));
            return;
        }
        Span<float> clamped = stackalloc float[Chunk];
        for (var i = 0; i < source.Length; i += Chunk)
        {
            var part = source.Slice(i, Math.Min(Chunk, source.Length - i));
            var bounded = clamped[..part.Length];
            TensorPrimitives.Min(part, HalfMax, bounded);
            TensorPrimitives.Max(bounded, -HalfMax, bounded);
            TensorPrimitives.ConvertToHalf(bounded, new Span<Half>((Half*)destination + i, part.Length));
        }
    }

    /// <summary>Element <paramref name="index"/> of a stored row.</summary>
    public static float Read(KvCacheType type, byte* row, int index) =>
        type == KvCacheType.F32 ? ((float*)row)[index] : Float16.ToSingle(((ushort*)row)[index]);

    /// <summary>A row of halves' first <paramref name="destination"/>.Length elements as floats (a row of floats is read in place).</summary>
    public static void ReadHalves(ushort* row, Span<float> destination) =>
        TensorPrimitives.ConvertToSingle(new ReadOnlySpan<Half>(row, destination.Length), destination);
}

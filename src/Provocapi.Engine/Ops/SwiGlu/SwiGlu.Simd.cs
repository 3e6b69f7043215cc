using System.Numerics.Tensors;

namespace Provocapi.Engine.Ops;

public static partial class SwiGlu
{
    /// <summary>Chunked through a small buffer so <paramref name="h"/> may alias <paramref name="gate"/> or <paramref name="up"/>.</summary>
    public static void Simd(ReadOnlySpan<float> gate, ReadOnlySpan<float> up, Span<float> h)
    {
        Span<float> silu = stackalloc float[256];
        for (var i = 0; i < h.Length; i += silu.Length)
        {
            var n = Math.Min(silu.Length, h.Length - i);
            var g = gate.Slice(i, n);
            var s = silu[..n];
            // silu(g) = g · sigmoid(g)
            TensorPrimitives.Sigmoid(g, s);
            TensorPrimitives.Multiply(s, g, s);
            TensorPrimitives.Multiply(s, up.Slice(i, n), h.Slice(i, n));
        }
    }
}

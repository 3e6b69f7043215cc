using System.Runtime.CompilerServices;
using System.Runtime.Intrinsics;
using System.Runtime.Intrinsics.X86;

namespace Provocapi.Engine.Ops;

public static unsafe partial class Quantize
{
    static void ActivationBlocksSimd(ReadOnlySpan<float> x, Span<sbyte> qs, Span<float> scales)
    {
        fixed (float* px = x)
        fixed (sbyte* pq = qs)
        {
            for (var b = 0; b < scales.Length; b++)
                scales[b] = ActivationBlockSimd(px + b * ActivationBlock, pq + b * ActivationBlock, ActivationBlock);
        }
    }

    static void ActivationSuperBlocksSimd(ReadOnlySpan<float> x, Span<sbyte> qs, Span<float> scales, Span<short> groupSums)
    {
        fixed (float* px = x)
        fixed (sbyte* pq = qs)
        {
            for (var b = 0; b < scales.Length; b++)
                scales[b] = ActivationBlockSimd(px + b * ActivationSuperBlock, pq + b * ActivationSuperBlock, ActivationSuperBlock);
            for (var g = 0; g < groupSums.Length; g++)
            {
                var q = pq + g * ActivationGroup;
                var sum = 0;
                for (var i = 0; i < ActivationGroup; i++) sum += q[i];
                groupSums[g] = (short)sum;
            }
        }
    }

    /// <summary>Twin of <see cref="ActivationBlockReference"/> for n = 32·k values. The float-to-int conversion rounds
    /// to nearest even; the three saturating packs interleave 128-bit lanes, which the final dword permutation undoes.</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    static float ActivationBlockSimd(float* x, sbyte* q, int n)
    {
        var magnitude = Vector256.Create(0x7FFFFFFF).AsSingle();
        var max = Vector256<float>.Zero;
        for (var i = 0; i < n; i += 8) max = Avx.Max(max, Avx.LoadVector256(x + i) & magnitude);
        var half = Sse.Max(max.GetLower(), max.GetUpper());
        half = Sse.Max(half, Sse.MoveHighToLow(half, half));
        var amax = MathF.Max(half.ToScalar(), half.GetElement(1));
        var d = amax / 127;
        var id = Vector256.Create(d != 0 ? 1 / d : 0);
        var order = Vector256.Create(0, 4, 1, 5, 2, 6, 3, 7);
        for (var i = 0; i < n; i += 32)
        {
            var i0 = Avx.ConvertToVector256Int32(Avx.LoadVector256(x + i) * id);
            var i1 = Avx.ConvertToVector256Int32(Avx.LoadVector256(x + i + 8) * id);
            var i2 = Avx.ConvertToVector256Int32(Avx.LoadVector256(x + i + 16) * id);
            var i3 = Avx.ConvertToVector256Int32(Avx.LoadVector256(x + i + 24) * id);
            var bytes = Avx2.PackSignedSaturate(Avx2.PackSignedSaturate(i0, i1), Avx2.PackSignedSaturate(i2, i3));
            Avx.Store(q + i, Avx2.PermuteVar8x32(bytes.AsInt32(), order).AsSByte());
        }
        return d;
    }
}

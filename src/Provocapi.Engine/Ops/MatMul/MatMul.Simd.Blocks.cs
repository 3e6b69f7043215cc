using System.Runtime.CompilerServices;
using System.Runtime.Intrinsics;
using System.Runtime.Intrinsics.X86;
using Provocapi.Engine.Tensors;

namespace Provocapi.Engine.Ops;

/// <summary>
/// Kernels for the 32-element block types whose values are d·q with a small signed q (Q8_0, Q4_0, Q5_0), against
/// activations quantized to int8 blocks of 32 (<see cref="ActivationLayout.Blocks"/>). Per block and token:
/// <c>maddubs(|w|, sign(x, w))</c> multiplies unsigned by signed bytes and adds pairs (the sign trick moves w's sign
/// onto x, since maddubs wants one unsigned operand; |w|, x ≤ 128 keep the pair sums inside int16), <c>madd</c> with
/// ones adds pairs again into eight int32, and one FMA scales by d_w·d_x into a float accumulator.
/// </summary>
public static unsafe partial class MatMul
{
    /// <summary>Unpacks one block into 32 signed bytes and its scale.</summary>
    interface IBlock32
    {
        static abstract int Bytes { get; }
        static abstract Vector256<sbyte> Quants(byte* block);
        static abstract float Scale(byte* block);
    }

    /// <summary>block_q8_0 (ggml-common.h): half d, int8 qs[32].</summary>
    readonly struct Q8_0Block : IBlock32
    {
        public static int Bytes => 34;
        public static Vector256<sbyte> Quants(byte* block) => Avx.LoadVector256((sbyte*)block + 2);
        public static float Scale(byte* block) => Float16.Lookup(Unsafe.ReadUnaligned<ushort>(block));
    }

    /// <summary>block_q4_0: half d, qs[16] nibbles, value (q − 8)·d.</summary>
    readonly struct Q4_0Block : IBlock32
    {
        public static int Bytes => 18;
        public static Vector256<sbyte> Quants(byte* block) => Dequantize.Nibbles(block + 2) - Vector256.Create((sbyte)8);
        public static float Scale(byte* block) => Float16.Lookup(Unsafe.ReadUnaligned<ushort>(block));
    }

    /// <summary>block_q5_0: half d, uint32 qh, qs[16] nibbles, value (q − 16)·d.</summary>
    readonly struct Q5_0Block : IBlock32
    {
        public static int Bytes => 22;
        public static Vector256<sbyte> Quants(byte* block) => Dequantize.Nibbles(block + 6) + Dequantize.FifthBits(block + 2) - Vector256.Create((sbyte)16);
        public static float Scale(byte* block) => Float16.Lookup(Unsafe.ReadUnaligned<ushort>(block));
    }

    /// <summary>Every token's sum is one FMA chain over the blocks in order, as the tile kernel's, so a token's result
    /// does not depend on how many tokens share the call.</summary>
    readonly struct BlockKernel<TBlock> : IDotKernel where TBlock : struct, IBlock32
    {
        public static void Dot<TCount>(byte* row, MatMulActivations a, int t, float* result) where TCount : struct, ITokenCount
        {
            var blocks = a.BlocksPerToken;
            long columns = a.Columns;
            var x = a.Quants + t * columns;
            var s = a.Scales + (long)t * blocks;
            Vector256<float> acc0 = default, acc1 = default, acc2 = default, acc3 = default;
            for (var b = 0; b < blocks; b++, row += TBlock.Bytes, x += 32, s++)
            {
                var w = TBlock.Quants(row);
                var magnitude = Avx2.Abs(w);
                var dw = Vector256.Create(TBlock.Scale(row));
                acc0 = Step(magnitude, w, x, s[0], dw, acc0);
                if (TCount.Count > 1) acc1 = Step(magnitude, w, x + columns, s[blocks], dw, acc1);
                if (TCount.Count > 2) acc2 = Step(magnitude, w, x + 2 * columns, s[2 * blocks], dw, acc2);
                if (TCount.Count > 3) acc3 = Step(magnitude, w, x + 3 * columns, s[3 * blocks], dw, acc3);
            }
            result[0] = Sum(acc0);
            if (TCount.Count > 1) result[1] = Sum(acc1);
            if (TCount.Count > 2) result[2] = Sum(acc2);
            if (TCount.Count > 3) result[3] = Sum(acc3);
        }

        [MethodImpl(MethodImplOptions.AggressiveInlining)]
        static Vector256<float> Step(Vector256<byte> magnitude, Vector256<sbyte> w, sbyte* x, float xScale, Vector256<float> dw, Vector256<float> acc)
        {
            var pairs = Avx2.MultiplyAddAdjacent(magnitude, Avx2.Sign(Avx.LoadVector256(x), w));
            var sums = Avx2.MultiplyAddAdjacent(pairs, Vector256.Create((short)1));
            return Fma.MultiplyAdd(Avx.ConvertToVector256Single(sums), dw * Vector256.Create(xScale), acc);
        }
    }
}

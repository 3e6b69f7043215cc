using Provocapi.Engine.Tensors;

namespace Provocapi.Engine.Ops;

public static unsafe partial class Quantize
{
    /// <summary>Round-to-nearest quantizers, faithful to ggml's <c>quantize_row_*_ref</c> for the 32-element types. The
    /// K-quants get a plain min/max fit per sub-block (no search for the best scale): correct, not tuned for quality.</summary>
    public static void RowReference(TensorType type, ReadOnlySpan<float> src, Span<byte> dst)
    {
        var elements = TensorTypeInfo.BlockElements(type);
        var bytes = TensorTypeInfo.BlockBytes(type);
        if (src.Length % elements != 0) throw new ArgumentException($"{src.Length} values are not a whole number of {TensorTypeInfo.Name(type)} blocks of {elements}");
        if (dst.Length != src.Length / elements * bytes) throw new ArgumentException($"{TensorTypeInfo.Name(type)}: {src.Length} values take {src.Length / elements * bytes} bytes, not {dst.Length}");
        fixed (byte* output = dst)
        {
            for (var b = 0; b < src.Length / elements; b++)
            {
                var x = src.Slice(b * elements, elements);
                var y = output + b * bytes;
                switch (type)
                {
                    case TensorType.F32: *(float*)y = x[0]; break;
                    case TensorType.F16: *(ushort*)y = Float16.FromSingle(x[0]); break;
                    case TensorType.BF16: *(ushort*)y = BFloat16.FromSingle(x[0]); break;
                    case TensorType.Q8_0: Q8_0(x, y); break;
                    case TensorType.Q4_0: Q4_0(x, y); break;
                    case TensorType.Q4_1: Q4_1(x, y); break;
                    case TensorType.Q5_0: Q5_0(x, y); break;
                    case TensorType.Q5_1: Q5_1(x, y); break;
                    case TensorType.Q4_K: Q4_K(x, y); break;
                    case TensorType.Q5_K: Q5_K(x, y); break;
                    case TensorType.Q6_K: Q6_K(x, y); break;
                    default: throw new NotSupportedException($"quantizing to {TensorTypeInfo.Name(type)} is not supported");
                }
            }
        }
    }

    static float RoundAway(float v) => MathF.Round(v, MidpointRounding.AwayFromZero);

    static void WriteHalf(byte* p, float value) => *(ushort*)p = Float16.FromSingle(value);

    /// <summary>The value of largest magnitude, with its sign (ggml's Q4_0/Q5_0 scale it to −8 / −16).</summary>
    static float SignedMax(ReadOnlySpan<float> x)
    {
        float amax = 0, max = 0;
        foreach (var v in x)
            if (amax < MathF.Abs(v)) { amax = MathF.Abs(v); max = v; }
        return max;
    }

    static void Q8_0(ReadOnlySpan<float> x, byte* y)
    {
        var amax = 0f;
        foreach (var v in x) amax = MathF.Max(amax, MathF.Abs(v));
        var d = amax / 127;
        var id = d != 0 ? 1 / d : 0;
        WriteHalf(y, d);
        for (var j = 0; j < 32; j++) ((sbyte*)y)[2 + j] = (sbyte)RoundAway(x[j] * id);
    }

    static void Q4_0(ReadOnlySpan<float> x, byte* y)
    {
        var d = SignedMax(x) / -8;
        var id = d != 0 ? 1 / d : 0;
        WriteHalf(y, d);
        for (var j = 0; j < 16; j++)
        {
            var low = Math.Min(15, (int)(x[j] * id + 8.5f));
            var high = Math.Min(15, (int)(x[j + 16] * id + 8.5f));
            y[2 + j] = (byte)(low | (high << 4));
        }
    }

    static void Q4_1(ReadOnlySpan<float> x, byte* y)
    {
        float min = float.MaxValue, max = float.MinValue;
        foreach (var v in x) { min = MathF.Min(min, v); max = MathF.Max(max, v); }
        var d = (max - min) / 15;
        var id = d != 0 ? 1 / d : 0;
        WriteHalf(y, d);
        WriteHalf(y + 2, min);
        for (var j = 0; j < 16; j++)
        {
            var low = Math.Min(15, (int)((x[j] - min) * id + 0.5f));
            var high = Math.Min(15, (int)((x[j + 16] - min) * id + 0.5f));
            y[4 + j] = (byte)(low | (high << 4));
        }
    }

    static void Q5_0(ReadOnlySpan<float> x, byte* y)
    {
        var d = SignedMax(x) / -16;
        var id = d != 0 ? 1 / d : 0;
        WriteHalf(y, d);
        uint qh = 0;
        for (var j = 0; j < 16; j++)
        {
            var low = Math.Min(31, (int)(x[j] * id + 16.5f));
            var high = Math.Min(31, (int)(x[j + 16] * id + 16.5f));
            y[6 + j] = (byte)((low & 0xF) | ((high & 0xF) << 4));
            qh |= (uint)(low >> 4) << j;
            qh |= (uint)(high >> 4) << (j + 16);
        }
        *(uint*)(y + 2) = qh;
    }

    static void Q5_1(ReadOnlySpan<float> x, byte* y)
    {
        float min = float.MaxValue, max = float.MinValue;
        foreach (var v in x) { min = MathF.Min(min, v); max = MathF.Max(max, v); }
        var d = (max - min) / 31;
        var id = d != 0 ? 1 / d : 0;
        WriteHalf(y, d);
        WriteHalf(y + 2, min);
        uint qh = 0;
        for (var j = 0; j < 16; j++)
        {
            var low = Math.Min(31, (int)((x[j] - min) * id + 0.5f));
            var high = Math.Min(31, (int)((x[j + 16] - min) * id + 0.5f));
            y[8 + j] = (byte)((low & 0xF) | ((high & 0xF) << 4));
            qh |= (uint)(low >> 4) << j;
            qh |= (uint)(high >> 4) << (j + 16);
        }
        *(uint*)(y + 4) = qh;
    }

    /// <summary>Per sub-block of 32: scale = (max − min)/levels and min = −min(0, smallest value), both then expressed
    /// as 6-bit multiples of the super-block's d and dmin. Returns q (0..levels) per element.</summary>
    static void FitKQuant(ReadOnlySpan<float> x, int levels, byte* header, Span<byte> q)
    {
        Span<float> scale = stackalloc float[8];
        Span<float> min = stackalloc float[8];
        float maxScale = 0, maxMin = 0;
        for (var j = 0; j < 8; j++)
        {
            float lo = 0, hi = float.MinValue;
            foreach (var v in x.Slice(32 * j, 32)) { lo = MathF.Min(lo, v); hi = MathF.Max(hi, v); }
            scale[j] = (hi - lo) / levels;
            min[j] = -lo;
            maxScale = MathF.Max(maxScale, scale[j]);
            maxMin = MathF.Max(maxMin, min[j]);
        }
        var d = Float16.ToSingle(Float16.FromSingle(maxScale / 63));
        var dmin = Float16.ToSingle(Float16.FromSingle(maxMin / 63));
        Span<byte> scale6 = stackalloc byte[8];
        Span<byte> min6 = stackalloc byte[8];
        for (var j = 0; j < 8; j++)
        {
            scale6[j] = (byte)Math.Clamp(d > 0 ? RoundAway(scale[j] / d) : 0, 0, 63);
            min6[j] = (byte)Math.Clamp(dmin > 0 ? RoundAway(min[j] / dmin) : 0, 0, 63);
        }
        WriteHalf(header, d);
        WriteHalf(header + 2, dmin);
        KQuantScales.Pack(scale6, min6, header + 4);
        for (var i = 0; i < 256; i++)
        {
            var step = d * scale6[i / 32];
            var value = step > 0 ? RoundAway((x[i] + dmin * min6[i / 32]) / step) : 0;
            q[i] = (byte)Math.Clamp(value, 0, levels);
        }
    }

    /// <summary>block_q4_K (layout in <see cref="Dequantize.RowReference"/>).</summary>
    static void Q4_K(ReadOnlySpan<float> x, byte* y)
    {
        Span<byte> q = stackalloc byte[256];
        FitKQuant(x, 15, y, q);
        var qs = y + 4 + KQuantScales.Bytes;
        for (var chunk = 0; chunk < 4; chunk++)
            for (var l = 0; l < 32; l++)
                qs[32 * chunk + l] = (byte)(q[64 * chunk + l] | (q[64 * chunk + 32 + l] << 4));
    }

    /// <summary>block_q5_K: Q4_K's nibbles, the fifth bits in qh.</summary>
    static void Q5_K(ReadOnlySpan<float> x, byte* y)
    {
        Span<byte> q = stackalloc byte[256];
        FitKQuant(x, 31, y, q);
        var qh = y + 4 + KQuantScales.Bytes;
        var qs = qh + 32;
        for (var l = 0; l < 32; l++) qh[l] = 0;
        for (var chunk = 0; chunk < 4; chunk++)
        {
            for (var l = 0; l < 32; l++)
            {
                int low = q[64 * chunk + l], high = q[64 * chunk + 32 + l];
                qs[32 * chunk + l] = (byte)((low & 0xF) | ((high & 0xF) << 4));
                qh[l] |= (byte)(((low >> 4) << (2 * chunk)) | ((high >> 4) << (2 * chunk + 1)));
            }
        }
    }

    /// <summary>block_q6_K: per group of 16 a symmetric scale max|x|/31, stored as an int8 multiple of d.</summary>
    static void Q6_K(ReadOnlySpan<float> x, byte* y)
    {
        Span<float> scale = stackalloc float[16];
        var maxScale = 0f;
        for (var g = 0; g < 16; g++)
        {
            var amax = 0f;
            foreach (var v in x.Slice(16 * g, 16)) amax = MathF.Max(amax, MathF.Abs(v));
            scale[g] = amax / 31;
            maxScale = MathF.Max(maxScale, scale[g]);
        }
        var d = Float16.ToSingle(Float16.FromSingle(maxScale / 127));
        WriteHalf(y + 208, d);
        var scales = (sbyte*)(y + 192);
        for (var g = 0; g < 16; g++) scales[g] = (sbyte)Math.Clamp(d > 0 ? RoundAway(scale[g] / d) : 0, -127, 127);
        for (var i = 0; i < 192; i++) y[i] = 0;
        for (var half = 0; half < 2; half++)
        {
            var ql = y + 64 * half;
            var qh = y + 128 + 32 * half;
            for (var k = 0; k < 4; k++)
            {
                for (var l = 0; l < 32; l++)
                {
                    var e = 128 * half + 32 * k + l;
                    var step = d * scales[e / 16];
                    var q = (int)Math.Clamp(step != 0 ? RoundAway(x[e] / step) : 0, -32, 31) + 32;
                    ql[l + 32 * (k & 1)] |= (byte)((q & 0xF) << (k < 2 ? 0 : 4));
                    qh[l] |= (byte)((q >> 4) << (2 * k));
                }
            }
        }
    }

    /// <summary>Twin of <see cref="ActivationBlocks"/>.</summary>
    public static void ActivationBlocksReference(ReadOnlySpan<float> x, Span<sbyte> qs, Span<float> scales)
    {
        for (var b = 0; b < scales.Length; b++)
            scales[b] = ActivationBlockReference(x.Slice(b * ActivationBlock, ActivationBlock), qs.Slice(b * ActivationBlock, ActivationBlock));
    }

    /// <summary>Twin of <see cref="ActivationSuperBlocks"/>.</summary>
    public static void ActivationSuperBlocksReference(ReadOnlySpan<float> x, Span<sbyte> qs, Span<float> scales, Span<short> groupSums)
    {
        for (var b = 0; b < scales.Length; b++)
            scales[b] = ActivationBlockReference(x.Slice(b * ActivationSuperBlock, ActivationSuperBlock), qs.Slice(b * ActivationSuperBlock, ActivationSuperBlock));
        for (var g = 0; g < groupSums.Length; g++)
        {
            var sum = 0;
            foreach (var q in qs.Slice(g * ActivationGroup, ActivationGroup)) sum += q;
            groupSums[g] = (short)sum;
        }
    }

    /// <summary>Symmetric int8 block: scale = max|x|/127, q = x/scale rounded to nearest even (what the vector
    /// float-to-int conversion does).</summary>
    static float ActivationBlockReference(ReadOnlySpan<float> x, Span<sbyte> q)
    {
        var amax = 0f;
        foreach (var v in x) amax = MathF.Max(amax, MathF.Abs(v));
        var d = amax / 127;
        var id = d != 0 ? 1 / d : 0;
        for (var i = 0; i < x.Length; i++) q[i] = (sbyte)MathF.Round(x[i] * id);
        return d;
    }
}

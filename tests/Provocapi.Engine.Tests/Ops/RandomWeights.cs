using Provocapi.Engine.Ops;
using Provocapi.Engine.Tensors;

namespace Provocapi.Engine.Tests.Ops;

/// <summary>Random test data: never-zero floats, and weight matrices built either by quantizing them or from random bits.</summary>
public static unsafe class RandomWeights
{
    public static readonly TensorType[] AllTypes =
    [
        TensorType.F32, TensorType.F16, TensorType.BF16, TensorType.Q8_0, TensorType.Q4_0, TensorType.Q4_1,
        TensorType.Q5_0, TensorType.Q5_1, TensorType.Q4_K, TensorType.Q5_K, TensorType.Q6_K,
    ];

    /// <summary>Uniform in ±[0.01, 1] with a few larger outliers, as activations and weights tend to have.</summary>
    public static float[] Floats(int count, int seed)
    {
        var random = new Random(seed);
        var values = new float[count];
        for (var i = 0; i < count; i++)
        {
            var magnitude = 0.01f + 0.99f * random.NextSingle();
            if (random.Next(64) == 0) magnitude *= 8;
            values[i] = random.Next(2) == 0 ? magnitude : -magnitude;
        }
        return values;
    }

    /// <summary>A matrix whose rows are random floats quantized with <see cref="Quantize.RowReference"/>.</summary>
    public static OwnedMatrix Quantized(TensorType type, int rows, int columns, int seed)
    {
        var matrix = new OwnedMatrix(type, rows, columns);
        var values = Floats(rows * columns, seed);
        for (var r = 0; r < rows; r++)
            Quantize.RowReference(type, values.AsSpan(r * columns, columns), new Span<byte>(matrix.Weights.Row(r), (int)matrix.Weights.RowBytes));
        return matrix;
    }

    /// <summary>A matrix of random bits, every quant and packed scale pattern included, with each block's
    /// half-precision scales replaced by modest finite values (random halves would be infinities and NaNs).</summary>
    public static OwnedMatrix RandomBits(TensorType type, int rows, int columns, int seed)
    {
        var matrix = new OwnedMatrix(type, rows, columns);
        var random = new Random(seed);
        var bytes = matrix.Buffer.Span;
        random.NextBytes(bytes);
        var blockBytes = TensorTypeInfo.BlockBytes(type);
        var halves = type switch
        {
            TensorType.F32 => [],
            TensorType.F16 or TensorType.BF16 => new[] { 0 },
            TensorType.Q8_0 or TensorType.Q4_0 or TensorType.Q5_0 => [0],
            TensorType.Q4_1 or TensorType.Q5_1 or TensorType.Q4_K or TensorType.Q5_K => [0, 2],
            TensorType.Q6_K => [208],
            _ => throw new NotSupportedException(type.ToString()),
        };
        var scale = type is TensorType.F16 or TensorType.BF16 or TensorType.F32 ? 1f : 0.02f;
        for (var b = 0; b < bytes.Length / blockBytes; b++)
        {
            var block = matrix.Buffer.Pointer + (long)b * blockBytes;
            if (type == TensorType.F32) *(float*)block = Floats(1, random.Next())[0];
            foreach (var offset in halves)
            {
                var value = scale * (0.05f + random.NextSingle());
                if (random.Next(2) == 0 && type is TensorType.F16 or TensorType.BF16) value = -value;
                *(ushort*)(block + offset) = type == TensorType.BF16 ? BFloat16.FromSingle(value) : Float16.FromSingle(value);
            }
        }
        return matrix;
    }

    public static float[] DequantizeReference(WeightMatrix w)
    {
        var values = new float[w.Rows * w.Columns];
        for (var r = 0; r < w.Rows; r++) Dequantize.RowReference(w.Type, w.Row(r), values.AsSpan(r * w.Columns, w.Columns));
        return values;
    }
}

/// <summary>A weight matrix together with the native buffer it lives in.</summary>
public sealed unsafe class OwnedMatrix : IDisposable
{
    public NativeBuffer Buffer { get; }
    public WeightMatrix Weights { get; }

    public OwnedMatrix(TensorType type, int rows, int columns)
    {
        Buffer = new NativeBuffer(TensorTypeInfo.RowBytes(type, columns) * rows);
        Weights = new WeightMatrix($"{type} {rows}x{columns}", type, rows, columns, Buffer.Pointer);
    }

    public void Dispose() => Buffer.Dispose();
}

using Provocapi.Engine.Ops;
using Provocapi.Engine.Tensors;

namespace Provocapi.Benchmarks.Ops;

/// <summary>Weight matrices for benchmarks: a few distinct quantized rows repeated to the full height. Speed does not
/// depend on the values, and quantizing millions of rows with the reference quantizers would dominate the setup.</summary>
public static unsafe class BenchmarkWeights
{
    const int DistinctRows = 16;

    public static (WeightMatrix Weights, NativeBuffer Buffer) Create(TensorType type, int rows, int columns, int seed)
    {
        var rowBytes = TensorTypeInfo.RowBytes(type, columns);
        var buffer = new NativeBuffer(rowBytes * rows);
        var random = new Random(seed);
        var values = new float[columns];
        for (var r = 0; r < Math.Min(rows, DistinctRows); r++)
        {
            for (var c = 0; c < columns; c++) values[c] = random.NextSingle() * 2 - 1;
            Quantize.Row(type, values, new Span<byte>(buffer.Pointer + r * rowBytes, (int)rowBytes));
        }
        for (var r = DistinctRows; r < rows; r++)
            Buffer.MemoryCopy(buffer.Pointer + r % DistinctRows * rowBytes, buffer.Pointer + r * rowBytes, rowBytes, rowBytes);
        return (new WeightMatrix($"{type} {rows}x{columns}", type, rows, columns, buffer.Pointer), buffer);
    }

    public static float[] Activations(int count, int seed)
    {
        var random = new Random(seed);
        var values = new float[count];
        for (var i = 0; i < values.Length; i++) values[i] = random.NextSingle() * 2 - 1;
        return values;
    }
}

using BenchmarkDotNet.Attributes;
using BenchmarkDotNet.Configs;
using BenchmarkDotNet.Running;
using Provocapi.Engine.Backends.Cpu;
using Provocapi.Engine.Ops;
using Provocapi.Engine.Tensors;

namespace Provocapi.Benchmarks.Ops;

/// <summary>
/// <see cref="MatMul.Compute"/> on real shapes (rows × columns = output × input features) with 2 threads: one token
/// (matrix-vector, memory bound: read the GB/s column) and 64 tokens (prompt processing, compute bound: GFLOP/s).
/// </summary>
[Config(typeof(Config))]
public class MatMulBenchmarks
{
    /// <summary>The small (~143M) model's FFN and output matrices and the 1B model's FFN and attention matrices.</summary>
    static readonly (string Model, int Rows, int Columns)[] Shapes =
    [
        ("small", 576, 1536), ("small", 1536, 576), ("small", 32000, 576),
        ("1b", 2048, 5632), ("1b", 5632, 2048), ("1b", 2048, 2048),
    ];

    static readonly TensorType[] Types = [TensorType.Q8_0, TensorType.Q4_0, TensorType.F16, TensorType.Q4_K, TensorType.Q6_K];

    /// <summary>"model rows×columns type" for every shape and type that fits (K-quant rows need multiples of 256).</summary>
    public static IEnumerable<string> Matrices() =>
        from type in Types
        from shape in Shapes
        where shape.Columns % TensorTypeInfo.BlockElements(type) == 0
        select $"{shape.Model} {shape.Rows}x{shape.Columns} {type}";

    [ParamsSource(nameof(Matrices))]
    public string Matrix { get; set; } = "";

    [Params(1, 64)]
    public int Tokens { get; set; }

    const int Threads = 2;

    WeightMatrix? _weights;
    NativeBuffer? _buffer;
    CpuWorkers? _workers;
    float[] _x = [];
    float[] _y = [];

    [GlobalSetup]
    public void Setup()
    {
        var (_, rows, columns, type) = Parse(Matrix);
        (_weights, _buffer) = BenchmarkWeights.Create(type, rows, columns, seed: rows ^ columns);
        _workers = new CpuWorkers(Threads);
        _x = BenchmarkWeights.Activations(Tokens * columns, seed: 1);
        _y = new float[Tokens * rows];
    }

    [GlobalCleanup]
    public void Cleanup()
    {
        _workers?.Dispose();
        _buffer?.Dispose();
    }

    [Benchmark]
    public void Compute() => MatMul.Compute(_weights!, _x, _y, Tokens, _workers!);

    static (string Model, int Rows, int Columns, TensorType Type) Parse(string matrix)
    {
        var parts = matrix.Split(' ');
        var size = parts[1].Split('x');
        return (parts[0], int.Parse(size[0]), int.Parse(size[1]), Enum.Parse<TensorType>(parts[2]));
    }

    static double WeightBytes(BenchmarkCase c)
    {
        var (_, rows, columns, type) = Parse((string)c.Parameters[nameof(Matrix)]);
        return TensorTypeInfo.RowBytes(type, columns) * (double)rows;
    }

    static double Flops(BenchmarkCase c)
    {
        var (_, rows, columns, _) = Parse((string)c.Parameters[nameof(Matrix)]);
        return 2.0 * rows * columns * (int)c.Parameters[nameof(Tokens)];
    }

    sealed class Config : ManualConfig
    {
        public Config()
        {
            AddColumn(new ThroughputColumn("GB/s", "Weight bytes read per second (10^9), the figure of merit for 1 token", WeightBytes));
            AddColumn(new ThroughputColumn("GFLOP/s", "2·rows·columns·tokens per second (10^9), the figure of merit for many tokens", Flops));
        }
    }
}

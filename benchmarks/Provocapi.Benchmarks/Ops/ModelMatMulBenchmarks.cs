using BenchmarkDotNet.Attributes;
using BenchmarkDotNet.Configs;
using BenchmarkDotNet.Running;
using Provocapi.Engine.Backends.Cpu;
using Provocapi.Engine.Ops;
using Provocapi.Engine.Tensors;

namespace Provocapi.Benchmarks.Ops;

/// <summary>
/// All the matrix multiplies of one forward step of the ~143M-parameter "small" model (30 layers, 576 hidden,
/// 1536 FFN, 192-wide K/V, 32000-row output): a lower bound on the time per token, as the tok/s column shows.
/// One token is generation; 16 tokens is a batched decode step of 16 sequences; 512 tokens is a prompt.
/// </summary>
[Config(typeof(Config))]
public class ModelMatMulBenchmarks
{
    const int Layers = 30;
    const int Threads = 2;

    static readonly (int Rows, int Columns)[] Layer = [(576, 576), (192, 576), (192, 576), (576, 576), (1536, 576), (1536, 576), (576, 1536)];

    [Params(TensorType.Q8_0, TensorType.Q4_0, TensorType.F16)]
    public TensorType Type { get; set; }

    [Params(1, 16, 512)]
    public int Tokens { get; set; }

    readonly List<(WeightMatrix Weights, NativeBuffer Buffer)> _matrices = [];
    CpuWorkers? _workers;
    float[] _x = [];
    float[] _y = [];

    [GlobalSetup]
    public void Setup()
    {
        for (var l = 0; l < Layers; l++)
            foreach (var (rows, columns) in Layer)
                _matrices.Add(AsLoaded(BenchmarkWeights.Create(Type, rows, columns, seed: l * 7 + rows)));
        _matrices.Add(AsLoaded(BenchmarkWeights.Create(Type, 32000, 576, seed: 3)));
        _workers = new CpuWorkers(Threads);
        _x = BenchmarkWeights.Activations(Tokens * 1536, seed: 1);
        _y = new float[Tokens * 32000];
    }

    /// <summary>In the layout a loaded model has it (Q8_0 regrouped, see <see cref="Q8_0RowGroups"/>).</summary>
    static unsafe (WeightMatrix, NativeBuffer) AsLoaded((WeightMatrix Weights, NativeBuffer Buffer) m) =>
        (MatMul.ReadsGrouped(m.Weights) ? m.Weights.Regroup(m.Buffer.Pointer) : m.Weights, m.Buffer);

    [GlobalCleanup]
    public void Cleanup()
    {
        _workers?.Dispose();
        foreach (var (_, buffer) in _matrices) buffer.Dispose();
        _matrices.Clear();
    }

    [Benchmark]
    public void ForwardMatMuls()
    {
        foreach (var (w, _) in _matrices)
            MatMul.Compute(w, _x.AsSpan(0, Tokens * w.Columns), _y.AsSpan(0, Tokens * w.Rows), Tokens, _workers!);
    }

    sealed class Config : ManualConfig
    {
        public Config() => AddColumn(new ThroughputColumn("tok/s", "Tokens per second, counting only the matrix multiplies", c => (int)c.Parameters[nameof(Tokens)], unit: 1));
    }
}

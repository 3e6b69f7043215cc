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
    float[] _y2 = [];
    float[] _y3 = [];

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
        _y2 = new float[Tokens * 1536];
        _y3 = new float[Tokens * 1536];
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

    /// <summary>A call per matrix, as the model made them before query, key and value (and gate and up) shared one.</summary>
    [Benchmark(Baseline = true)]
    public void OneCallPerMatrix()
    {
        foreach (var (w, _) in _matrices)
            MatMul.Compute(w, _x.AsSpan(0, Tokens * w.Columns), _y.AsSpan(0, Tokens * w.Rows), Tokens, _workers!);
    }

    /// <summary>As the model calls them: query, key and value in one call, gate and up in another.</summary>
    [Benchmark]
    public void ForwardMatMuls()
    {
        for (var l = 0; l < Layers; l++)
        {
            var m = l * Layer.Length;
            Span<float> Out(int i) => _y.AsSpan(0, Tokens * _matrices[m + i].Weights.Rows);
            Span<float> Out2(int i) => _y2.AsSpan(0, Tokens * _matrices[m + i].Weights.Rows);
            Span<float> Out3(int i) => _y3.AsSpan(0, Tokens * _matrices[m + i].Weights.Rows);
            var x = _x.AsSpan(0, Tokens * 576);
            MatMul.Compute(x, Tokens, _workers!, _matrices[m].Weights, Out(0), _matrices[m + 1].Weights, Out2(1), _matrices[m + 2].Weights, Out3(2));
            MatMul.Compute(_matrices[m + 3].Weights, x, Out(3), Tokens, _workers!);
            MatMul.Compute(x, Tokens, _workers!, _matrices[m + 4].Weights, Out2(4), _matrices[m + 5].Weights, Out3(5));
            MatMul.Compute(_matrices[m + 6].Weights, _x.AsSpan(0, Tokens * 1536), Out(6), Tokens, _workers!);
        }
        var head = _matrices[^1].Weights;
        MatMul.Compute(head, _x.AsSpan(0, Tokens * head.Columns), _y.AsSpan(0, Tokens * head.Rows), Tokens, _workers!);
    }

    sealed class Config : ManualConfig
    {
        public Config() => AddColumn(new ThroughputColumn("tok/s", "Tokens per second, counting only the matrix multiplies", c => (int)c.Parameters[nameof(Tokens)], unit: 1));
    }
}

using BenchmarkDotNet.Attributes;
using BenchmarkDotNet.Configs;
using Provocapi.Engine.Backends.Cpu;
using Provocapi.Engine.Models;
using Provocapi.Engine.Models.Adapters;
using Provocapi.Engine.Ops;

namespace Provocapi.Benchmarks.Ops;

/// <summary>
/// The LoRA deltas of one decode step of the "small" model (all seven projections of its 30 layers, rank 16) for a
/// batch of four tokens on as many different adapters, against their per-token reference: the GB/s column counts the
/// adapter weights read (F16), which is what bounds the gathered kernel.
/// </summary>
[Config(typeof(Config))]
public class LoraBenchmarks
{
    const int Tokens = 4;
    const int Rank = 16;
    const int Threads = 2;

    [Params(1, 4)]
    public int Adapters { get; set; }

    static readonly TransformerConfig Shape = SyntheticModel.Shape("small");

    /// <summary>One adapter's F16 weights: rank × (inputs + outputs) per projection and layer.</summary>
    static readonly long AdapterBytes = Shape.LayerCount * LoraProjections.All.Sum(p =>
    {
        var (outputs, inputs) = LoraProjections.Shape(p, Shape);
        return (long)Rank * (inputs + outputs) * sizeof(ushort);
    });

    LoraAdapter[] _adapters = [];
    readonly List<LoraWeights?> _slots = [];
    CpuWorkers? _workers;
    float[] _x = [];
    float[] _y = [];

    [GlobalSetup]
    public void Setup()
    {
        _adapters = Enumerable.Range(0, Adapters).Select(i => SyntheticLoraAdapter.Create(Shape, Rank, seed: i)).ToArray();
        _workers = new CpuWorkers(Threads);
        _x = BenchmarkWeights.Activations(Tokens * Shape.FeedForwardDim, seed: 1);
        _y = new float[Tokens * Shape.FeedForwardDim];
    }

    [GlobalCleanup]
    public void Cleanup() => _workers?.Dispose();

    [Benchmark]
    public void Gathered() => Step(reference: false);

    [Benchmark(Baseline = true)]
    public void Reference() => Step(reference: true);

    void Step(bool reference)
    {
        for (var layer = 0; layer < Shape.LayerCount; layer++)
            foreach (var projection in LoraProjections.All)
            {
                var (outputs, inputs) = LoraProjections.Shape(projection, Shape);
                _slots.Clear();
                for (var t = 0; t < Tokens; t++) _slots.Add(_adapters[t % _adapters.Length].Weights(layer, projection));
                var x = _x.AsSpan(0, Tokens * inputs);
                var y = _y.AsSpan(0, Tokens * outputs);
                if (reference) Lora.ApplyReference(_slots, x, y, inputs, outputs);
                else Lora.Apply(_slots, x, y, inputs, outputs, _workers!);
            }
    }

    sealed class Config : ManualConfig
    {
        public Config() => AddColumn(new ThroughputColumn("GB/s", "Adapter weights read per second (each adapter once per step)",
            c => (int)c.Parameters[nameof(Adapters)] * (double)AdapterBytes));
    }
}

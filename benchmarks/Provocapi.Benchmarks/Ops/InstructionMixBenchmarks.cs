using BenchmarkDotNet.Attributes;
using BenchmarkDotNet.Configs;
using System.Runtime.InteropServices;
using System.Runtime.Intrinsics;
using System.Runtime.Intrinsics.X86;
using Provocapi.Engine.Ops;
using Provocapi.Engine.Tensors;

namespace Provocapi.Benchmarks.Ops;

/// <summary>
/// The ceiling of a batched decode step on one core: the regrouped Q8_0 kernel (<see cref="MatMul"/>, 16 tokens, data
/// in L2) against the bare instruction sequences it could be built from, run back to back on registers with nothing
/// else in the loop. Each sequence does 32 multiply-adds (four values of eight rows for one token) per step, with
/// eight independent accumulators so latency hides and only the cores' execution ports limit it:
/// <list type="bullet">
/// <item>the sign trick the kernel uses: broadcast, vpsignb, vpmaddubsw, vpmaddwd with ones, vpaddd;</item>
/// <item>offset weights: broadcast, vpmaddubsw, vpmaddwd with ones, vpaddd, with weights stored as w + 128 (unsigned) and
/// no vpsignb. vpmaddubsw saturates a pair of products at 32767, so this is exact only for activations within ±63
/// (2·255·63 = 32130): it would cost activations one bit, and 128·Σx per block and token would be taken off after;</item>
/// <item>int16 values: twice broadcast, vpmaddwd, vpaddd (weights widened once per block and reused across tokens);</item>
/// <item>floats: four FMAs (dequantized weights).</item>
/// </list>
/// The kernel's rate over the sign trick's is how far the kernel is from its own instructions; the other three show
/// what a different kernel could at best gain. Single-threaded.
/// </summary>
[Config(typeof(Config))]
public unsafe class InstructionMixBenchmarks
{
    const int Steps = 1 << 20;
    const int Accumulators = 8;
    const int MacsPerStep = 32;
    const int Tokens = 16;
    const int Rows = 576;
    const int Columns = 576;

    NativeBuffer? _source;
    NativeBuffer? _grouped;
    WeightMatrix? _weights;
    readonly MatMulActivations _activations = new();
    float[] _y = [];
    int* _values;

    [GlobalSetup]
    public void Setup()
    {
        var (weights, buffer) = BenchmarkWeights.Create(TensorType.Q8_0, Rows, Columns, seed: 5);
        _source = buffer;
        _grouped = new NativeBuffer(weights.ByteSize);
        _weights = weights.Regroup(_grouped.Pointer);
        _activations.Prepare(TensorType.Q8_0, BenchmarkWeights.Activations(Tokens * Columns, seed: 6), Tokens, Columns);
        _y = new float[Tokens * Rows];
        _values = (int*)NativeMemory.AlignedAlloc(16 * sizeof(int), 64);
        for (var i = 0; i < 16; i++) _values[i] = 0x01_7F_81_03 * (i + 1);
    }

    [GlobalCleanup]
    public void Cleanup()
    {
        _grouped?.Dispose();
        _source?.Dispose();
        NativeMemory.AlignedFree(_values);
    }

    /// <summary>The regrouped kernel: 576×576 Q8_0 (344 KB, stays in L2) against 16 tokens, on the calling thread.</summary>
    [Benchmark(Baseline = true)]
    public void RegroupedKernel() => MatMul.ComputeRows(_weights!, _activations, _y, 0, Rows);

    [Benchmark]
    public Vector256<int> SignTrick() => Accumulate<SignTrickStep>();

    [Benchmark]
    public Vector256<int> OffsetWeights() => Accumulate<OffsetWeightsStep>();

    [Benchmark]
    public Vector256<int> Int16MultiplyAdd() => Accumulate<Int16Step>();

    /// <summary>32 multiply-adds of one token against the same weights, from the four values at x[k].</summary>
    interface IIntegerStep
    {
        static abstract Vector256<int> Step(int* x, int k);
    }

    readonly struct SignTrickStep : IIntegerStep
    {
        public static Vector256<int> Step(int* x, int k) =>
            Avx2.MultiplyAddAdjacent(
                Avx2.MultiplyAddAdjacent(Vector256.Create((byte)77), Avx2.Sign(Avx2.BroadcastScalarToVector256(x + k).AsSByte(), Vector256.Create((sbyte)-77))),
                Vector256.Create((short)1));
    }

    readonly struct OffsetWeightsStep : IIntegerStep
    {
        public static Vector256<int> Step(int* x, int k) =>
            Avx2.MultiplyAddAdjacent(
                Avx2.MultiplyAddAdjacent(Vector256.Create((byte)205), Avx2.BroadcastScalarToVector256(x + k).AsSByte()),
                Vector256.Create((short)1));
    }

    readonly struct Int16Step : IIntegerStep
    {
        public static Vector256<int> Step(int* x, int k) =>
            Avx2.MultiplyAddAdjacent(Vector256.Create((short)-77), Avx2.BroadcastScalarToVector256(x + k).AsInt16())
            + Avx2.MultiplyAddAdjacent(Vector256.Create((short)91), Avx2.BroadcastScalarToVector256(x + k + 1).AsInt16());
    }

    Vector256<int> Accumulate<TStep>() where TStep : struct, IIntegerStep
    {
        Vector256<int> a0 = default, a1 = default, a2 = default, a3 = default, a4 = default, a5 = default, a6 = default, a7 = default;
        for (var i = 0; i < Steps / Accumulators; i++)
        {
            var x = _values + (i & 7);
            a0 += TStep.Step(x, 0);
            a1 += TStep.Step(x, 1);
            a2 += TStep.Step(x, 2);
            a3 += TStep.Step(x, 3);
            a4 += TStep.Step(x, 4);
            a5 += TStep.Step(x, 5);
            a6 += TStep.Step(x, 6);
            a7 += TStep.Step(x, 7);
        }
        return a0 + a1 + a2 + a3 + a4 + a5 + a6 + a7;
    }

    [Benchmark]
    public Vector256<float> FloatFma()
    {
        var w0 = Vector256.Create(0.5f);
        var w1 = Vector256.Create(-0.25f);
        var x = Vector256.Create(0.999f);
        Vector256<float> a0 = default, a1 = default, a2 = default, a3 = default, a4 = default, a5 = default, a6 = default, a7 = default;
        for (var i = 0; i < Steps / Accumulators; i++)
        {
            a0 = Step(a0);
            a1 = Step(a1);
            a2 = Step(a2);
            a3 = Step(a3);
            a4 = Step(a4);
            a5 = Step(a5);
            a6 = Step(a6);
            a7 = Step(a7);
        }
        return a0 + a1 + a2 + a3 + a4 + a5 + a6 + a7;

        Vector256<float> Step(Vector256<float> a) =>
            Fma.MultiplyAdd(w1, x, Fma.MultiplyAdd(w0, x, Fma.MultiplyAdd(w1, x, Fma.MultiplyAdd(w0, x, a))));
    }

    sealed class Config : ManualConfig
    {
        public Config() => AddColumn(new ThroughputColumn("GMAC/s", "Multiply-adds per second, in billions",
            c => c.Descriptor.WorkloadMethod.Name == nameof(RegroupedKernel) ? (double)Tokens * Rows * Columns : (double)Steps * MacsPerStep));
    }
}

using System.Runtime.Intrinsics;
using System.Runtime.Intrinsics.X86;
using Provocapi.Engine.Backends.Cpu;
using Provocapi.Engine.Models.Adapters;
using Provocapi.Engine.Tensors;

namespace Provocapi.Engine.Ops;

/// <summary>
/// The LoRA delta of one projection for a batch whose tokens each use their own adapter or none:
/// y[t] += s·B(A·x[t]) for every token t with weights. Tokens are grouped by adapter, as Punica's SGMV kernel
/// (Chen et al., 2023, "Punica: Multi-Tenant LoRA Serving") gathers them, so each adapter's A and B are read once per
/// step however many of its tokens the batch holds. Per group: shrink h = s·A·x (rank dot products per token), then
/// expand y += Σ_r h[r]·B[:, r] (the ranks summed in registers, eight outputs at a time), widening the F16 weights as they stream past.
/// Each output element adds the same terms in the same order whatever the batch around it, so a sequence's result
/// does not depend on its neighbours.
/// </summary>
public static unsafe partial class Lora
{
    /// <summary>Outputs per unit of parallel work, at least: below this, splitting one adapter's expand costs more than it saves.</summary>
    const int MinOutputsPerItem = 128;

    [ThreadStatic] static LoraJob? t_job;
    [ThreadStatic] static float[]? t_shrunk;

    /// <param name="weights">Per token, its adapter's weights for this projection, or null for none.</param>
    public static void Apply(IReadOnlyList<LoraWeights?> weights, ReadOnlySpan<float> x, Span<float> y, int inputs, int outputs, CpuWorkers workers)
    {
        fixed (float* py = y) Apply([new Target(weights, py, y.Length, outputs)], x, inputs, workers);
    }

    /// <summary>One projection of a fused call: per token its adapter's weights or null, and where its outputs go
    /// (tokens × <see cref="Outputs"/> floats at <see cref="Y"/>, <see cref="Length"/> in all).</summary>
    public readonly struct Target(IReadOnlyList<LoraWeights?> weights, float* y, int length, int outputs)
    {
        public IReadOnlyList<LoraWeights?> Weights { get; } = weights;
        public float* Y { get; } = y;
        public int Length { get; } = length;
        public int Outputs { get; } = outputs;
    }

    /// <summary>The deltas of several projections of the same input (q, k and v; gate and up) in one parallel loop, so
    /// a step pays the loop's start and its uneven end once for them rather than once each.</summary>
    public static void Apply(ReadOnlySpan<Target> targets, ReadOnlySpan<float> x, int inputs, CpuWorkers workers)
    {
        foreach (var target in targets) CheckShapes(target.Weights, x.Length, target.Length, inputs, target.Outputs);
        var job = t_job ??= new LoraJob();
        if (!job.Group(targets)) return;
        fixed (float* px = x)
        {
            job.Start(px, inputs, workers.ThreadCount);
            try { workers.For(job.ItemCount, job); }
            finally { job.Finish(); }
        }
    }

    static void CheckShapes(IReadOnlyList<LoraWeights?> weights, int xLength, int yLength, int inputs, int outputs)
    {
        if (xLength != (long)weights.Count * inputs) throw new ArgumentException($"input holds {xLength} values, not {weights.Count} tokens × {inputs}");
        if (yLength != (long)weights.Count * outputs) throw new ArgumentException($"output holds {yLength} values, not {weights.Count} tokens × {outputs}");
        foreach (var w in weights)
            if (w != null && (w.Inputs != inputs || w.Outputs != outputs))
                throw new ArgumentException($"LoRA weights of shape ({w.Outputs}, {w.Inputs}) for a ({outputs}, {inputs}) projection");
    }

    /// <summary>One group's tokens for outputs [o0, o1): shrink every token, then expand into each token's outputs.</summary>
    static void RunGroup(LoraWeights w, ReadOnlySpan<int> tokens, float* x, float* y, int o0, int o1)
    {
        int rank = w.Rank, inputs = w.Inputs, outputs = w.Outputs;
        var needed = tokens.Length * rank;
        if (t_shrunk == null || t_shrunk.Length < needed) t_shrunk = new float[Math.Max(needed, 256)];
        var h = t_shrunk;
        fixed (ushort* a = w.A, b = w.BChunks)
        {
            for (var j = 0; j < tokens.Length; j++)
            {
                var xt = x + (long)tokens[j] * inputs;
                for (var r = 0; r < rank; r++) h[j * rank + r] = w.Scale * Dot(a + (long)r * inputs, xt, inputs);
            }
            fixed (float* hp = h)
                for (var j = 0; j < tokens.Length; j++)
                    Expand(b, rank, hp + j * rank, y + (long)tokens[j] * outputs, o0, o1);
        }
    }

    /// <summary>Four accumulators over the whole length from index 0, so the sum's order depends only on the length.
    /// Adapter weights are finite (checked on load), so the cheaper widening applies.</summary>
    static float Dot(ushort* a, float* b, int n)
    {
        var i = 0;
        var sum = 0f;
        if (Avx2.IsSupported)
        {
            Vector256<float> acc0 = default, acc1 = default, acc2 = default, acc3 = default;
            for (; i + 32 <= n; i += 32)
            {
                acc0 = Vector256.FusedMultiplyAdd(Float16.ToSingleFinite(a + i), Vector256.Load(b + i), acc0);
                acc1 = Vector256.FusedMultiplyAdd(Float16.ToSingleFinite(a + i + 8), Vector256.Load(b + i + 8), acc1);
                acc2 = Vector256.FusedMultiplyAdd(Float16.ToSingleFinite(a + i + 16), Vector256.Load(b + i + 16), acc2);
                acc3 = Vector256.FusedMultiplyAdd(Float16.ToSingleFinite(a + i + 24), Vector256.Load(b + i + 24), acc3);
            }
            for (; i + 8 <= n; i += 8) acc0 = Vector256.FusedMultiplyAdd(Float16.ToSingleFinite(a + i), Vector256.Load(b + i), acc0);
            sum = Vector256.Sum((acc0 + acc1) + (acc2 + acc3));
        }
        for (; i < n; i++) sum = MathF.FusedMultiplyAdd(Float16.Lookup(a[i]), b[i], sum);
        return sum;
    }

    /// <summary>y[o] = fma(B[o, r], h[r], y[o]) for r = 0, 1, … and o in [o0, o1) (o0 a multiple of eight): a chunk of
    /// eight outputs stays in a register through all the ranks, its B read in order from <see cref="LoraWeights.BChunks"/>;
    /// the scalar tail widens and fuses exactly as the vectors do.</summary>
    static void Expand(ushort* chunks, int rank, float* h, float* y, int o0, int o1)
    {
        const int Chunk = LoraWeights.ChunkOutputs;
        var o = o0;
        if (Avx2.IsSupported)
        {
            for (var chunk = chunks + (long)o0 * rank; o + Chunk <= o1; o += Chunk)
            {
                var acc = Vector256.Load(y + o);
                for (var r = 0; r < rank; r++, chunk += Chunk)
                    acc = Vector256.FusedMultiplyAdd(Float16.ToSingleFinite(chunk), Vector256.Create(h[r]), acc);
                acc.Store(y + o);
            }
        }
        for (; o < o1; o++)
        {
            var acc = y[o];
            var column = chunks + LoraWeights.ChunkIndex(o, 0, rank);
            for (var r = 0; r < rank; r++) acc = MathF.FusedMultiplyAdd(Float16.Lookup(column[r * Chunk]), h[r], acc);
            y[o] = acc;
        }
    }

    /// <summary>
    /// One call's grouping and state, reused by the calling thread. Work item i is (projection, group, slice of
    /// outputs): with fewer adapters than threads, an adapter's outputs are split and each slice redoes the (small) shrink.
    /// </summary>
    sealed class LoraJob : ICpuWork
    {
        readonly List<Projection> _projections = [];
        int _count;
        float* _x;
        int _items;

        public int ItemCount => _items;

        /// <summary>Groups every projection's tokens by adapter; false when no token has one anywhere.</summary>
        public bool Group(ReadOnlySpan<Target> targets)
        {
            _count = 0;
            var any = false;
            foreach (var target in targets)
            {
                if (_projections.Count == _count) _projections.Add(new Projection());
                var projection = _projections[_count++];
                projection.Group(target);
                any |= projection.Groups.Count > 0;
            }
            return any;
        }

        public void Start(float* x, int inputs, int threads)
        {
            _x = x;
            var groups = 0;
            for (var p = 0; p < _count; p++) groups += _projections[p].Groups.Count;
            _items = 0;
            for (var p = 0; p < _count; p++)
            {
                _projections[p].Slice(threads, groups, _items);
                _items += _projections[p].ItemCount;
            }
        }

        public void Finish()
        {
            _x = null;
            for (var p = 0; p < _count; p++) _projections[p].Forget();
        }

        public void Run(int index)
        {
            var p = 0;
            while (index >= _projections[p].FirstItem + _projections[p].ItemCount) p++;
            _projections[p].Run(index - _projections[p].FirstItem, _x);
        }
    }

    /// <summary>One projection's tokens ordered by adapter (stable), and its slices.</summary>
    sealed class Projection
    {
        public readonly List<LoraWeights> Groups = [];
        readonly List<int> _groupStart = [];
        readonly List<int> _counts = [];
        readonly List<int> _next = [];
        int[] _order = [];
        int[] _groupOf = [];
        float* _y;
        int _outputs;
        int _slices;
        int _sliceWidth;

        public int FirstItem { get; private set; }
        public int ItemCount => Groups.Count * _slices;

        public void Group(Target target)
        {
            var weights = target.Weights;
            Groups.Clear();
            _groupStart.Clear();
            _counts.Clear();
            _next.Clear();
            _y = target.Y;
            _outputs = target.Outputs;
            if (_groupOf.Length < weights.Count) _groupOf = new int[weights.Count];
            if (_order.Length < weights.Count) _order = new int[weights.Count];
            for (var t = 0; t < weights.Count; t++)
            {
                var w = weights[t];
                if (w == null)
                {
                    _groupOf[t] = -1;
                    continue;
                }
                var g = 0;
                while (g < Groups.Count && !ReferenceEquals(Groups[g], w)) g++;
                if (g == Groups.Count)
                {
                    Groups.Add(w);
                    _counts.Add(0);
                }
                _groupOf[t] = g;
                _counts[g]++;
            }
            var start = 0;
            for (var g = 0; g < Groups.Count; start += _counts[g], g++)
            {
                _groupStart.Add(start);
                _next.Add(start);
            }
            _groupStart.Add(start);
            for (var t = 0; t < weights.Count; t++)
                if (_groupOf[t] >= 0) _order[_next[_groupOf[t]]++] = t;
        }

        /// <summary>Splits each group's outputs when the call's groups, all projections together, are fewer than the threads.</summary>
        public void Slice(int threads, int groups, int firstItem)
        {
            FirstItem = firstItem;
            var wanted = (threads + groups - 1) / Math.Max(1, groups);
            _slices = Math.Clamp(wanted, 1, Math.Max(1, _outputs / MinOutputsPerItem));
            _sliceWidth = (_outputs / _slices + 7) & ~7;
        }

        /// <summary>Drops the call's output pointer and adapters, which are pinned only for the call.</summary>
        public void Forget()
        {
            _y = null;
            Groups.Clear();
        }

        public void Run(int index, float* x)
        {
            var g = index / _slices;
            var o0 = Math.Min(_outputs, index % _slices * _sliceWidth);
            var o1 = index % _slices == _slices - 1 ? _outputs : Math.Min(_outputs, o0 + _sliceWidth);
            if (o0 >= o1) return;
            RunGroup(Groups[g], _order.AsSpan(_groupStart[g], _groupStart[g + 1] - _groupStart[g]), x, _y, o0, o1);
        }
    }
}

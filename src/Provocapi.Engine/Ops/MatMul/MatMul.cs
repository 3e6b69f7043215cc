using System.Numerics.Tensors;
using System.Runtime.Intrinsics.X86;
using Provocapi.Engine.Backends.Cpu;
using Provocapi.Engine.Tensors;

namespace Provocapi.Engine.Ops;

/// <summary>
/// y = W·x for a batch of tokens: y[t·Rows + r] = Σ_c W[r, c]·x[t·Columns + c], the hot path of generation (one
/// token: a matrix-vector product bound by memory bandwidth) and of prompt processing (many tokens: bound by
/// arithmetic, so each weight block is reused across four tokens held in registers).
/// </summary>
public static unsafe partial class MatMul
{
    /// <summary>Rows per unit of parallel work: small enough for the two threads to balance on a 576-row matrix.</summary>
    const int RowTile = 16;

    /// <summary>Tokens per unit of parallel work: 64 tokens of a 5632-column activation (360 KB) stay in L2 while a
    /// tile of weight rows is streamed past them.</summary>
    const int TokenTile = 64;

    /// <summary>Work items per thread: each item is a run of consecutive tiles, so a thread reads its rows as one
    /// stream (what the tile's prefetch of the rows after it relies on), while eight items a thread still balance a
    /// thread that falls behind.</summary>
    const int ItemsPerThread = 8;

    [ThreadStatic] static MatMulJob? t_job;

    /// <summary>Computes all rows and tokens, spread over <paramref name="workers"/>; the activations are converted
    /// once per call (see <see cref="MatMulActivations"/>).</summary>
    public static void Compute(WeightMatrix w, ReadOnlySpan<float> x, Span<float> y, int tokens, CpuWorkers workers)
    {
        CheckShapes(w, x.Length, y.Length, tokens);
        fixed (float* output = y) Run(x, tokens, workers, [(w, (nint)output)]);
    }

    /// <summary>
    /// Two matrices over the same activations (a layer's gate and up projections) in one parallel loop: the activations
    /// are converted once and the threads meet once, where a call per matrix pays both each time. Each output is what
    /// a call of its own would write, bit for bit; matrices whose types want different activations go one call each.
    /// </summary>
    public static void Compute(ReadOnlySpan<float> x, int tokens, CpuWorkers workers, WeightMatrix w0, Span<float> y0, WeightMatrix w1, Span<float> y1)
    {
        CheckShapes(w0, x.Length, y0.Length, tokens);
        CheckShapes(w1, x.Length, y1.Length, tokens);
        fixed (float* p0 = y0)
        fixed (float* p1 = y1)
            Run(x, tokens, workers, [(w0, (nint)p0), (w1, (nint)p1)]);
    }

    /// <summary>Three matrices over the same activations (a layer's query, key and value); see the two-matrix overload.</summary>
    public static void Compute(ReadOnlySpan<float> x, int tokens, CpuWorkers workers, WeightMatrix w0, Span<float> y0, WeightMatrix w1, Span<float> y1, WeightMatrix w2, Span<float> y2)
    {
        CheckShapes(w0, x.Length, y0.Length, tokens);
        CheckShapes(w1, x.Length, y1.Length, tokens);
        CheckShapes(w2, x.Length, y2.Length, tokens);
        fixed (float* p0 = y0)
        fixed (float* p1 = y1)
        fixed (float* p2 = y2)
            Run(x, tokens, workers, [(w0, (nint)p0), (w1, (nint)p1), (w2, (nint)p2)]);
    }

    /// <summary>One parallel loop per activation layout among the parts (one in all for a model of one weight type).</summary>
    static void Run(ReadOnlySpan<float> x, int tokens, CpuWorkers workers, ReadOnlySpan<(WeightMatrix Weights, nint Output)> parts)
    {
        var job = t_job ??= new MatMulJob();
        Span<bool> done = stackalloc bool[parts.Length];
        for (var i = 0; i < parts.Length; i++)
        {
            if (done[i]) continue;
            var layout = MatMulActivations.LayoutFor(parts[i].Weights.Type);
            job.Activations.Prepare(parts[i].Weights.Type, x, tokens, parts[i].Weights.Columns);
            for (var j = i; j < parts.Length; j++)
                if (!done[j] && MatMulActivations.LayoutFor(parts[j].Weights.Type) == layout)
                {
                    job.Add(parts[j].Weights, (float*)parts[j].Output);
                    done[j] = true;
                }
            try
            {
                job.Start(workers.ThreadCount);
                workers.For(job.ItemCount, job);
            }
            finally { job.Finish(); }
        }
    }

    /// <summary>Rows [rowStart, rowStart + rowCount) for every token, on the calling thread: the unit a caller with its
    /// own threading splits work into. <paramref name="y"/> is the whole output (Tokens × Rows).</summary>
    public static void ComputeRows(WeightMatrix w, MatMulActivations activations, Span<float> y, int rowStart, int rowCount)
    {
        if (activations.Columns != w.Columns || activations.Layout != MatMulActivations.LayoutFor(w.Type))
            throw new ArgumentException($"{w.Name}: the activations were prepared for {activations.Columns} columns as {activations.Layout}, not for {w.Columns} columns of {TensorTypeInfo.Name(w.Type)}");
        if (y.Length != (long)activations.Tokens * w.Rows) throw new ArgumentException($"{w.Name}: output holds {y.Length} values, not {activations.Tokens} × {w.Rows}");
        if (rowStart < 0 || rowCount < 0 || rowStart > w.Rows - rowCount) throw new ArgumentOutOfRangeException(nameof(rowCount), $"rows [{rowStart}, {rowStart + rowCount}) are outside 0..{w.Rows}");
        fixed (float* output = y) ComputeTile(w, activations, output, rowStart, rowStart + rowCount, 0, activations.Tokens);
    }

    static void CheckShapes(WeightMatrix w, int xLength, int yLength, int tokens)
    {
        ArgumentOutOfRangeException.ThrowIfNegativeOrZero(tokens);
        if (xLength != (long)tokens * w.Columns) throw new ArgumentException($"{w.Name}: input holds {xLength} values, not {tokens} tokens × {w.Columns} columns");
        if (yLength != (long)tokens * w.Rows) throw new ArgumentException($"{w.Name}: output holds {yLength} values, not {tokens} tokens × {w.Rows} rows");
    }

    static void ComputeTile(WeightMatrix w, MatMulActivations a, float* y, int row0, int row1, int t0, int t1)
    {
        switch (a.Layout, w.Type)
        {
            case (ActivationLayout.Blocks, TensorType.Q8_0) when w.Grouped: GroupedTile(w, a, y, row0, row1, t0, t1); break;
            case (ActivationLayout.Blocks, TensorType.Q8_0): BlockTile<Q8_0Block>(w, a, y, row0, row1, t0, t1); break;
            case (ActivationLayout.Blocks, TensorType.Q4_0): BlockTile<Q4_0Block>(w, a, y, row0, row1, t0, t1); break;
            case (ActivationLayout.Blocks, TensorType.Q5_0): BlockTile<Q5_0Block>(w, a, y, row0, row1, t0, t1); break;
            case (ActivationLayout.SuperBlocks, TensorType.Q4_K): Tile<Q4_KKernel>(w, a, y, row0, row1, t0, t1); break;
            case (ActivationLayout.SuperBlocks, TensorType.Q6_K): Tile<Q6_KKernel>(w, a, y, row0, row1, t0, t1); break;
            case (ActivationLayout.Floats, TensorType.F32) when Avx2.IsSupported && Fma.IsSupported: Tile<FloatKernel<F32Row>>(w, a, y, row0, row1, t0, t1); break;
            case (ActivationLayout.Floats, TensorType.F16) when Avx2.IsSupported && Fma.IsSupported: Tile<FloatKernel<F16Row>>(w, a, y, row0, row1, t0, t1); break;
            case (ActivationLayout.Floats, TensorType.BF16) when Avx2.IsSupported && Fma.IsSupported: Tile<FloatKernel<BF16Row>>(w, a, y, row0, row1, t0, t1); break;
            case (ActivationLayout.Floats, _): DequantizedTile(w, a, y, row0, row1, t0, t1); break;
            default: throw new InvalidOperationException($"no kernel for {TensorTypeInfo.Name(w.Type)} weights with {a.Layout} activations");
        }
    }

    [ThreadStatic] static float[]? t_row;

    /// <summary>Every other type, and every type without AVX2: dequantize a row once, then a float dot product per token.</summary>
    static void DequantizedTile(WeightMatrix w, MatMulActivations a, float* y, int row0, int row1, int t0, int t1)
    {
        if (t_row == null || t_row.Length < w.Columns) t_row = new float[w.Columns];
        var row = t_row.AsSpan(0, w.Columns);
        for (var r = row0; r < row1; r++)
        {
            Dequantize.Row(w, r, row);
            for (var t = t0; t < t1; t++)
                y[(long)t * w.Rows + r] = TensorPrimitives.Dot(row, new ReadOnlySpan<float>(a.Floats + (long)t * w.Columns, w.Columns));
        }
    }

    /// <summary>One call's state, reused by the calling thread across calls so that a matrix multiply allocates nothing.
    /// Tiles are <see cref="RowTile"/> rows × <see cref="TokenTile"/> tokens, row tiles outermost so that consecutive
    /// tiles share weight rows, the matrices' tiles one after another; a work item is a run of consecutive tiles.</summary>
    sealed class MatMulJob : ICpuWork
    {
        /// <summary>Matrices one loop takes at most: a layer's query, key and value.</summary>
        const int MaxParts = 3;

        public readonly MatMulActivations Activations = new();
        readonly WeightMatrix?[] _weights = new WeightMatrix?[MaxParts];
        readonly nint[] _outputs = new nint[MaxParts];
        /// <summary>Part p's tiles are [_firstTile[p], _firstTile[p + 1]).</summary>
        readonly int[] _firstTile = new int[MaxParts + 1];
        int _parts;
        int _tokenTiles;
        int _tilesPerItem;

        int TileCount => _firstTile[_parts];

        public int ItemCount => (TileCount + _tilesPerItem - 1) / _tilesPerItem;

        public void Add(WeightMatrix w, float* y)
        {
            if (_parts == MaxParts) throw new InvalidOperationException($"a matrix multiply takes at most {MaxParts} matrices");
            _weights[_parts] = w;
            _outputs[_parts] = (nint)y;
            _parts++;
        }

        public void Start(int threads)
        {
            _tokenTiles = (Activations.Tokens + TokenTile - 1) / TokenTile;
            for (var p = 0; p < _parts; p++)
                _firstTile[p + 1] = _firstTile[p] + (_weights[p]!.Rows + RowTile - 1) / RowTile * _tokenTiles;
            _tilesPerItem = Math.Max(1, TileCount / (threads * ItemsPerThread));
        }

        public void Finish()
        {
            Array.Clear(_weights);
            Array.Clear(_outputs);
            _parts = 0;
        }

        public void Run(int item)
        {
            var end = Math.Min(TileCount, (item + 1) * _tilesPerItem);
            var part = 0;
            for (var index = item * _tilesPerItem; index < end; index++)
            {
                while (index >= _firstTile[part + 1]) part++;
                var w = _weights[part]!;
                var local = index - _firstTile[part];
                var row0 = local / _tokenTiles * RowTile;
                var t0 = local % _tokenTiles * TokenTile;
                ComputeTile(w, Activations, (float*)_outputs[part], row0, Math.Min(w.Rows, row0 + RowTile), t0, Math.Min(Activations.Tokens, t0 + TokenTile));
            }
        }
    }
}

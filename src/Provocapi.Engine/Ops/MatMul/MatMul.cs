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
        var job = t_job ??= new MatMulJob();
        job.Activations.Prepare(w.Type, x, tokens, w.Columns);
        fixed (float* output = y)
        {
            job.Start(w, output, workers.ThreadCount);
            try { workers.For(job.ItemCount, job); }
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
    /// tiles share weight rows; a work item is a run of consecutive tiles.</summary>
    sealed class MatMulJob : ICpuWork
    {
        public readonly MatMulActivations Activations = new();
        WeightMatrix? _weights;
        float* _y;
        int _rowTiles;
        int _tokenTiles;
        int _tilesPerItem;

        int TileCount => _rowTiles * _tokenTiles;

        public int ItemCount => (TileCount + _tilesPerItem - 1) / _tilesPerItem;

        public void Start(WeightMatrix w, float* y, int threads)
        {
            _weights = w;
            _y = y;
            _rowTiles = (w.Rows + RowTile - 1) / RowTile;
            _tokenTiles = (Activations.Tokens + TokenTile - 1) / TokenTile;
            _tilesPerItem = Math.Max(1, TileCount / (threads * ItemsPerThread));
        }

        public void Finish()
        {
            _weights = null;
            _y = null;
        }

        public void Run(int item)
        {
            var w = _weights!;
            var end = Math.Min(TileCount, (item + 1) * _tilesPerItem);
            for (var index = item * _tilesPerItem; index < end; index++)
            {
                var row0 = index / _tokenTiles * RowTile;
                var t0 = index % _tokenTiles * TokenTile;
                ComputeTile(w, Activations, _y, row0, Math.Min(w.Rows, row0 + RowTile), t0, Math.Min(Activations.Tokens, t0 + TokenTile));
            }
        }
    }
}

using System.Runtime.CompilerServices;
using System.Runtime.InteropServices;
using System.Runtime.Intrinsics;
using System.Runtime.Intrinsics.X86;
using Provocapi.Engine.Tensors;

namespace Provocapi.Engine.Ops;

/// <summary>
/// Several tokens against the 32-element block types, register-blocked four rows × two tokens: each block of weights
/// is unpacked once for two tokens and each block of activations is loaded once for four rows, and the eight scale
/// products d_w·d_x of a block come from one vector multiply (a scalar product per row and token would compete with
/// the integer multiplies for the same two pipes).
/// </summary>
public static unsafe partial class MatMul
{
    const int BlockTileRows = 4;
    const int CacheLine = 64;

    /// <summary>Tokens two at a time, each pair against the rows in groups of four: the pair's activations stay in L1
    /// while the tile's rows pass. The rows left over at the end of the range and an odd last token go through
    /// <see cref="BlockKernel{TBlock}"/>, whose per-token arithmetic is the same, so a row's result does not depend on
    /// how a caller splits the rows.</summary>
    static void BlockTile<TBlock>(WeightMatrix w, MatMulActivations a, float* y, int row0, int row1, int t0, int t1) where TBlock : struct, IBlock32
    {
        var rows = (row1 - row0) / BlockTileRows * BlockTileRows;
        var t = t0;
        var rowScales = t1 - t0 >= 2 ? RowScales<TBlock>(w, row0, rows, a.BlocksPerToken) : null;
        // The rows after the tile, prefetched a few cache lines per call over all of this tile's passes. A tile's
        // rows are first read group by group, four short rows at a time: too short a stream for the hardware
        // prefetcher, so without this every tile would start with the full memory latency.
        var next = w.Row(Math.Min(row1, w.Rows - 1));
        var nextLines = (int)(Math.Min(RowTile, w.Rows - row1) * w.RowBytes / CacheLine);
        var calls = (t1 - t0) / 2 * (rows / BlockTileRows);
        var linesPerCall = calls == 0 ? 0 : (nextLines + calls - 1) / calls;
        var issued = 0;
        for (; t + 2 <= t1; t += 2)
        {
            for (var r = 0; r < rows; r += BlockTileRows)
            {
                var lines = Math.Min(linesPerCall, nextLines - issued);
                FourRowsTwoTokens<TBlock>(w, a, y, row0 + r, t, rowScales + (long)r * a.BlocksPerToken, next + (long)issued * CacheLine, lines);
                issued += lines;
            }
            Tokens<BlockKernel<TBlock>, Two>(w, a, y, row0 + rows, row1, t);
        }
        if (t < t1) Tokens<BlockKernel<TBlock>, One>(w, a, y, row0, row1, t);
    }

    /// <summary>y for rows r..r+3 and tokens t, t+1, given the rows' block scales from <see cref="RowScales{TBlock}"/>.
    /// Accumulator acc{i}{j} holds row i, token j. The <paramref name="prefetchLines"/> cache lines from
    /// <paramref name="prefetch"/> are prefetched spread over the blocks.</summary>
    static void FourRowsTwoTokens<TBlock>(WeightMatrix w, MatMulActivations a, float* y, int r, int t, float* rowScales, byte* prefetch, int prefetchLines) where TBlock : struct, IBlock32
    {
        var blocks = a.BlocksPerToken;
        long columns = a.Columns;
        var stride = w.RowBytes;
        var row = w.Row(r);
        var x = a.Quants + t * columns;
        var s = a.Scales + (long)t * blocks;
        var p = ScaleProductSlot();
        Vector256<float> acc00 = default, acc10 = default, acc20 = default, acc30 = default;
        Vector256<float> acc01 = default, acc11 = default, acc21 = default, acc31 = default;
        for (var b = 0; b < blocks; b++, row += TBlock.Bytes, x += 32, s++, rowScales += BlockTileRows)
        {
            for (var line = b; line < prefetchLines; line += blocks) Sse.Prefetch0(prefetch + (long)line * CacheLine);
            var r4 = Sse.LoadVector128(rowScales);
            Avx.Store(p, Vector256.Create(r4, r4) * Vector256.Create(Vector128.Create(s[0]), Vector128.Create(s[blocks])));
            var x0 = Avx.LoadVector256(x);
            var x1 = Avx.LoadVector256(x + columns);
            var w0 = TBlock.Quants(row);
            var m0 = Avx2.Abs(w0);
            acc00 = TileStep(m0, w0, x0, p[0], acc00);
            acc01 = TileStep(m0, w0, x1, p[4], acc01);
            var w1 = TBlock.Quants(row + stride);
            var m1 = Avx2.Abs(w1);
            acc10 = TileStep(m1, w1, x0, p[1], acc10);
            acc11 = TileStep(m1, w1, x1, p[5], acc11);
            var w2 = TBlock.Quants(row + 2 * stride);
            var m2 = Avx2.Abs(w2);
            acc20 = TileStep(m2, w2, x0, p[2], acc20);
            acc21 = TileStep(m2, w2, x1, p[6], acc21);
            var w3 = TBlock.Quants(row + 3 * stride);
            var m3 = Avx2.Abs(w3);
            acc30 = TileStep(m3, w3, x0, p[3], acc30);
            acc31 = TileStep(m3, w3, x1, p[7], acc31);
        }
        long rows = w.Rows;
        Sse.Store(y + t * rows + r, SumFour(acc00, acc10, acc20, acc30));
        Sse.Store(y + (t + 1) * rows + r, SumFour(acc01, acc11, acc21, acc31));
    }

    [ThreadStatic] static float[]? t_rowScales;
    [ThreadStatic] static float[]? t_scaleProducts;

    /// <summary>The block scales of rows row0..row0+rows as floats, four rows side by side per block
    /// (group g, block b, row i at 4·(g·blocks + b) + i): widened once per tile rather than once per pair of tokens.</summary>
    static float* RowScales<TBlock>(WeightMatrix w, int row0, int rows, int blocks) where TBlock : struct, IBlock32
    {
        var scales = Scratch(ref t_rowScales, rows * blocks);
        var stride = w.RowBytes;
        for (var g = 0; g < rows / BlockTileRows; g++)
        {
            var row = w.Row(row0 + g * BlockTileRows);
            var group = scales + (long)g * BlockTileRows * blocks;
            for (var b = 0; b < blocks; b++, row += TBlock.Bytes)
                Sse.Store(group + BlockTileRows * b, Vector128.Create(TBlock.Scale(row), TBlock.Scale(row + stride), TBlock.Scale(row + 2 * stride), TBlock.Scale(row + 3 * stride)));
        }
        return scales;
    }

    /// <summary>Where a block's eight scale products d_w·d_x (lane 4·j + i for row i and token j) are stored and read
    /// back one broadcast at a time: a broadcast from memory costs a load, while one from a register costs a shuffle on
    /// the pipes the integer multiplies need. The slot is a cache line of its own, padded so that no other thread's
    /// data shares the line it is written to for every block.</summary>
    static float* ScaleProductSlot()
    {
        var buffer = Scratch(ref t_scaleProducts, 64);
        return (float*)(((nuint)buffer + 127) & ~(nuint)63);
    }

    /// <summary>A pinned per-thread buffer of at least <paramref name="length"/> floats.</summary>
    static float* Scratch(ref float[]? buffer, int length)
    {
        if (buffer == null || buffer.Length < length) buffer = GC.AllocateArray<float>(length, pinned: true);
        return (float*)Unsafe.AsPointer(ref MemoryMarshal.GetArrayDataReference(buffer));
    }

    /// <summary>One block of one row against one token: the sign trick of <see cref="BlockKernel{TBlock}"/>, then
    /// the int32 sums scaled by d_w·d_x into the accumulator.</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    static Vector256<float> TileStep(Vector256<byte> magnitude, Vector256<sbyte> w, Vector256<sbyte> x, float scale, Vector256<float> acc)
    {
        var pairs = Avx2.MultiplyAddAdjacent(magnitude, Avx2.Sign(x, w));
        var sums = Avx2.MultiplyAddAdjacent(pairs, Vector256.Create((short)1));
        return Fma.MultiplyAdd(Avx.ConvertToVector256Single(sums), Vector256.Create(scale), acc);
    }

    /// <summary>The horizontal sums of four accumulators, in order, each added up in the same order as <see cref="Sum"/>
    /// so that results match <see cref="BlockKernel{TBlock}"/> bit for bit.</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    static Vector128<float> SumFour(Vector256<float> a, Vector256<float> b, Vector256<float> c, Vector256<float> d)
    {
        Vector128<float> ha = a.GetLower() + a.GetUpper(), hb = b.GetLower() + b.GetUpper();
        Vector128<float> hc = c.GetLower() + c.GetUpper(), hd = d.GetLower() + d.GetUpper();
        var ab = Sse.UnpackLow(ha, hb) + Sse.UnpackHigh(ha, hb);
        var cd = Sse.UnpackLow(hc, hd) + Sse.UnpackHigh(hc, hd);
        return Sse.MoveLowToHigh(ab, cd) + Sse.MoveHighToLow(cd, ab);
    }
}

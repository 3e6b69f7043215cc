using Provocapi.Engine.KvCache;

namespace Provocapi.Engine.Ops;

public static unsafe partial class Attention
{
    /// <summary>softmax(q·Kᵀ/√d)·V for one head, in double, position by position.</summary>
    public static void Reference(ReadOnlySpan<float> query, KvPageTable table, int layer, int length, Geometry g, int head, Span<float> output)
    {
        var pool = table.Pool;
        var type = pool.Shape.Type;
        var kvColumn = head / g.GroupSize * g.HeadDim;
        var q = query.Slice(head * g.HeadDim, g.HeadDim);
        var scores = new double[length];
        var max = double.NegativeInfinity;
        for (var t = 0; t < length; t++)
        {
            var (page, slot) = table.Locate(t);
            var k = pool.Key(layer, page, slot);
            double dot = 0;
            for (var i = 0; i < g.HeadDim; i++) dot += (double)q[i] * KvRows.Read(type, k, kvColumn + i);
            scores[t] = dot / Math.Sqrt(g.HeadDim);
            max = Math.Max(max, scores[t]);
        }
        double sum = 0;
        for (var t = 0; t < length; t++) sum += scores[t] = Math.Exp(scores[t] - max);
        var o = output.Slice(head * g.HeadDim, g.HeadDim);
        for (var i = 0; i < g.HeadDim; i++)
        {
            double acc = 0;
            for (var t = 0; t < length; t++)
            {
                var (page, slot) = table.Locate(t);
                acc += scores[t] / sum * KvRows.Read(type, pool.Value(layer, page, slot), kvColumn + i);
            }
            o[i] = (float)acc;
        }
    }
}

namespace Provocapi.Engine.Ops;

public static partial class SelfAttention
{
    public static void Reference(ReadOnlySpan<float> q, ReadOnlySpan<float> k, ReadOnlySpan<float> v, int length, int stride, int head, int headDim, Span<float> output)
    {
        var offset = head * headDim;
        var scale = 1 / Math.Sqrt(headDim);
        var scores = new double[length];
        for (var i = 0; i < length; i++)
        {
            var max = double.NegativeInfinity;
            for (var j = 0; j < length; j++)
            {
                double dot = 0;
                for (var c = 0; c < headDim; c++) dot += (double)q[i * stride + offset + c] * k[j * stride + offset + c];
                scores[j] = dot * scale;
                max = Math.Max(max, scores[j]);
            }
            double sum = 0;
            for (var j = 0; j < length; j++) sum += scores[j] = Math.Exp(scores[j] - max);
            for (var c = 0; c < headDim; c++)
            {
                double acc = 0;
                for (var j = 0; j < length; j++) acc += scores[j] / sum * v[j * stride + offset + c];
                output[i * stride + offset + c] = (float)acc;
            }
        }
    }
}

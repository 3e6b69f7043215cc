using System.Numerics.Tensors;

namespace Provocapi.Engine.Ops;

public static partial class SelfAttention
{
    public static void Simd(ReadOnlySpan<float> q, ReadOnlySpan<float> k, ReadOnlySpan<float> v, int length, int stride, int head, int headDim,
        Span<float> output, Span<float> scores)
    {
        var offset = head * headDim;
        var scale = 1f / MathF.Sqrt(headDim);
        var s = scores[..length];
        for (var i = 0; i < length; i++)
        {
            var query = q.Slice(i * stride + offset, headDim);
            for (var j = 0; j < length; j++) s[j] = TensorPrimitives.Dot(query, k.Slice(j * stride + offset, headDim)) * scale;
            Softmax.Simd(s);
            var o = output.Slice(i * stride + offset, headDim);
            TensorPrimitives.Multiply(v.Slice(offset, headDim), s[0], o);
            for (var j = 1; j < length; j++) TensorPrimitives.MultiplyAdd(v.Slice(j * stride + offset, headDim), s[j], o, o);
        }
    }
}

using System.Numerics.Tensors;

namespace Provocapi.Engine.Ops;

public static partial class Softmax
{
    public static void Simd(Span<float> x)
    {
        if (x.IsEmpty) return;
        var max = TensorPrimitives.Max(x);
        TensorPrimitives.Subtract(x, max, x);
        TensorPrimitives.Exp(x, x);
        TensorPrimitives.Divide(x, TensorPrimitives.Sum(x), x);
    }
}

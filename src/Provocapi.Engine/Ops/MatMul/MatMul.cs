using Provocapi.Engine.Backends.Cpu;
using Provocapi.Engine.Ops.Dequantize;
using Provocapi.Engine.Tensors;

namespace Provocapi.Engine.Ops.MatMul;

public static unsafe class MatMul
{
    public static void Compute(WeightMatrix w, ReadOnlySpan<float> x, Span<float> y, int tokens, CpuWorkers workers)
    {
        fixed (float* xp = x) fixed (float* yp = y)
        {
            var xa = (nint)xp; var ya = (nint)yp;
            workers.For(w.Rows, r =>
            {
                Span<float> row = stackalloc float[w.Columns];
                Dequantize.Dequantize.Row(w.Type, w.Row(r), row);
                for (var t = 0; t < tokens; t++)
                {
                    var xs = new ReadOnlySpan<float>((float*)xa + t * w.Columns, w.Columns);
                    ((float*)ya)[t * w.Rows + r] = System.Numerics.Tensors.TensorPrimitives.Dot(row, xs);
                }
            });
        }
    }
}

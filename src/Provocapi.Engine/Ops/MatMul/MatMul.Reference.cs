using Provocapi.Engine.Tensors;

namespace Provocapi.Engine.Ops;

public static unsafe partial class MatMul
{
    /// <summary>The slow, obvious twin of <see cref="Compute"/>: dequantize each row (a regrouped matrix's rows taken
    /// back out one by one) with the reference dequantizer and
    /// accumulate y[t·Rows + r] = Σ_c W[r, c]·x[t·Columns + c] in double. No activation quantization.</summary>
    public static void ComputeReference(WeightMatrix w, ReadOnlySpan<float> x, Span<float> y, int tokens)
    {
        CheckShapes(w, x.Length, y.Length, tokens);
        var row = new float[w.Columns];
        for (var r = 0; r < w.Rows; r++)
        {
            Dequantize.RowReference(w, r, row);
            for (var t = 0; t < tokens; t++)
            {
                var input = x.Slice(t * w.Columns, w.Columns);
                double sum = 0;
                for (var c = 0; c < w.Columns; c++) sum += (double)row[c] * input[c];
                y[t * w.Rows + r] = (float)sum;
            }
        }
    }
}

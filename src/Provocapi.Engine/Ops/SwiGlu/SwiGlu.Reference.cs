namespace Provocapi.Engine.Ops;

public static partial class SwiGlu
{
    public static void Reference(ReadOnlySpan<float> gate, ReadOnlySpan<float> up, Span<float> h)
    {
        for (var i = 0; i < h.Length; i++)
        {
            double g = gate[i];
            h[i] = (float)(g / (1 + Math.Exp(-g)) * up[i]);
        }
    }
}

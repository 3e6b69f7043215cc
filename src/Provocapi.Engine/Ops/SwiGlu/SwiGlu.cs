namespace Provocapi.Engine.Ops;

/// <summary>The gated feed-forward activation of Llama (Shazeer, "GLU Variants Improve Transformer"): h = silu(gate) · up.</summary>
public static partial class SwiGlu
{
    public static void Apply(ReadOnlySpan<float> gate, ReadOnlySpan<float> up, Span<float> h) => Simd(gate, up, h);
}

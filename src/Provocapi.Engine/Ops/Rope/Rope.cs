namespace Provocapi.Engine.Ops;

/// <summary>
/// Rotary position embedding (Su et al., RoFormer): each pair of a head's first <c>rotaryDims</c> dimensions is
/// rotated by position·invFreq[i]. <paramref name="invFrequencies"/> already carries any rope scaling.
/// </summary>
public static partial class Rope
{
    /// <summary>Rotates every head of one token's vector <paramref name="x"/> (heads × headDim) in place.</summary>
    public static void Apply(Span<float> x, int headDim, int position, ReadOnlySpan<float> invFrequencies, RopeLayout layout)
    {
        var pairs = invFrequencies.Length;
        Span<float> cos = stackalloc float[pairs];
        Span<float> sin = stackalloc float[pairs];
        for (var i = 0; i < pairs; i++)
            (sin[i], cos[i]) = MathF.SinCos(position * invFrequencies[i]);
        for (var h = 0; h < x.Length / headDim; h++)
            Simd(x.Slice(h * headDim, headDim), cos, sin, layout);
    }
}

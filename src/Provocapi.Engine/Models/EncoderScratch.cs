namespace Provocapi.Engine.Models;

/// <summary>Activation buffers for one encoder batch, grown to the largest batch seen and reused.</summary>
public sealed class EncoderScratch
{
    public float[] X = [], Query = [], Key = [], Value = [], Attention = [], Projected = [], Hidden = [];

    public void Ensure(EncoderConfig c, int tokens)
    {
        var d = tokens * c.EmbeddingDim;
        Grow(ref X, d);
        Grow(ref Query, d);
        Grow(ref Key, d);
        Grow(ref Value, d);
        Grow(ref Attention, d);
        Grow(ref Projected, d);
        Grow(ref Hidden, tokens * c.FeedForwardDim);
    }

    static void Grow(ref float[] buffer, int length)
    {
        if (buffer.Length < length) buffer = new float[length];
    }
}

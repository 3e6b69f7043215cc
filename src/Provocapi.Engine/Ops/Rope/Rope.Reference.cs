namespace Provocapi.Engine.Ops;

public static partial class Rope
{
    /// <summary>One head, computed in double from the angle, as the papers write it.</summary>
    public static void Reference(Span<float> head, int position, ReadOnlySpan<float> invFrequencies, RopeLayout layout)
    {
        var pairs = invFrequencies.Length;
        for (var i = 0; i < pairs; i++)
        {
            var angle = (double)position * invFrequencies[i];
            var (a, b) = layout == RopeLayout.AdjacentPairs ? (2 * i, 2 * i + 1) : (i, i + pairs);
            double x0 = head[a], x1 = head[b];
            head[a] = (float)(x0 * Math.Cos(angle) - x1 * Math.Sin(angle));
            head[b] = (float)(x0 * Math.Sin(angle) + x1 * Math.Cos(angle));
        }
    }
}

namespace Provocapi.Engine.Tests.Ops;

/// <summary>Random, never-zero test data from a fixed seed.</summary>
public static class RandomData
{
    public static float[] Floats(int length, int seed, float scale = 1f)
    {
        var random = new Random(seed);
        var values = new float[length];
        for (var i = 0; i < length; i++)
        {
            var v = (random.NextSingle() * 2 - 1) * scale;
            values[i] = v == 0 ? scale / 7 : v;
        }
        return values;
    }

    /// <summary>Largest |a − b| relative to the largest |b| (the normalized error of ggml's test-backend-ops).</summary>
    public static double NormalizedError(ReadOnlySpan<float> actual, ReadOnlySpan<float> expected)
    {
        double maxDiff = 0, maxRef = 1e-12;
        for (var i = 0; i < expected.Length; i++)
        {
            maxDiff = Math.Max(maxDiff, Math.Abs(actual[i] - expected[i]));
            maxRef = Math.Max(maxRef, Math.Abs(expected[i]));
        }
        return maxDiff / maxRef;
    }
}

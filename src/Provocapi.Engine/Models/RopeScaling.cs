namespace Provocapi.Engine.Models;

/// <summary>How a model stretches RoPE beyond its training context.</summary>
public abstract record RopeScaling
{
    /// <summary>Rescales the base inverse frequencies in place.</summary>
    public abstract void Apply(Span<float> invFrequencies);

    /// <summary>Position interpolation (Chen et al., 2023): every frequency divided by the factor.</summary>
    public sealed record Linear(float Factor) : RopeScaling
    {
        public override void Apply(Span<float> invFrequencies)
        {
            for (var i = 0; i < invFrequencies.Length; i++) invFrequencies[i] /= Factor;
        }
    }

    /// <summary>Llama 3.1's scheme, as transformers' <c>_compute_llama3_parameters</c>: long wavelengths scaled, short kept, a smooth ramp between.</summary>
    public sealed record Llama3(float Factor, float LowFreqFactor, float HighFreqFactor, int OriginalContextLength) : RopeScaling
    {
        public override void Apply(Span<float> invFrequencies)
        {
            var lowFreqWavelength = OriginalContextLength / LowFreqFactor;
            var highFreqWavelength = OriginalContextLength / HighFreqFactor;
            for (var i = 0; i < invFrequencies.Length; i++)
            {
                var wavelength = 2 * MathF.PI / invFrequencies[i];
                if (wavelength > lowFreqWavelength) invFrequencies[i] /= Factor;
                else if (wavelength >= highFreqWavelength)
                {
                    var smooth = (OriginalContextLength / wavelength - LowFreqFactor) / (HighFreqFactor - LowFreqFactor);
                    invFrequencies[i] = (1 - smooth) * invFrequencies[i] / Factor + smooth * invFrequencies[i];
                }
            }
        }
    }

    /// <summary>Per-frequency divisors stored with the weights (GGUF's <c>rope_freqs.weight</c>, which llama.cpp's converter computes for Llama 3).</summary>
    public sealed record FrequencyFactors(float[] Factors) : RopeScaling
    {
        public override void Apply(Span<float> invFrequencies)
        {
            for (var i = 0; i < invFrequencies.Length; i++) invFrequencies[i] /= Factors[i];
        }
    }

    /// <summary>theta^(−2i/d) for each rotated pair, then the scaling.</summary>
    public static float[] InverseFrequencies(TransformerConfig config)
    {
        var pairs = config.RopeDims / 2;
        var inv = new float[pairs];
        for (var i = 0; i < pairs; i++) inv[i] = (float)Math.Pow(config.RopeTheta, -2.0 * i / config.RopeDims);
        config.RopeScaling?.Apply(inv);
        return inv;
    }
}

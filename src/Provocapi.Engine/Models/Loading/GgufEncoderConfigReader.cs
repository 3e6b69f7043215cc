using Provocapi.Engine.Formats;
using Provocapi.Engine.Formats.Gguf;

namespace Provocapi.Engine.Models.Loading;

/// <summary>Reads an <see cref="EncoderConfig"/> from a GGUF file of architecture <c>bert</c> (keys as llama.cpp's convert_hf_to_gguf writes them).</summary>
public static class GgufEncoderConfigReader
{
    public static readonly string[] Architectures = ["bert"];

    public static EncoderConfig Read(GgufFile file)
    {
        var arch = file.GetString("general.architecture")
            ?? throw new ModelFormatException($"{file.Path}: no general.architecture; is this a model file?");
        if (!Architectures.Contains(arch))
            throw new ModelFormatException($"{file.Path}: architecture '{arch}' is not an encoder this engine runs (supported: {string.Join(", ", Architectures)})");
        int Int(string key) => (int)(file.GetInteger($"{arch}.{key}") ?? throw new ModelFormatException($"{file.Path}: metadata {arch}.{key} is missing"));
        long Rows(string tensor) => file.TryGetTensor(tensor, out var info) && info.Shape.Length == 2
            ? (long)info.Shape[1]
            : throw new ModelFormatException($"{file.Path}: tensor '{tensor}' is missing or not a matrix");
        var dim = Int("embedding_length");
        var config = new EncoderConfig
        {
            Architecture = arch,
            EmbeddingDim = dim,
            LayerCount = Int("block_count"),
            HeadCount = Int("attention.head_count"),
            FeedForwardDim = Int("feed_forward_length"),
            VocabSize = (int)Rows("token_embd.weight"),
            PositionCount = (int)Math.Min(Rows("position_embd.weight"), Int("context_length")),
            TokenTypeCount = (int)Rows("token_types.weight"),
            LayerNormEps = (float)(file.GetFloat($"{arch}.attention.layer_norm_epsilon") ?? 1e-12),
            Pooling = file.GetInteger($"{arch}.pooling_type") switch
            {
                null or 2 => EmbeddingPooling.Cls,
                1 => EmbeddingPooling.Mean,
                3 => EmbeddingPooling.Last,
                // llama.cpp's LLAMA_POOLING_TYPE_*: 0 none (per-token states) and 4 rank (rerankers) give no sentence vector.
                var other => throw new ModelFormatException($"{file.Path}: {arch}.pooling_type {other} is not supported (1 mean, 2 cls, 3 last are)"),
            },
            // GGUF does not say; llama.cpp's embedding tools normalize (L2) by default, and so do the BGE and MiniLM models converted to it.
            Normalize = true,
        };
        config.Validate(file.Path);
        return config;
    }
}

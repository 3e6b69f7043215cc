using Provocapi.Engine.Formats;
using Provocapi.Engine.Formats.Gguf;
using Provocapi.Engine.Ops;

namespace Provocapi.Engine.Models.Loading;

/// <summary>Reads a Llama-family <see cref="TransformerConfig"/> from GGUF metadata (keys as llama.cpp's gguf-py writes them).</summary>
public static class GgufConfigReader
{
    /// <summary>GGUF architectures this engine runs, and the RoPE layout their files assume.</summary>
    static readonly Dictionary<string, RopeLayout> Supported = new()
    {
        ["llama"] = RopeLayout.AdjacentPairs,
        ["mistral"] = RopeLayout.AdjacentPairs,
        ["qwen2"] = RopeLayout.HalfSplit,
    };

    public static TransformerConfig Read(GgufFile file)
    {
        var arch = file.GetString("general.architecture")
            ?? throw new ModelFormatException($"{file.Path}: no general.architecture; is this a model file?");
        if (!Supported.TryGetValue(arch, out var layout))
            throw new ModelFormatException($"{file.Path}: architecture '{arch}' is not supported (supported: {string.Join(", ", Supported.Keys)})");
        if (file.Tensors.Count == 0)
            throw new ModelFormatException($"{file.Path}: the file holds no tensors (a vocabulary-only GGUF can tokenize but not generate)");

        int Int(string key) => (int)(file.GetInteger($"{arch}.{key}") ?? throw new ModelFormatException($"{file.Path}: metadata {arch}.{key} is missing"));
        var dim = Int("embedding_length");
        var heads = Int("attention.head_count");
        var headDim = (int)(file.GetInteger($"{arch}.attention.key_length") ?? (heads > 0 ? dim / heads : 0));
        var vocab = (int)(file.GetInteger($"{arch}.vocab_size")
            ?? (file.TryGetTensor("token_embd.weight", out var embd) ? embd.Shape[^1] : file.GetArray<string>("tokenizer.ggml.tokens")?.Length ?? 0));

        RopeScaling? scaling = null;
        if (file.TryGetTensor("rope_freqs.weight", out var freqs))
            scaling = new RopeScaling.FrequencyFactors(new GgufTensorSource(file).Vector(freqs.Name, (int)freqs.ElementCount));
        else if (file.GetString($"{arch}.rope.scaling.type") == "linear" && file.GetFloat($"{arch}.rope.scaling.factor") is { } factor and > 0)
            scaling = new RopeScaling.Linear((float)factor);

        var config = new TransformerConfig
        {
            Architecture = arch,
            EmbeddingDim = dim,
            LayerCount = Int("block_count"),
            HeadCount = heads,
            KvHeadCount = (int)(file.GetInteger($"{arch}.attention.head_count_kv") ?? heads),
            HeadDim = headDim,
            FeedForwardDim = Int("feed_forward_length"),
            VocabSize = vocab,
            ContextLength = Int("context_length"),
            RmsNormEps = (float)(file.GetFloat($"{arch}.attention.layer_norm_rms_epsilon") ?? 1e-5),
            RopeTheta = (float)(file.GetFloat($"{arch}.rope.freq_base") ?? 10000),
            RopeDims = (int)(file.GetInteger($"{arch}.rope.dimension_count") ?? headDim),
            RopeLayout = layout,
            RopeScaling = scaling,
            AttentionBias = arch == "qwen2",
            TiedEmbeddings = !file.TryGetTensor("output.weight", out _),
        };
        config.Validate(file.Path);
        return config;
    }
}

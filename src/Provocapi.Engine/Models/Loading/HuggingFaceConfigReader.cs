using System.Text.Json;
using Provocapi.Engine.Formats;
using Provocapi.Engine.Ops;

namespace Provocapi.Engine.Models.Loading;

/// <summary>Reads a Llama-family <see cref="TransformerConfig"/> from a Hugging Face <c>config.json</c>.</summary>
public static class HuggingFaceConfigReader
{
    static readonly string[] SupportedTypes = ["llama", "mistral", "qwen2"];

    public static TransformerConfig Read(string folder)
    {
        var path = Path.Combine(folder, "config.json");
        if (!File.Exists(path)) throw new ModelFormatException($"{folder}: no config.json");
        JsonElement root;
        try { using var doc = JsonDocument.Parse(File.ReadAllBytes(path)); root = doc.RootElement.Clone(); }
        catch (JsonException e) { throw new ModelFormatException($"{path}: not valid JSON ({e.Message})"); }

        var type = root.TryGetProperty("model_type", out var t) ? t.GetString() : null;
        if (type == null || !SupportedTypes.Contains(type))
            throw new ModelFormatException($"{path}: model_type '{type}' is not supported (supported: {string.Join(", ", SupportedTypes)})");

        int Int(string key, int? fallback = null) =>
            root.TryGetProperty(key, out var v) && v.ValueKind == JsonValueKind.Number ? v.GetInt32()
            : fallback ?? throw new ModelFormatException($"{path}: '{key}' is missing");
        double Num(string key, double fallback) =>
            root.TryGetProperty(key, out var v) && v.ValueKind == JsonValueKind.Number ? v.GetDouble() : fallback;
        bool Bool(string key, bool fallback) =>
            root.TryGetProperty(key, out var v) && v.ValueKind is JsonValueKind.True or JsonValueKind.False ? v.GetBoolean() : fallback;

        var dim = Int("hidden_size");
        var heads = Int("num_attention_heads");
        var headDim = root.TryGetProperty("head_dim", out var hd) && hd.ValueKind == JsonValueKind.Number ? hd.GetInt32() : dim / Math.Max(heads, 1);
        var config = new TransformerConfig
        {
            Architecture = type,
            EmbeddingDim = dim,
            LayerCount = Int("num_hidden_layers"),
            HeadCount = heads,
            KvHeadCount = Int("num_key_value_heads", heads),
            HeadDim = headDim,
            FeedForwardDim = Int("intermediate_size"),
            VocabSize = Int("vocab_size"),
            ContextLength = Int("max_position_embeddings", 2048),
            RmsNormEps = (float)Num("rms_norm_eps", 1e-6),
            RopeTheta = (float)Num("rope_theta", 10000),
            RopeDims = headDim,
            RopeLayout = RopeLayout.HalfSplit,
            RopeScaling = ReadScaling(root, path),
            AttentionBias = type == "qwen2" || Bool("attention_bias", false),
            TiedEmbeddings = Bool("tie_word_embeddings", false),
        };
        config.Validate(path);
        return config;
    }

    static RopeScaling? ReadScaling(JsonElement root, string path)
    {
        if (!root.TryGetProperty("rope_scaling", out var s) || s.ValueKind != JsonValueKind.Object) return null;
        var kind = s.TryGetProperty("rope_type", out var rt) ? rt.GetString() : s.TryGetProperty("type", out var ty) ? ty.GetString() : null;
        float F(string key) => s.TryGetProperty(key, out var v) && v.ValueKind == JsonValueKind.Number ? v.GetSingle()
            : throw new ModelFormatException($"{path}: rope_scaling.{key} is missing");
        return kind switch
        {
            "llama3" => new RopeScaling.Llama3(F("factor"), F("low_freq_factor"), F("high_freq_factor"), (int)F("original_max_position_embeddings")),
            "linear" => new RopeScaling.Linear(F("factor")),
            "default" => null,
            _ => throw new ModelFormatException($"{path}: rope_scaling type '{kind}' is not supported (llama3 and linear are)"),
        };
    }
}

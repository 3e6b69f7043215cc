using System.Text.Json;
using Provocapi.Engine.Formats;

namespace Provocapi.Engine.Models.Loading;

/// <summary>
/// Reads an <see cref="EncoderConfig"/> from a Hugging Face folder: <c>config.json</c> (model_type bert or xlm-roberta)
/// and, when the folder is a sentence-transformers model, the pooling of <c>modules.json</c>'s Pooling module
/// (<c>1_Pooling/config.json</c>) and whether a Normalize module follows it.
/// </summary>
public static class HuggingFaceEncoderConfigReader
{
    public static readonly string[] ModelTypes = ["bert", "xlm-roberta", "roberta"];

    public static EncoderConfig Read(string folder)
    {
        var path = Path.Combine(folder, "config.json");
        var root = ReadJson(path) ?? throw new ModelFormatException($"{folder}: no config.json");
        var type = root.TryGetProperty("model_type", out var t) ? t.GetString() : null;
        if (type == null || !ModelTypes.Contains(type))
            throw new ModelFormatException($"{path}: model_type '{type}' is not an encoder this engine runs (supported: {string.Join(", ", ModelTypes)})");
        int Int(string key, int? fallback = null) =>
            root.TryGetProperty(key, out var v) && v.ValueKind == JsonValueKind.Number ? v.GetInt32()
            : fallback ?? throw new ModelFormatException($"{path}: '{key}' is missing");
        var activation = root.TryGetProperty("hidden_act", out var act) ? act.GetString() : "gelu";
        if (activation != "gelu")
            throw new ModelFormatException($"{path}: hidden_act '{activation}' is not supported (gelu is)");
        var roberta = type is "xlm-roberta" or "roberta";
        var (pooling, normalize) = ReadSentenceTransformers(folder);
        var config = new EncoderConfig
        {
            Architecture = type,
            EmbeddingDim = Int("hidden_size"),
            LayerCount = Int("num_hidden_layers"),
            HeadCount = Int("num_attention_heads"),
            FeedForwardDim = Int("intermediate_size"),
            VocabSize = Int("vocab_size"),
            PositionCount = Int("max_position_embeddings", 512),
            TokenTypeCount = Int("type_vocab_size", 2),
            LayerNormEps = root.TryGetProperty("layer_norm_eps", out var eps) && eps.ValueKind == JsonValueKind.Number ? eps.GetSingle() : 1e-12f,
            // RoBERTa numbers positions from padding_idx + 1 (transformers' create_position_ids_from_input_ids).
            PositionOffset = roberta ? Int("pad_token_id", 1) + 1 : 0,
            Pooling = pooling,
            Normalize = normalize,
        };
        config.Validate(path);
        return config;
    }

    /// <summary>The Pooling module's mode and whether a Normalize module is listed; without modules.json, CLS unnormalized (the model's raw [CLS] state, as transformers' pooler input).</summary>
    static (EmbeddingPooling Pooling, bool Normalize) ReadSentenceTransformers(string folder)
    {
        var modulesPath = Path.Combine(folder, "modules.json");
        if (ReadJson(modulesPath) is not { } modules) return (EmbeddingPooling.Cls, false);
        if (modules.ValueKind != JsonValueKind.Array) throw new ModelFormatException($"{modulesPath}: expected a list of modules");
        var pooling = EmbeddingPooling.Cls;
        var normalize = false;
        foreach (var module in modules.EnumerateArray())
        {
            var type = module.TryGetProperty("type", out var t) ? t.GetString() ?? "" : "";
            if (type.EndsWith(".Normalize", StringComparison.Ordinal)) normalize = true;
            if (!type.EndsWith(".Pooling", StringComparison.Ordinal)) continue;
            var poolingFolder = module.TryGetProperty("path", out var p) ? p.GetString() ?? "" : "";
            var configPath = Path.Combine(folder, poolingFolder, "config.json");
            pooling = ReadPooling(configPath, ReadJson(configPath) ?? throw new ModelFormatException($"{configPath}: the Pooling module's config is missing"));
        }
        return (pooling, normalize);
    }

    static EmbeddingPooling ReadPooling(string path, JsonElement config)
    {
        bool Mode(string key) => config.TryGetProperty(key, out var v) && v.ValueKind == JsonValueKind.True;
        if (config.TryGetProperty("pooling_mode", out var named) && named.ValueKind == JsonValueKind.String)
            return named.GetString() switch
            {
                "cls" => EmbeddingPooling.Cls,
                "mean" => EmbeddingPooling.Mean,
                "lasttoken" => EmbeddingPooling.Last,
                var other => throw new ModelFormatException($"{path}: pooling_mode '{other}' is not supported (cls, mean and lasttoken are)"),
            };
        var modes = new List<EmbeddingPooling>();
        if (Mode("pooling_mode_cls_token")) modes.Add(EmbeddingPooling.Cls);
        if (Mode("pooling_mode_mean_tokens")) modes.Add(EmbeddingPooling.Mean);
        if (Mode("pooling_mode_lasttoken")) modes.Add(EmbeddingPooling.Last);
        foreach (var unsupported in (string[])["pooling_mode_max_tokens", "pooling_mode_mean_sqrt_len_tokens", "pooling_mode_weightedmean_tokens"])
            if (Mode(unsupported)) throw new ModelFormatException($"{path}: {unsupported} is not supported (cls, mean and lasttoken are)");
        return modes.Count == 1 ? modes[0] : throw new ModelFormatException($"{path}: exactly one pooling mode must be set (cls, mean or lasttoken), not {modes.Count}");
    }

    static JsonElement? ReadJson(string path)
    {
        if (!File.Exists(path)) return null;
        try
        {
            using var doc = JsonDocument.Parse(File.ReadAllBytes(path));
            return doc.RootElement.Clone();
        }
        catch (JsonException e)
        {
            throw new ModelFormatException($"{path}: not valid JSON ({e.Message})");
        }
    }
}

using System.Text.Json;
using Provocapi.Engine.Formats;
using Provocapi.Engine.Formats.Gguf;
using Provocapi.Engine.Formats.Safetensors;
using Provocapi.Engine.Models.Loading;
using Provocapi.Engine.Tensors;
using Provocapi.Engine.Tokenizers;

namespace Provocapi.Engine.Models;

/// <summary>
/// A loaded text-generation model: the network, its tokenizer, the ids that end generation and the chat
/// template the checkpoint ships. Immutable and safe to share between requests.
/// </summary>
public sealed class LanguageModel : IDisposable
{
    public required string Source { get; init; }
    public required Llama Network { get; init; }
    public required Tokenizer Tokenizer { get; init; }
    public required IReadOnlySet<int> StopTokenIds { get; init; }
    public string? ChatTemplate { get; init; }
    /// <summary>The template for requests that offer tools, when the model ships a separate one (<c>tool_use</c>).</summary>
    public string? ToolUseChatTemplate { get; init; }

    public TransformerConfig Config => Network.Config;

    /// <summary>Loads a GGUF file or a Hugging Face model folder (config.json, safetensors, tokenizer.json).</summary>
    public static LanguageModel Load(string path, IProgress<double>? progress = null, CancellationToken cancellationToken = default)
    {
        if (Directory.Exists(path)) return LoadHuggingFace(path, progress, cancellationToken);
        if (!File.Exists(path)) throw new ModelFormatException($"{path}: no such file or folder");
        if (Path.GetFileName(path) is "config.json" or "model.safetensors") return LoadHuggingFace(Path.GetDirectoryName(Path.GetFullPath(path))!, progress, cancellationToken);
        return LoadGguf(path, progress, cancellationToken);
    }

    static LanguageModel LoadGguf(string path, IProgress<double>? progress, CancellationToken cancellationToken)
    {
        var file = GgufFile.Open(path);
        LlamaWeights? weights = null;
        try
        {
            var config = GgufConfigReader.Read(file);
            var tokenizer = Tokenizer.FromGguf(file);
            RequireVocabulary(path, config, tokenizer);
            weights = LlamaWeightLoader.Load(config, new GgufTensorSource(file), LlamaTensorNames.Gguf, progress, cancellationToken);
            return new LanguageModel
            {
                Source = path,
                Network = new Llama(config, weights),
                Tokenizer = tokenizer,
                StopTokenIds = tokenizer.EndOfGenerationIds,
                ChatTemplate = file.GetString("tokenizer.chat_template"),
                ToolUseChatTemplate = file.GetString("tokenizer.chat_template.tool_use"),
            };
        }
        catch
        {
            // Loaded weights own the file (and any regrouped copies).
            if (weights != null) weights.Owner.Dispose();
            else file.Dispose();
            throw;
        }
    }

    static LanguageModel LoadHuggingFace(string folder, IProgress<double>? progress, CancellationToken cancellationToken)
    {
        var config = HuggingFaceConfigReader.Read(folder);
        var tokenizer = Tokenizer.FromHuggingFaceFolder(folder);
        RequireVocabulary(folder, config, tokenizer);
        var checkpoint = SafetensorsCheckpoint.Open(folder);
        LlamaWeights? weights = null;
        try
        {
            weights = LlamaWeightLoader.Load(config, new SafetensorsTensorSource(checkpoint, folder), LlamaTensorNames.HuggingFace, progress, cancellationToken);
            var stops = new HashSet<int>(tokenizer.EndOfGenerationIds);
            var (template, toolUse) = HuggingFaceChatTemplate.Read(folder);
            stops.UnionWith(ReadGenerationEos(folder));
            return new LanguageModel
            {
                Source = folder,
                Network = new Llama(config, weights),
                Tokenizer = tokenizer,
                StopTokenIds = stops,
                ChatTemplate = template,
                ToolUseChatTemplate = toolUse,
            };
        }
        catch
        {
            if (weights != null) weights.Owner.Dispose();
            else checkpoint.Dispose();
            throw;
        }
    }

    /// <summary>
    /// A random-weight network of a named real shape (<see cref="SyntheticModel"/>) with the tokenizer of a GGUF file,
    /// so the whole serving stack can be load-tested at a real model's cost without a download.
    /// </summary>
    public static LanguageModel LoadSynthetic(string shape, TensorType type, string tokenizerPath)
    {
        if (!File.Exists(tokenizerPath)) throw new ModelFormatException($"{tokenizerPath}: no such file (a synthetic model needs a GGUF file for its tokenizer)");
        using var file = GgufFile.Open(tokenizerPath);
        var tokenizer = Tokenizer.FromGguf(file);
        var config = SyntheticModel.Shape(shape);
        RequireVocabulary(tokenizerPath, config, tokenizer);
        return new LanguageModel
        {
            Source = $"synthetic:{shape}:{type}",
            Network = SyntheticModel.Create(config, type),
            Tokenizer = tokenizer,
            StopTokenIds = tokenizer.EndOfGenerationIds,
        };
    }

    static void RequireVocabulary(string source, TransformerConfig config, Tokenizer tokenizer)
    {
        if (tokenizer.VocabSize > config.VocabSize)
            throw new ModelFormatException($"{source}: the tokenizer has {tokenizer.VocabSize} tokens but the model's vocabulary is {config.VocabSize}");
    }

    /// <summary><c>generation_config.json</c>'s <c>eos_token_id</c>, an id or a list (Llama 3 lists several).</summary>
    static IEnumerable<int> ReadGenerationEos(string folder)
    {
        var path = Path.Combine(folder, "generation_config.json");
        if (!File.Exists(path)) return [];
        try
        {
            using var doc = JsonDocument.Parse(File.ReadAllBytes(path));
            if (!doc.RootElement.TryGetProperty("eos_token_id", out var eos)) return [];
            return eos.ValueKind switch
            {
                JsonValueKind.Number => [eos.GetInt32()],
                JsonValueKind.Array => eos.EnumerateArray().Where(e => e.ValueKind == JsonValueKind.Number).Select(e => e.GetInt32()).ToArray(),
                _ => [],
            };
        }
        catch (JsonException e)
        {
            throw new ModelFormatException($"{path}: not valid JSON ({e.Message})");
        }
    }

    public void Dispose() => Network.Dispose();
}

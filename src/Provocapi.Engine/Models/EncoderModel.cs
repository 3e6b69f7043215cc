using System.Text.Json;
using Provocapi.Engine.Formats;
using Provocapi.Engine.Formats.Gguf;
using Provocapi.Engine.Formats.Safetensors;
using Provocapi.Engine.Models.Loading;
using Provocapi.Engine.Tokenizers;

namespace Provocapi.Engine.Models;

/// <summary>
/// A loaded embedding model: a BERT-family encoder and its tokenizer. Immutable and safe to share between requests.
/// A different type from <see cref="LanguageModel"/>: it has no LM head, no KV cache and no generation.
/// </summary>
public sealed class EncoderModel : IDisposable
{
    public required string Source { get; init; }
    public required Bert Network { get; init; }
    public required Tokenizer Tokenizer { get; init; }

    public EncoderConfig Config => Network.Config;

    /// <summary>Loads a GGUF file (architecture bert) or a Hugging Face folder (config.json, safetensors, vocab.txt or tokenizer.json, sentence-transformers modules).</summary>
    public static EncoderModel Load(string path, IProgress<double>? progress = null, CancellationToken cancellationToken = default)
    {
        if (Directory.Exists(path)) return LoadHuggingFace(path, progress, cancellationToken);
        if (!File.Exists(path)) throw new ModelFormatException($"{path}: no such file or folder");
        if (Path.GetFileName(path) is "config.json" or "model.safetensors") return LoadHuggingFace(Path.GetDirectoryName(Path.GetFullPath(path))!, progress, cancellationToken);
        return LoadGguf(path, progress, cancellationToken);
    }

    /// <summary>Whether a GGUF file or Hugging Face folder holds an encoder this engine runs (by its architecture or model_type), so a server can tell embedding models from chat models without being told.</summary>
    public static bool IsEncoder(string path)
    {
        try
        {
            if (Directory.Exists(path) || Path.GetFileName(path) is "config.json" or "model.safetensors")
            {
                var folder = Directory.Exists(path) ? path : Path.GetDirectoryName(Path.GetFullPath(path))!;
                var config = Path.Combine(folder, "config.json");
                if (!File.Exists(config)) return false;
                using var doc = JsonDocument.Parse(File.ReadAllBytes(config));
                return doc.RootElement.TryGetProperty("model_type", out var type) && HuggingFaceEncoderConfigReader.ModelTypes.Contains(type.GetString());
            }
            if (!File.Exists(path)) return false;
            using var file = GgufFile.Open(path);
            return GgufEncoderConfigReader.Architectures.Contains(file.GetString("general.architecture"));
        }
        catch (Exception e) when (e is ModelFormatException or JsonException or IOException or InvalidDataException)
        {
            return false;
        }
    }

    static EncoderModel LoadGguf(string path, IProgress<double>? progress, CancellationToken cancellationToken)
    {
        var file = GgufFile.Open(path);
        try
        {
            var config = GgufEncoderConfigReader.Read(file);
            var tokenizer = Tokenizer.FromGguf(file);
            RequireVocabulary(path, config, tokenizer);
            var weights = BertWeightLoader.Load(config, new GgufTensorSource(file), BertTensorNames.Gguf, progress, cancellationToken);
            return new EncoderModel { Source = path, Network = new Bert(config, weights), Tokenizer = tokenizer };
        }
        catch
        {
            file.Dispose();
            throw;
        }
    }

    static EncoderModel LoadHuggingFace(string folder, IProgress<double>? progress, CancellationToken cancellationToken)
    {
        var config = HuggingFaceEncoderConfigReader.Read(folder);
        var tokenizer = Tokenizer.FromHuggingFaceFolder(folder);
        RequireVocabulary(folder, config, tokenizer);
        var checkpoint = SafetensorsCheckpoint.Open(folder);
        try
        {
            var source = new SafetensorsTensorSource(checkpoint, folder);
            var prefix = BertTensorNames.HuggingFacePrefixes.FirstOrDefault(p => source.Has(BertTensorNames.HuggingFace(p).TokenEmbedding + ".weight"))
                ?? throw new ModelFormatException($"{folder}: no embeddings.word_embeddings.weight (nor under bert., roberta. or model.) in the checkpoint");
            var weights = BertWeightLoader.Load(config, source, BertTensorNames.HuggingFace(prefix), progress, cancellationToken);
            return new EncoderModel { Source = folder, Network = new Bert(config, weights), Tokenizer = tokenizer };
        }
        catch
        {
            checkpoint.Dispose();
            throw;
        }
    }

    /// <summary>A random-weight encoder of <paramref name="config"/>'s shape with the tokenizer of a GGUF file, for benchmarks without a download.</summary>
    public static EncoderModel LoadSynthetic(EncoderConfig config, string tokenizerPath, int seed = 1)
    {
        if (!File.Exists(tokenizerPath)) throw new ModelFormatException($"{tokenizerPath}: no such file (a synthetic model needs a GGUF file for its tokenizer)");
        using var file = GgufFile.Open(tokenizerPath);
        var tokenizer = Tokenizer.FromGguf(file);
        RequireVocabulary(tokenizerPath, config, tokenizer);
        return new EncoderModel { Source = $"synthetic:{config.Architecture}", Network = SyntheticEncoder.Create(config, seed), Tokenizer = tokenizer };
    }

    static void RequireVocabulary(string source, EncoderConfig config, Tokenizer tokenizer)
    {
        if (tokenizer.VocabSize > config.VocabSize)
            throw new ModelFormatException($"{source}: the tokenizer has {tokenizer.VocabSize} tokens but the model's vocabulary is {config.VocabSize}");
    }

    public void Dispose() => Network.Dispose();
}

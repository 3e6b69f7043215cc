using Microsoft.Extensions.AI;
using Provocapi.Core.Scheduling;
using Provocapi.Engine.Backends.Cpu;
using Provocapi.Engine.Models;

namespace Provocapi.Core.Embeddings;

/// <summary>
/// An embedding model loaded for in-process use: the encoder and its tokenizer (immutable, shared), its compute threads
/// and the <see cref="EmbeddingScheduler"/> that batches every caller's inputs into shared forward passes.
/// </summary>
public sealed class EmbeddingModel : IDisposable
{
    readonly CpuWorkers _workers;

    public EncoderModel Model { get; }
    public ModelOptions Options { get; }
    public string Name { get; }
    /// <summary>Tokens an input may hold, special tokens included.</summary>
    public int ContextLength { get; }
    /// <summary>The length of the vectors the model makes.</summary>
    public int Dimensions => Model.Config.EmbeddingDim;
    public EmbeddingScheduler Scheduler { get; }

    EmbeddingModel(EncoderModel model, ModelOptions options, string name)
    {
        Model = model;
        Options = options;
        Name = name;
        ContextLength = options.ContextLength > 0 ? Math.Min(options.ContextLength, model.Config.ContextLength) : model.Config.ContextLength;
        _workers = new CpuWorkers(options.ResolvedThreads);
        Scheduler = new EmbeddingScheduler(model.Network, _workers, options, name);
    }

    /// <summary>Wraps an already loaded encoder (synthetic benchmark models, tests).</summary>
    public static EmbeddingModel FromEncoderModel(EncoderModel model, ModelOptions? options = null, string? name = null) =>
        new(model, options ?? new ModelOptions(), name ?? Path.GetFileNameWithoutExtension(model.Source));

    /// <summary>Loads a GGUF file or Hugging Face folder off the calling thread, reporting progress from 0 to 1.</summary>
    public static Task<EmbeddingModel> LoadAsync(string path, ModelOptions? options = null, IProgress<double>? progress = null, CancellationToken cancellationToken = default) =>
        Task.Run(() => FromEncoderModel(EncoderModel.Load(path, progress, cancellationToken), options), cancellationToken);

    /// <summary>The ids the model sees for a text, with the sequence markers ([CLS] … [SEP], &lt;s&gt; … &lt;/s&gt;).</summary>
    public int[] Tokenize(string text) => Model.Tokenizer.Encode(text, addSpecial: true, parseSpecial: false);

    /// <summary>Embeds texts; the vectors come back in input order.</summary>
    /// <exception cref="InputTooLongException">An input is longer than <see cref="ContextLength"/>.</exception>
    /// <exception cref="AdmissionRejectedException">The queue is full.</exception>
    public Task<EmbeddingResult> EmbedAsync(IReadOnlyList<string> texts, CancellationToken cancellationToken = default) =>
        EmbedTokensAsync(texts.Select(Tokenize).ToArray(), cancellationToken);

    /// <summary>Embeds inputs given as token ids (used as given: no markers are added).</summary>
    public async Task<EmbeddingResult> EmbedTokensAsync(IReadOnlyList<int[]> inputs, CancellationToken cancellationToken = default)
    {
        for (var i = 0; i < inputs.Count; i++)
        {
            if (inputs[i].Length == 0) throw new ArgumentException($"input {i} is empty: it has no tokens", nameof(inputs));
            if (inputs[i].Length > ContextLength) throw new InputTooLongException(i, inputs[i].Length, ContextLength);
            foreach (var id in inputs[i])
                if ((uint)id >= (uint)Model.Config.VocabSize)
                    throw new ArgumentOutOfRangeException(nameof(inputs), $"input {i}: token id {id} is outside the vocabulary (0 to {Model.Config.VocabSize - 1})");
        }
        var vectors = await Scheduler.EncodeAsync(inputs.Select(i => (ReadOnlyMemory<int>)i).ToArray(), cancellationToken);
        return new EmbeddingResult(vectors, inputs.Sum(i => i.Length));
    }

    /// <summary>
    /// The first <paramref name="dimensions"/> components of a vector, rescaled to unit length: how a Matryoshka-trained
    /// model (OpenAI's text-embedding-3, nomic, bge-m3's dense head) gives shorter embeddings.
    /// </summary>
    public static float[] Shorten(float[] vector, int dimensions)
    {
        ArgumentOutOfRangeException.ThrowIfNegativeOrZero(dimensions);
        ArgumentOutOfRangeException.ThrowIfGreaterThan(dimensions, vector.Length);
        var shortened = vector[..dimensions];
        Bert.L2Normalize(shortened);
        return shortened;
    }

    /// <summary>This model as Microsoft.Extensions.AI's embedding generator.</summary>
    public IEmbeddingGenerator<string, Embedding<float>> AsEmbeddingGenerator() => new ProvocapiEmbeddingGenerator(this);

    public void Dispose()
    {
        Scheduler.Dispose();
        _workers.Dispose();
        Model.Dispose();
    }
}

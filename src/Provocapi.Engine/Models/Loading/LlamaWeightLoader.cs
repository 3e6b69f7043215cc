using Provocapi.Engine.Ops;
using Provocapi.Engine.Tensors;

namespace Provocapi.Engine.Models.Loading;

/// <summary>Reads every Llama-family weight from a checkpoint, checking each shape against the config. The matrices
/// the matrix multiply reads faster regrouped (Q8_0, see <see cref="Q8_0RowGroups"/>) are copied out of the checkpoint
/// regrouped, and the checkpoint's copy is let go. The token embedding is regrouped too: it is the output projection
/// of a model with tied embeddings, and its rows are cheap to gather back one token at a time.</summary>
public static unsafe class LlamaWeightLoader
{
    public static LlamaWeights Load(TransformerConfig c, ITensorSource source, LlamaTensorNames names, IProgress<double>? progress, CancellationToken cancellationToken)
    {
        var memory = new NativeBuffers();
        try
        {
            var weights = Load(c, source, names, memory, progress, cancellationToken);
            memory.Own(source);
            return weights;
        }
        catch
        {
            memory.Dispose();
            throw;
        }
    }

    static LlamaWeights Load(TransformerConfig c, ITensorSource source, LlamaTensorNames names, NativeBuffers memory, IProgress<double>? progress, CancellationToken cancellationToken)
    {
        WeightMatrix Matrix(string name, int rows, int columns)
        {
            var matrix = source.Matrix(name, rows, columns);
            if (!MatMul.ReadsGrouped(matrix)) return matrix;
            var grouped = matrix.Regroup(memory.Allocate(matrix.ByteSize));
            source.Release(matrix);
            return grouped;
        }

        var embedding = Matrix(names.TokenEmbedding, c.VocabSize, c.EmbeddingDim);
        var layers = new LlamaLayerWeights[c.LayerCount];
        for (var i = 0; i < c.LayerCount; i++)
        {
            cancellationToken.ThrowIfCancellationRequested();
            string N(string role) => names.Layer(i, role);
            float[]? Bias(string role, int length) =>
                c.AttentionBias || source.Has(N(role)) ? source.Vector(N(role), length) : null;
            layers[i] = new LlamaLayerWeights(
                AttentionNorm: source.Vector(N("attn_norm"), c.EmbeddingDim),
                Query: Matrix(N("q"), c.QueryDim, c.EmbeddingDim),
                Key: Matrix(N("k"), c.KvDim, c.EmbeddingDim),
                Value: Matrix(N("v"), c.KvDim, c.EmbeddingDim),
                Output: Matrix(N("o"), c.EmbeddingDim, c.QueryDim),
                QueryBias: Bias("q_bias", c.QueryDim),
                KeyBias: Bias("k_bias", c.KvDim),
                ValueBias: Bias("v_bias", c.KvDim),
                FeedForwardNorm: source.Vector(N("ffn_norm"), c.EmbeddingDim),
                Gate: Matrix(N("gate"), c.FeedForwardDim, c.EmbeddingDim),
                Up: Matrix(N("up"), c.FeedForwardDim, c.EmbeddingDim),
                Down: Matrix(N("down"), c.EmbeddingDim, c.FeedForwardDim));
            progress?.Report((i + 1.0) / (c.LayerCount + 1));
        }
        var output = !c.TiedEmbeddings && source.Has(names.Output)
            ? Matrix(names.Output, c.VocabSize, c.EmbeddingDim)
            : embedding;
        var weights = new LlamaWeights(embedding, layers, source.Vector(names.OutputNorm, c.EmbeddingDim), output, memory);
        progress?.Report(1);
        return weights;
    }
}

namespace Provocapi.Engine.Models.Loading;

/// <summary>Reads every Llama-family weight from a checkpoint, checking each shape against the config.</summary>
public static class LlamaWeightLoader
{
    public static LlamaWeights Load(TransformerConfig c, ITensorSource source, LlamaTensorNames names, IProgress<double>? progress, CancellationToken cancellationToken)
    {
        var embedding = source.Matrix(names.TokenEmbedding, c.VocabSize, c.EmbeddingDim);
        var layers = new LlamaLayerWeights[c.LayerCount];
        for (var i = 0; i < c.LayerCount; i++)
        {
            cancellationToken.ThrowIfCancellationRequested();
            string N(string role) => names.Layer(i, role);
            float[]? Bias(string role, int length) =>
                c.AttentionBias || source.Has(N(role)) ? source.Vector(N(role), length) : null;
            layers[i] = new LlamaLayerWeights(
                AttentionNorm: source.Vector(N("attn_norm"), c.EmbeddingDim),
                Query: source.Matrix(N("q"), c.QueryDim, c.EmbeddingDim),
                Key: source.Matrix(N("k"), c.KvDim, c.EmbeddingDim),
                Value: source.Matrix(N("v"), c.KvDim, c.EmbeddingDim),
                Output: source.Matrix(N("o"), c.EmbeddingDim, c.QueryDim),
                QueryBias: Bias("q_bias", c.QueryDim),
                KeyBias: Bias("k_bias", c.KvDim),
                ValueBias: Bias("v_bias", c.KvDim),
                FeedForwardNorm: source.Vector(N("ffn_norm"), c.EmbeddingDim),
                Gate: source.Matrix(N("gate"), c.FeedForwardDim, c.EmbeddingDim),
                Up: source.Matrix(N("up"), c.FeedForwardDim, c.EmbeddingDim),
                Down: source.Matrix(N("down"), c.EmbeddingDim, c.FeedForwardDim));
            progress?.Report((i + 1.0) / (c.LayerCount + 1));
        }
        var output = !c.TiedEmbeddings && source.Has(names.Output)
            ? source.Matrix(names.Output, c.VocabSize, c.EmbeddingDim)
            : embedding;
        var weights = new LlamaWeights(embedding, layers, source.Vector(names.OutputNorm, c.EmbeddingDim), output, source);
        progress?.Report(1);
        return weights;
    }
}

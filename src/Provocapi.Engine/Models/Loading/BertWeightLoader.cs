namespace Provocapi.Engine.Models.Loading;

/// <summary>Reads every encoder weight from a checkpoint, checking each shape against the config.</summary>
public static class BertWeightLoader
{
    public static BertWeights Load(EncoderConfig c, ITensorSource source, BertTensorNames names, IProgress<double>? progress, CancellationToken cancellationToken)
    {
        int d = c.EmbeddingDim, ffn = c.FeedForwardDim;
        LayerNormWeights Norm(string stem) => new(source.Vector(stem + ".weight", d), source.Vector(stem + ".bias", d));
        var types = source.Vector(names.TokenTypeEmbedding + ".weight", c.TokenTypeCount * d);
        var layers = new BertLayerWeights[c.LayerCount];
        for (var i = 0; i < c.LayerCount; i++)
        {
            cancellationToken.ThrowIfCancellationRequested();
            string N(string role) => names.Layer(i, role);
            layers[i] = new BertLayerWeights(
                Query: source.Matrix(N("q") + ".weight", d, d), QueryBias: source.Vector(N("q") + ".bias", d),
                Key: source.Matrix(N("k") + ".weight", d, d), KeyBias: source.Vector(N("k") + ".bias", d),
                Value: source.Matrix(N("v") + ".weight", d, d), ValueBias: source.Vector(N("v") + ".bias", d),
                Output: source.Matrix(N("o") + ".weight", d, d), OutputBias: source.Vector(N("o") + ".bias", d),
                AttentionNorm: Norm(N("attn_norm")),
                Up: source.Matrix(N("up") + ".weight", ffn, d), UpBias: source.Vector(N("up") + ".bias", ffn),
                Down: source.Matrix(N("down") + ".weight", d, ffn), DownBias: source.Vector(N("down") + ".bias", d),
                OutputNorm: Norm(N("out_norm")));
            progress?.Report((i + 1.0) / (c.LayerCount + 1));
        }
        var weights = new BertWeights(
            source.Matrix(names.TokenEmbedding + ".weight", c.VocabSize, d),
            source.Matrix(names.PositionEmbedding + ".weight", c.PositionCount, d),
            types[..d],
            Norm(names.EmbeddingNorm),
            layers,
            source);
        progress?.Report(1);
        return weights;
    }
}

namespace Provocapi.Engine.Models;

/// <summary>The hyper-parameters of a BERT-family encoder (BERT, XLM-RoBERTa) and how its checkpoint declares pooling.</summary>
public sealed record EncoderConfig
{
    /// <summary>bert or xlm-roberta.</summary>
    public required string Architecture { get; init; }
    public required int EmbeddingDim { get; init; }
    public required int LayerCount { get; init; }
    public required int HeadCount { get; init; }
    public required int FeedForwardDim { get; init; }
    public required int VocabSize { get; init; }
    /// <summary>Rows of the position-embedding table.</summary>
    public required int PositionCount { get; init; }
    public required int TokenTypeCount { get; init; }
    public required float LayerNormEps { get; init; }
    /// <summary>The position id of a sequence's first token: 0 for BERT; padding_idx + 1 for RoBERTa-style models, whose
    /// position ids count from after the padding id.</summary>
    public int PositionOffset { get; init; }
    public EmbeddingPooling Pooling { get; init; } = EmbeddingPooling.Cls;
    /// <summary>Whether the pooled vector is scaled to unit length (sentence-transformers' Normalize module).</summary>
    public bool Normalize { get; init; } = true;

    public int HeadDim => EmbeddingDim / HeadCount;

    /// <summary>Tokens a sequence may hold: the positions left after the offset.</summary>
    public int ContextLength => PositionCount - PositionOffset;

    public void Validate(string source)
    {
        void Require(bool ok, string what)
        {
            if (!ok) throw new Formats.ModelFormatException($"{source}: {what}");
        }
        Require(EmbeddingDim > 0 && LayerCount > 0 && HeadCount > 0 && FeedForwardDim > 0 && VocabSize > 0 && TokenTypeCount > 0, "dimensions must be positive");
        Require(EmbeddingDim % HeadCount == 0, $"the hidden size {EmbeddingDim} is not a multiple of {HeadCount} attention heads");
        Require(PositionOffset >= 0 && ContextLength > 0, $"{PositionCount} positions leave no room after the offset {PositionOffset}");
        Require(LayerNormEps > 0 && float.IsFinite(LayerNormEps), "layer_norm_eps must be positive");
    }
}

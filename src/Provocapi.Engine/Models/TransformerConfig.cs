using Provocapi.Engine.Ops;

namespace Provocapi.Engine.Models;

/// <summary>The hyper-parameters of a decoder-only transformer of the Llama family.</summary>
public sealed record TransformerConfig
{
    public required string Architecture { get; init; }
    public required int EmbeddingDim { get; init; }
    public required int LayerCount { get; init; }
    public required int HeadCount { get; init; }
    public required int KvHeadCount { get; init; }
    public required int HeadDim { get; init; }
    public required int FeedForwardDim { get; init; }
    public required int VocabSize { get; init; }
    public required int ContextLength { get; init; }
    public required float RmsNormEps { get; init; }
    public required float RopeTheta { get; init; }
    /// <summary>How many leading dimensions of each head RoPE rotates (the head dimension unless partial).</summary>
    public required int RopeDims { get; init; }
    public required RopeLayout RopeLayout { get; init; }
    public RopeScaling? RopeScaling { get; init; }
    public bool AttentionBias { get; init; }
    public bool TiedEmbeddings { get; init; }

    public int QueryDim => HeadCount * HeadDim;
    public int KvDim => KvHeadCount * HeadDim;

    /// <summary>Checks what the forward pass relies on; a bad file fails here, not with an index error mid-generation.</summary>
    public void Validate(string source)
    {
        void Require(bool ok, string what)
        {
            if (!ok) throw new Formats.ModelFormatException($"{source}: {what}");
        }
        Require(EmbeddingDim > 0 && LayerCount > 0 && HeadCount > 0 && KvHeadCount > 0 && FeedForwardDim > 0 && VocabSize > 0,
            "dimensions must be positive");
        Require(HeadCount % KvHeadCount == 0, $"{HeadCount} attention heads are not a multiple of {KvHeadCount} key/value heads");
        Require(HeadDim > 0 && RopeDims > 0 && RopeDims <= HeadDim && RopeDims % 2 == 0, $"rotary dimensions {RopeDims} do not fit head dimension {HeadDim}");
        Require(ContextLength > 0, "the context length must be positive");
        Require(RmsNormEps > 0 && float.IsFinite(RmsNormEps), "rms_norm_eps must be positive");
        Require(RopeTheta > 0 && float.IsFinite(RopeTheta), "rope_theta must be positive");
    }
}

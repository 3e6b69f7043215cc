using Provocapi.Engine.Tensors;

namespace Provocapi.Engine.Models;

/// <summary>All weights of a BERT-family encoder. Matrices point into memory owned by <see cref="Owner"/> (a memory map or native buffers).</summary>
public sealed record BertWeights(
    WeightMatrix TokenEmbedding,        // (vocab, dim)
    WeightMatrix PositionEmbedding,     // (positions, dim)
    float[] TokenTypeEmbedding,         // (dim): type 0's row; single-sentence inputs use no other
    LayerNormWeights EmbeddingNorm,
    BertLayerWeights[] Layers,
    IDisposable Owner);

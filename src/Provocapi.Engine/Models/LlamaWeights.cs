using Provocapi.Engine.Tensors;

namespace Provocapi.Engine.Models;

/// <summary>All weights of a Llama-family model. They point into memory owned by <see cref="Owner"/> (a memory map or native buffers).</summary>
public sealed record LlamaWeights(
    WeightMatrix TokenEmbedding,    // (vocab, dim)
    LlamaLayerWeights[] Layers,
    float[] OutputNorm,             // (dim)
    WeightMatrix Output,            // (vocab, dim); the embedding itself when tied
    IDisposable Owner);

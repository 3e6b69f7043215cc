namespace Provocapi.Engine.Ops;

/// <summary>Which dimensions of a head RoPE rotates together.</summary>
public enum RopeLayout
{
    /// <summary>Pairs (2i, 2i+1): the original RoFormer layout, and ggml's "normal" mode used by GGUF <c>llama</c> files, whose Q/K rows are permuted for it.</summary>
    AdjacentPairs,
    /// <summary>Pairs (i, i + d/2): Hugging Face's rotate_half, ggml's NeoX mode (GGUF <c>qwen2</c>).</summary>
    HalfSplit,
}

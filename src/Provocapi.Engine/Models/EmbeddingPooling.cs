namespace Provocapi.Engine.Models;

/// <summary>How an encoder's token states become one vector (sentence-transformers' Pooling modes; GGUF's pooling_type).</summary>
public enum EmbeddingPooling
{
    /// <summary>The first token's state ([CLS] or &lt;s&gt;): BGE.</summary>
    Cls,
    /// <summary>The average over the sequence's tokens: all-MiniLM, E5.</summary>
    Mean,
    /// <summary>The last token's state: decoder-style embedding models.</summary>
    Last,
}

namespace Provocapi.Engine.Models.Loading;

/// <summary>
/// How a checkpoint format names a BERT-family encoder's tensors (llama.cpp's gguf tensor map; transformers'
/// modeling_bert and modeling_xlm_roberta). Names are stems: the loader appends <c>.weight</c> and <c>.bias</c>.
/// </summary>
public sealed record BertTensorNames(
    string TokenEmbedding, string PositionEmbedding, string TokenTypeEmbedding, string EmbeddingNorm, Func<int, string, string> Layer)
{
    /// <summary>Per-layer roles: q, k, v, o, attn_norm, up, down, out_norm.</summary>
    public static readonly BertTensorNames Gguf = new("token_embd", "position_embd", "token_types", "token_embd_norm",
        (i, role) => $"blk.{i}." + role switch
        {
            "q" => "attn_q",
            "k" => "attn_k",
            "v" => "attn_v",
            "o" => "attn_output",
            "attn_norm" => "attn_output_norm",
            "up" => "ffn_up",
            "down" => "ffn_down",
            "out_norm" => "layer_output_norm",
            _ => throw new ArgumentOutOfRangeException(nameof(role)),
        });

    /// <summary>transformers' names under <paramref name="prefix"/>: empty for a bare BertModel/XLMRobertaModel (what
    /// sentence-transformers saves), "bert." or "roberta." when saved from a model with a task head.</summary>
    public static BertTensorNames HuggingFace(string prefix) => new($"{prefix}embeddings.word_embeddings", $"{prefix}embeddings.position_embeddings",
        $"{prefix}embeddings.token_type_embeddings", $"{prefix}embeddings.LayerNorm",
        (i, role) => $"{prefix}encoder.layer.{i}." + role switch
        {
            "q" => "attention.self.query",
            "k" => "attention.self.key",
            "v" => "attention.self.value",
            "o" => "attention.output.dense",
            "attn_norm" => "attention.output.LayerNorm",
            "up" => "intermediate.dense",
            "down" => "output.dense",
            "out_norm" => "output.LayerNorm",
            _ => throw new ArgumentOutOfRangeException(nameof(role)),
        });

    public static readonly string[] HuggingFacePrefixes = ["", "bert.", "roberta.", "model."];
}

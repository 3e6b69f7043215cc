namespace Provocapi.Engine.Models.Loading;

/// <summary>How a checkpoint format names the Llama family's tensors (llama.cpp's gguf tensor map; transformers' modeling_llama).</summary>
public sealed record LlamaTensorNames(
    string TokenEmbedding, string OutputNorm, string Output, Func<int, string, string> Layer)
{
    /// <summary>Per-layer roles: attn_norm, q, k, v, o, q_bias, k_bias, v_bias, ffn_norm, gate, up, down.</summary>
    public static readonly LlamaTensorNames Gguf = new("token_embd.weight", "output_norm.weight", "output.weight",
        (i, role) => $"blk.{i}." + role switch
        {
            "attn_norm" => "attn_norm.weight",
            "q" => "attn_q.weight",
            "k" => "attn_k.weight",
            "v" => "attn_v.weight",
            "o" => "attn_output.weight",
            "q_bias" => "attn_q.bias",
            "k_bias" => "attn_k.bias",
            "v_bias" => "attn_v.bias",
            "ffn_norm" => "ffn_norm.weight",
            "gate" => "ffn_gate.weight",
            "up" => "ffn_up.weight",
            "down" => "ffn_down.weight",
            _ => throw new ArgumentOutOfRangeException(nameof(role)),
        });

    public static readonly LlamaTensorNames HuggingFace = new("model.embed_tokens.weight", "model.norm.weight", "lm_head.weight",
        (i, role) => $"model.layers.{i}." + role switch
        {
            "attn_norm" => "input_layernorm.weight",
            "q" => "self_attn.q_proj.weight",
            "k" => "self_attn.k_proj.weight",
            "v" => "self_attn.v_proj.weight",
            "o" => "self_attn.o_proj.weight",
            "q_bias" => "self_attn.q_proj.bias",
            "k_bias" => "self_attn.k_proj.bias",
            "v_bias" => "self_attn.v_proj.bias",
            "ffn_norm" => "post_attention_layernorm.weight",
            "gate" => "mlp.gate_proj.weight",
            "up" => "mlp.up_proj.weight",
            "down" => "mlp.down_proj.weight",
            _ => throw new ArgumentOutOfRangeException(nameof(role)),
        });
}

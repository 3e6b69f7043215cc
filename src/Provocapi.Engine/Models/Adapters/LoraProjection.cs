namespace Provocapi.Engine.Models.Adapters;

/// <summary>The Llama block's projections a LoRA adapter may target, named as PEFT's <c>target_modules</c> name them.</summary>
public enum LoraProjection
{
    Query,
    Key,
    Value,
    Output,
    Gate,
    Up,
    Down,
}

public static class LoraProjections
{
    public const int Count = 7;

    public static IReadOnlyList<LoraProjection> All { get; } = Enum.GetValues<LoraProjection>();

    /// <summary>PEFT's module name (<c>q_proj</c> … <c>down_proj</c>).</summary>
    public static string PeftName(LoraProjection p) => p switch
    {
        LoraProjection.Query => "q_proj",
        LoraProjection.Key => "k_proj",
        LoraProjection.Value => "v_proj",
        LoraProjection.Output => "o_proj",
        LoraProjection.Gate => "gate_proj",
        LoraProjection.Up => "up_proj",
        _ => "down_proj",
    };

    /// <summary>The module's path under a decoder layer in transformers' LlamaForCausalLM.</summary>
    public static string PeftPath(LoraProjection p) => (p <= LoraProjection.Output ? "self_attn." : "mlp.") + PeftName(p);

    /// <summary>llama.cpp's tensor name for the base weight (<c>attn_q</c> … <c>ffn_down</c>).</summary>
    public static string GgufName(LoraProjection p) => p switch
    {
        LoraProjection.Query => "attn_q",
        LoraProjection.Key => "attn_k",
        LoraProjection.Value => "attn_v",
        LoraProjection.Output => "attn_output",
        LoraProjection.Gate => "ffn_gate",
        LoraProjection.Up => "ffn_up",
        _ => "ffn_down",
    };

    public static LoraProjection? FromPeftName(string name) =>
        All.Select(p => (LoraProjection?)p).FirstOrDefault(p => PeftName(p!.Value) == name);

    /// <summary>(outputs, inputs) of the projection's base weight.</summary>
    public static (int Outputs, int Inputs) Shape(LoraProjection p, TransformerConfig c) => p switch
    {
        LoraProjection.Query => (c.QueryDim, c.EmbeddingDim),
        LoraProjection.Key or LoraProjection.Value => (c.KvDim, c.EmbeddingDim),
        LoraProjection.Output => (c.EmbeddingDim, c.QueryDim),
        LoraProjection.Gate or LoraProjection.Up => (c.FeedForwardDim, c.EmbeddingDim),
        _ => (c.EmbeddingDim, c.FeedForwardDim),
    };
}

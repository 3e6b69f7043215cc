using Provocapi.Core.Adapters;
using Provocapi.Engine.Sampling;
using Provocapi.Engine.Sampling.Grammar;

namespace Provocapi.Core.Generation;

/// <summary>One generation: a prompt as text (tokenized with the model's BOS rule) or as token ids (fed as they are).</summary>
public sealed record GenerationRequest
{
    public string? Prompt { get; init; }
    public IReadOnlyList<int>? PromptTokens { get; init; }
    public SamplingOptions Sampling { get; init; } = new();
    public int MaxTokens { get; init; } = 256;
    public IReadOnlyList<string> StopStrings { get; init; } = [];
    /// <summary>Whether special-token text in the prompt (e.g. "&lt;|im_start|&gt;") becomes special tokens; true for templated chat prompts.</summary>
    public bool ParseSpecialTokens { get; init; } = true;
    /// <summary>Whether tokenizing <see cref="Prompt"/> adds the model's BOS/EOS rule; false for prompts rendered by a chat template, which writes them itself.</summary>
    public bool AddSpecialTokens { get; init; } = true;
    /// <summary>Keep generating past end-of-generation tokens (benchmarks).</summary>
    public bool IgnoreEndOfGeneration { get; init; }
    /// <summary>Report each generated token's log-probability with this many alternatives (null: none).</summary>
    public int? TopLogprobs { get; init; }
    /// <summary>Constrains the output to JSON (any object, or a schema's values); null: free text.</summary>
    public JsonGrammar? Grammar { get; init; }
    /// <summary>Write control tokens' text into the output (tool-call markers such as [TOOL_CALLS]); end-of-generation tokens still end it unseen.</summary>
    public bool DecodeSpecialTokens { get; init; }
    /// <summary>Interactive requests are admitted before batch work, which only fills idle capacity.</summary>
    public GenerationPriority Priority { get; init; } = GenerationPriority.Interactive;
    /// <summary>Who the request is for (a tenant), so a full queue can tell one over its fair share from a busy server.</summary>
    public string? Owner { get; init; }
    /// <summary>The LoRA adapter to generate with (null: the base model). The sequence holds it while it runs.</summary>
    public LoadedAdapter? Adapter { get; init; }
}

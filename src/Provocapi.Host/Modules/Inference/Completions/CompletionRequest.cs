using System.Text.Json;
using Provocapi.Engine.Tokenizers;
using Provocapi.Host.Modules.Inference.Serving;
using Provocapi.Host.Platform.Errors;
using Provocapi.Host.Platform.Json;

namespace Provocapi.Host.Modules.Inference.Completions;

/// <summary><c>POST /v1/completions</c>'s body.</summary>
public sealed record CompletionRequest : GenerationParameters
{
    /// <summary>A string, an array of strings, an array of token ids, or an array of such arrays.</summary>
    public JsonElement? Prompt { get; init; }
    public bool? Echo { get; init; }
    public int? Logprobs { get; init; }
    public int? BestOf { get; init; }
    public string? Suffix { get; init; }

    /// <summary>One prompt of the request: its text as given (for echo) and its tokens.</summary>
    public sealed record PromptInput(string Text, int[] Tokens);

    public IReadOnlyList<PromptInput> Prompts(Tokenizer tokenizer)
    {
        if (Prompt is not { } prompt || prompt.ValueKind == JsonValueKind.Null)
            throw ApiException.BadRequest("You must provide a prompt parameter.", "prompt", "missing_required_parameter");
        if (prompt.ValueKind == JsonValueKind.String) return [FromText(tokenizer, prompt.Text("prompt"))];
        if (prompt.ValueKind != JsonValueKind.Array) throw BadPrompt();
        if (prompt.GetArrayLength() == 0) throw ApiException.BadRequest("'prompt' must not be an empty array.", "prompt", "invalid_value");
        var first = prompt[0].ValueKind;
        if (first == JsonValueKind.Number) return [FromIds(tokenizer, prompt)];
        var prompts = new List<PromptInput>();
        foreach (var item in prompt.EnumerateArray())
            prompts.Add(item.ValueKind switch
            {
                JsonValueKind.String => FromText(tokenizer, item.Text("prompt")),
                JsonValueKind.Array when item.GetArrayLength() > 0 => FromIds(tokenizer, item),
                _ => throw BadPrompt(),
            });
        return prompts;
    }

    static PromptInput FromText(Tokenizer tokenizer, string text) => new(text, tokenizer.Encode(text, addSpecial: true, parseSpecial: true));

    static PromptInput FromIds(Tokenizer tokenizer, JsonElement ids)
    {
        var tokens = new int[ids.GetArrayLength()];
        var i = 0;
        foreach (var id in ids.EnumerateArray())
        {
            if (id.ValueKind != JsonValueKind.Number || !id.TryGetInt32(out tokens[i++])) throw BadPrompt();
            if ((uint)tokens[i - 1] >= (uint)tokenizer.VocabSize)
                throw ApiException.BadRequest($"Invalid 'prompt': token id {tokens[i - 1]} is outside the vocabulary (0 to {tokenizer.VocabSize - 1}).", "prompt", "invalid_value");
        }
        return new PromptInput(tokenizer.Decode(tokens), tokens);
    }

    static ApiException BadPrompt() => ApiException.BadRequest(
        "Invalid type for 'prompt': expected a string, an array of strings, an array of token ids, or an array of token-id arrays.", "prompt", "invalid_type");

    public override int? RequestedTopLogprobs() => Logprobs;

    public override void RejectUnsupported()
    {
        base.RejectUnsupported();
        if (Logprobs is < 0 or > 5) throw ApiException.BadRequest($"Invalid 'logprobs': {Logprobs}. It must be between 0 and 5.", "logprobs", "invalid_value");
        if (BestOf is { } b && b != 1) throw ApiException.BadRequest("Only best_of = 1 is supported.", "best_of", "unsupported_value");
        if (!string.IsNullOrEmpty(Suffix)) throw ApiException.BadRequest("suffix is not supported.", "suffix", "unsupported_parameter");
    }
}

using System.Text.Json;
using Provocapi.Core.Embeddings;
using Provocapi.Host.Platform.Errors;
using Provocapi.Host.Platform.Json;

namespace Provocapi.Host.Modules.Inference.Embeddings;

/// <summary><c>POST /v1/embeddings</c>'s body, with its validation (a 400 naming the param).</summary>
public sealed record EmbeddingRequest
{
    /// <summary>OpenAI's cap on inputs per request.</summary>
    public const int MaxInputs = 2048;

    public string? Model { get; init; }
    /// <summary>A string, an array of strings, an array of token ids, or an array of token-id arrays.</summary>
    public JsonElement? Input { get; init; }
    /// <summary>float (the default) or base64 (little-endian float32 bytes).</summary>
    public string? EncodingFormat { get; init; }
    /// <summary>Keep the first N components, rescaled to unit length.</summary>
    public int? Dimensions { get; init; }
    public string? User { get; init; }

    public bool Base64 => EncodingFormat == "base64";

    public string RequireModel() => string.IsNullOrWhiteSpace(Model)
        ? throw ApiException.BadRequest("You must provide a model parameter.", "model", "missing_required_parameter")
        : Model;

    /// <summary>Refuses what the model cannot do before any work: an unknown encoding format, dimensions it cannot give.</summary>
    public void Validate(EmbeddingModel model)
    {
        if (EncodingFormat is not (null or "float" or "base64"))
            throw ApiException.BadRequest($"Invalid 'encoding_format': '{EncodingFormat}'. It must be 'float' or 'base64'.", "encoding_format", "invalid_value");
        if (Dimensions is { } d && (d < 1 || d > model.Dimensions))
            throw ApiException.BadRequest(
                $"Invalid 'dimensions': {d}. The model '{model.Name}' makes {model.Dimensions}-dimensional embeddings, so dimensions must be between 1 and {model.Dimensions}.",
                "dimensions", "invalid_value");
    }

    /// <summary>Every input as the token ids the model will see: texts with the model's sequence markers, token arrays as given.</summary>
    public IReadOnlyList<int[]> Inputs(EmbeddingModel model)
    {
        if (Input is not { } input || input.ValueKind == JsonValueKind.Null)
            throw ApiException.BadRequest("You must provide an input parameter.", "input", "missing_required_parameter");
        List<int[]> inputs;
        if (input.ValueKind == JsonValueKind.String) inputs = [FromText(model, input, "input")];
        else if (input.ValueKind != JsonValueKind.Array) throw BadInput();
        else if (input.GetArrayLength() == 0) throw ApiException.BadRequest("'input' must not be an empty array.", "input", "invalid_value");
        else if (input[0].ValueKind == JsonValueKind.Number) inputs = [FromIds(model, input, "input")];
        else
        {
            if (input.GetArrayLength() > MaxInputs)
                throw ApiException.BadRequest($"'input' holds {input.GetArrayLength()} inputs; at most {MaxInputs} are allowed per request.", "input", "invalid_value");
            inputs = [];
            var index = 0;
            foreach (var item in input.EnumerateArray())
            {
                var where = $"input[{index++}]";
                inputs.Add(item.ValueKind switch
                {
                    JsonValueKind.String => FromText(model, item, where),
                    JsonValueKind.Array => FromIds(model, item, where),
                    _ => throw BadInput(),
                });
            }
        }
        for (var i = 0; i < inputs.Count; i++)
            if (inputs[i].Length > model.ContextLength)
                throw ApiException.BadRequest(
                    $"Invalid 'input[{i}]': it is {inputs[i].Length} tokens, but the model's maximum context length is {model.ContextLength} tokens. Please shorten it.",
                    "input", "context_length_exceeded");
        return inputs;
    }

    static int[] FromText(EmbeddingModel model, JsonElement text, string where)
    {
        var value = text.Text("input");
        if (value.Length == 0) throw ApiException.BadRequest($"Invalid '{where}': the text is empty.", "input", "invalid_value");
        return model.Tokenize(value);
    }

    static int[] FromIds(EmbeddingModel model, JsonElement ids, string where)
    {
        if (ids.GetArrayLength() == 0) throw ApiException.BadRequest($"Invalid '{where}': the token array is empty.", "input", "invalid_value");
        var vocabulary = model.Model.Config.VocabSize;
        var tokens = new int[ids.GetArrayLength()];
        var i = 0;
        foreach (var id in ids.EnumerateArray())
        {
            if (id.ValueKind != JsonValueKind.Number || !id.TryGetInt32(out tokens[i])) throw BadInput();
            if ((uint)tokens[i] >= (uint)vocabulary)
                throw ApiException.BadRequest($"Invalid '{where}': token id {tokens[i]} is outside the vocabulary (0 to {vocabulary - 1}).", "input", "invalid_value");
            i++;
        }
        return tokens;
    }

    static ApiException BadInput() => ApiException.BadRequest(
        "Invalid type for 'input': expected a string, an array of strings, an array of token ids, or an array of token-id arrays.", "input", "invalid_type");
}

using System.Text.Json;
using Provocapi.Host.Platform.Batch;
using Provocapi.Host.Platform.Callers;
using Provocapi.Host.Platform.Models;

namespace Provocapi.Host.Modules.Batch.Running;

/// <summary>
/// Reads a job's JSONL file and checks every line before any runs: JSON, a unique <c>custom_id</c>, a <c>url</c> batch
/// may call (the chat endpoint by default), <c>POST</c>, and a body its endpoint accepts for this tenant. The urls and
/// bodies are checked by the <see cref="IBatchRequestValidator"/>s this node has: the inference module's in a lone
/// process, the gateway's (a url and model some worker serves) on a gateway, whose workers report deeper problems
/// per line when they run it.
/// </summary>
public sealed class BatchFileValidator(IEnumerable<IBatchRequestValidator> validators, Microsoft.Extensions.Options.IOptions<BatchOptions> options)
{
    public const int MaxReportedErrors = 100;
    public const int MaxCustomIdLength = 512;

    readonly IReadOnlyCollection<string> _urls = validators.SelectMany(v => v.Urls).Distinct().Order(StringComparer.Ordinal).ToList();

    public sealed record LineError(int Line, string Message);

    public (IReadOnlyList<BatchLine> Lines, IReadOnlyList<LineError> Errors, int ErrorCount) Validate(string path, Caller caller)
    {
        var lines = new List<BatchLine>();
        var errors = new List<LineError>();
        var errorCount = 0;
        var seen = new HashSet<string>(StringComparer.Ordinal);
        var number = 0;
        foreach (var text in JsonlFile.Lines(path))
        {
            number++;
            if (text != null && JsonlFile.IsBlank(text)) continue;
            if (lines.Count + errorCount >= options.Value.MaxLines)
            {
                errors.Add(new LineError(number, $"the file has more than {options.Value.MaxLines} requests"));
                return (lines, errors, errorCount + 1);
            }
            if ((text == null ? "not valid UTF-8" : Check(text, caller, seen)) is { } problem)
            {
                if (errorCount++ < MaxReportedErrors) errors.Add(new LineError(number, problem));
                continue;
            }
            using var json = JsonDocument.Parse(text!);
            var root = json.RootElement;
            var body = root.GetProperty("body");
            lines.Add(new BatchLine(number, root.GetProperty("custom_id").GetString()!, Url(root), body.GetRawText(), BaseModel(body)));
        }
        if (lines.Count == 0 && errorCount == 0) errors.Add(new LineError(0, "the file has no requests"));
        return (lines, errors, Math.Max(errorCount, errors.Count));
    }

    string? Check(string text, Caller caller, HashSet<string> seen)
    {
        JsonDocument json;
        try { json = JsonDocument.Parse(text); }
        catch (JsonException e) { return $"not valid JSON ({e.Message})"; }
        using (json)
        {
            try { return Check(json.RootElement, caller, seen); }
            catch (InvalidOperationException) { return "a string is not valid Unicode (a lone surrogate escape)"; }
        }
    }

    string? Check(JsonElement root, Caller caller, HashSet<string> seen)
    {
        if (root.ValueKind != JsonValueKind.Object) return "expected a JSON object with custom_id and body";
        if (!root.TryGetProperty("custom_id", out var id) || id.ValueKind != JsonValueKind.String || id.GetString()!.Length == 0)
            return "'custom_id' must be a non-empty string";
        if (id.GetString()!.Length > MaxCustomIdLength) return $"'custom_id' is longer than {MaxCustomIdLength} characters";
        if (!seen.Add(id.GetString()!)) return $"'custom_id' '{id.GetString()}' is used on an earlier line";
        if (root.TryGetProperty("method", out var method) && (method.ValueKind != JsonValueKind.String || method.GetString() != "POST"))
            return "'method' must be POST";
        if (root.TryGetProperty("url", out var url) && url.ValueKind != JsonValueKind.String) return "'url' must be a string";
        var target = Url(root);
        if (!_urls.Contains(target))
            return $"'url' {target} is not one a batch can call ({string.Join(", ", _urls)})";
        if (!root.TryGetProperty("body", out var body) || body.ValueKind != JsonValueKind.Object) return "'body' must be a JSON object";
        var validator = validators.FirstOrDefault(v => v.Urls.Contains(target));
        return validator?.Problem(target, body, caller) is { } problem ? $"body: {problem}" : null;
    }

    /// <summary>The body's model without its adapter (<c>base:adapter</c>), which decides which workers may run the line.</summary>
    static string? BaseModel(JsonElement body) =>
        body.TryGetProperty("model", out var model) && model.ValueKind == JsonValueKind.String ? ModelReference.Parse(model.GetString()!).Model : null;

    static string Url(JsonElement line) => line.TryGetProperty("url", out var url) && url.ValueKind == JsonValueKind.String ? url.GetString()! : "/v1/chat/completions";
}

using System.Text.RegularExpressions;
using Microsoft.Extensions.Options;
using Provocapi.Engine.Models;
using Provocapi.Engine.Tensors;

namespace Provocapi.Host.Modules.Inference.Catalog;

/// <summary>Checks the model list at start, so a bad path or value stops the server with one clear line.</summary>
public sealed partial class InferenceOptionsValidator : IValidateOptions<InferenceOptions>
{
    [GeneratedRegex("^[A-Za-z0-9][A-Za-z0-9._/-]{0,127}$")]
    private static partial Regex ModelName();

    public ValidateOptionsResult Validate(string? name, InferenceOptions options)
    {
        var problems = new List<string>();
        var names = new HashSet<string>(StringComparer.Ordinal);
        for (var i = 0; i < options.Models.Count; i++)
        {
            var m = options.Models[i];
            var where = $"Provocapi:Models:{i}" + (m.Id.Length > 0 ? $" ({m.Id})" : "");
            foreach (var n in m.Aliases.Prepend(m.Id))
            {
                if (!ModelName().IsMatch(n)) problems.Add($"{where}: '{n}' is not a valid model id (letters, digits, . _ / -, at most 128)");
                else if (!names.Add(n)) problems.Add($"{where}: the model id or alias '{n}' is used twice");
            }
            if (string.IsNullOrWhiteSpace(m.Path)) problems.Add($"{where}: Path is required");
            else if (m.IsSynthetic) problems.AddRange(SyntheticProblems(where, m));
            else if (!File.Exists(m.Path) && !Directory.Exists(m.Path)) problems.Add($"{where}: {m.Path}: no such file or folder");
            if (m.Kind == ModelKind.Embedding && m.IsSynthetic) problems.Add($"{where}: synthetic models are chat models; an embedding model needs a GGUF file or Hugging Face folder");
            if (m.ContextLength < 0) problems.Add($"{where}: ContextLength must be 0 (the model's own) or positive");
            if (m.PromptPrice < 0 || m.CompletionPrice < 0) problems.Add($"{where}: prices must not be negative");
            if (m.Threads < 0) problems.Add($"{where}: Threads must be 0 (every core) or positive");
            if (m.KvCacheBytes <= 0) problems.Add($"{where}: KvCacheBytes must be positive");
            if (m.KvPageSize is < 1 or > 1024) problems.Add($"{where}: KvPageSize must be between 1 and 1024");
            // The binder takes a number for an enum too ("KvCacheType": "2").
            if (!Enum.IsDefined(m.KvCacheType)) problems.Add($"{where}: KvCacheType must be F32 or F16");
            if (m.Kind is { } kind && !Enum.IsDefined(kind)) problems.Add($"{where}: Kind must be Chat or Embedding");
            if (m.MaxRunningSequences < 1) problems.Add($"{where}: MaxRunningSequences must be at least 1");
            if (m.StepTokenBudget < 1) problems.Add($"{where}: StepTokenBudget must be at least 1");
            if (m.EmbeddingBatchTokens < 1) problems.Add($"{where}: EmbeddingBatchTokens must be at least 1");
            if (m.MaxQueueLength < 0) problems.Add($"{where}: MaxQueueLength must not be negative");
            if (!(m.MaxQueueWaitSeconds > 0)) problems.Add($"{where}: MaxQueueWaitSeconds must be positive");
        }
        return problems.Count > 0 ? ValidateOptionsResult.Fail(problems) : ValidateOptionsResult.Success;
    }

    static IEnumerable<string> SyntheticProblems(string where, ServedModelOptions m)
    {
        var parts = m.Path[ServedModelOptions.SyntheticScheme.Length..].Split(':');
        if (!SyntheticModel.ShapeNames.Contains(parts[0]))
            yield return $"{where}: unknown synthetic shape '{parts[0]}' ({string.Join(", ", SyntheticModel.ShapeNames)})";
        if (parts.Length > 2 || (parts.Length == 2 && TensorTypeInfo.ParseSupported(parts[1]) == null))
            yield return $"{where}: {m.Path} should be synthetic:SHAPE[:TYPE] with a supported TYPE such as Q8_0";
        if (m.Tokenizer == null) yield return $"{where}: a synthetic model needs Tokenizer (a GGUF file whose tokenizer it uses)";
        else if (!File.Exists(m.Tokenizer)) yield return $"{where}: {m.Tokenizer}: no such file";
    }
}

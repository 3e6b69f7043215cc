using System.Text.Json;
using Provocapi.Tests;

namespace Provocapi.Engine.Tests.Models;

/// <summary>The peers' reference runs on the tiny random-weight models (tests/fixtures/models/references.json).</summary>
public static class ModelReferences
{
    public sealed record Step(int[] TopIds, double[] TopLogits, double LogSumExp, double Margin);
    public sealed record Run(int[] Prompt, int[] Ids, Step[] Steps);
    public sealed record ModelFile(string Key, string Path, Run[] Runs);

    static readonly Lazy<ModelFile[]> All = new(Load);

    public static IEnumerable<object[]> FileKeys() => All.Value.Select(f => new object[] { f.Key });

    public static ModelFile Get(string key) => All.Value.Single(f => f.Key == key);

    static ModelFile[] Load()
    {
        using var doc = JsonDocument.Parse(File.ReadAllBytes(TestData.Path("models", "references.json")));
        var files = new List<ModelFile>();
        foreach (var model in doc.RootElement.EnumerateArray())
        {
            var name = model.GetProperty("model").GetProperty("name").GetString()!;
            if (!model.TryGetProperty("files", out var entries)) continue;
            foreach (var entry in entries.EnumerateObject())
            {
                var runs = entry.Value.GetProperty("runs").EnumerateArray().Select(r => new Run(
                    Ints(r.GetProperty("prompt")),
                    Ints(r.GetProperty("ids")),
                    r.GetProperty("steps").EnumerateArray().Select(s => new Step(
                        Ints(s.GetProperty("top_ids")),
                        s.GetProperty("top_logits").EnumerateArray().Select(e => e.GetDouble()).ToArray(),
                        s.GetProperty("logsumexp").GetDouble(),
                        s.GetProperty("margin").GetDouble())).ToArray())).ToArray();
                files.Add(new ModelFile($"{name}/{entry.Name}", entry.Value.GetProperty("path").GetString()!, runs));
            }
        }
        return files.ToArray();
    }

    static int[] Ints(JsonElement e) => e.EnumerateArray().Select(x => x.GetInt32()).ToArray();
}

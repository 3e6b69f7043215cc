using System.Text.Json;
using Provocapi.Engine.Formats;

namespace Provocapi.Engine.Models.Adapters;

/// <summary>The fields of PEFT's <c>adapter_config.json</c> a LoRA adapter needs.</summary>
public sealed record PeftAdapterConfig(int Rank, float Alpha, bool UseRsLora, IReadOnlyList<string> TargetModules, string? BaseModel)
{
    public static PeftAdapterConfig Read(string path)
    {
        JsonElement root;
        try { using var doc = JsonDocument.Parse(File.ReadAllBytes(path)); root = doc.RootElement.Clone(); }
        catch (JsonException e) { throw new ModelFormatException($"{path}: not valid JSON ({e.Message})"); }
        if (root.ValueKind != JsonValueKind.Object) throw new ModelFormatException($"{path}: not a JSON object");
        if (root.TryGetProperty("peft_type", out var type) && type.ValueKind == JsonValueKind.String && type.GetString() != "LORA")
            throw new ModelFormatException($"{path}: peft_type '{type.GetString()}' is not LORA");
        var rank = root.TryGetProperty("r", out var r) && r.ValueKind == JsonValueKind.Number && r.TryGetInt32(out var rv) ? rv
            : throw new ModelFormatException($"{path}: 'r' (the rank) is missing or not an integer");
        if (rank is < 1 or > 4096) throw new ModelFormatException($"{path}: rank {rank} is out of range (1 to 4096)");
        var alpha = root.TryGetProperty("lora_alpha", out var a) && a.ValueKind == JsonValueKind.Number ? a.GetSingle() : rank;
        if (!float.IsFinite(alpha)) throw new ModelFormatException($"{path}: lora_alpha is not a finite number");
        var rs = root.TryGetProperty("use_rslora", out var u) && u.ValueKind == JsonValueKind.True;
        if (root.TryGetProperty("fan_in_fan_out", out var f) && f.ValueKind == JsonValueKind.True)
            throw new ModelFormatException($"{path}: fan_in_fan_out adapters (GPT-2 style Conv1D) are not supported");
        var targets = root.TryGetProperty("target_modules", out var t) ? t.ValueKind switch
        {
            JsonValueKind.Array => t.EnumerateArray().Select(e => e.ValueKind == JsonValueKind.String ? e.GetString()!
                : throw new ModelFormatException($"{path}: target_modules holds {e.GetRawText()}, not a module name")).ToList(),
            JsonValueKind.String => [t.GetString()!],
            _ => null,
        } : null;
        if (targets == null || targets.Count == 0) throw new ModelFormatException($"{path}: target_modules is missing or empty");
        var baseModel = root.TryGetProperty("base_model_name_or_path", out var b) && b.ValueKind == JsonValueKind.String ? b.GetString() : null;
        return new PeftAdapterConfig(rank, alpha, rs, targets, baseModel);
    }
}

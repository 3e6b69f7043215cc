using System.Text.Json;
using Provocapi.Engine.Formats;

namespace Provocapi.Engine.Models.Loading;

/// <summary>The chat template of a Hugging Face folder: <c>chat_template.jinja</c>, or <c>tokenizer_config.json</c>'s <c>chat_template</c> (a string, or a list of named templates whose <c>default</c> is taken).</summary>
public static class HuggingFaceChatTemplate
{
    public static string? Read(string folder)
    {
        var jinja = Path.Combine(folder, "chat_template.jinja");
        if (File.Exists(jinja)) return File.ReadAllText(jinja);
        var path = Path.Combine(folder, "tokenizer_config.json");
        if (!File.Exists(path)) return null;
        try
        {
            using var doc = JsonDocument.Parse(File.ReadAllBytes(path));
            if (!doc.RootElement.TryGetProperty("chat_template", out var t)) return null;
            if (t.ValueKind == JsonValueKind.String) return t.GetString();
            if (t.ValueKind != JsonValueKind.Array) return null;
            foreach (var named in t.EnumerateArray())
                if (named.TryGetProperty("name", out var n) && n.GetString() == "default" && named.TryGetProperty("template", out var body))
                    return body.GetString();
            return null;
        }
        catch (JsonException e)
        {
            throw new ModelFormatException($"{path}: not valid JSON ({e.Message})");
        }
    }
}

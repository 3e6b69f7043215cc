using System.Text.Json;
using Provocapi.Engine.Formats;

namespace Provocapi.Engine.Models.Loading;

/// <summary>
/// The chat templates of a Hugging Face folder: <c>chat_template.jinja</c>, or <c>tokenizer_config.json</c>'s
/// <c>chat_template</c>, a string or a list of named templates: <c>default</c>, and <c>tool_use</c> for requests that
/// offer tools (as transformers picks them).
/// </summary>
public static class HuggingFaceChatTemplate
{
    public static (string? Default, string? ToolUse) Read(string folder)
    {
        var jinja = Path.Combine(folder, "chat_template.jinja");
        if (File.Exists(jinja)) return (File.ReadAllText(jinja), null);
        var path = Path.Combine(folder, "tokenizer_config.json");
        if (!File.Exists(path)) return (null, null);
        try
        {
            using var doc = JsonDocument.Parse(File.ReadAllBytes(path));
            if (!doc.RootElement.TryGetProperty("chat_template", out var t)) return (null, null);
            if (t.ValueKind == JsonValueKind.String) return (t.GetString(), null);
            if (t.ValueKind != JsonValueKind.Array) return (null, null);
            return (Named(t, "default"), Named(t, "tool_use"));
        }
        catch (JsonException e)
        {
            throw new ModelFormatException($"{path}: not valid JSON ({e.Message})");
        }
    }

    static string? Named(JsonElement templates, string name)
    {
        foreach (var named in templates.EnumerateArray())
            if (named.ValueKind == JsonValueKind.Object && named.TryGetProperty("name", out var n) && n.ValueKind == JsonValueKind.String && n.GetString() == name
                && named.TryGetProperty("template", out var body) && body.ValueKind == JsonValueKind.String)
                return body.GetString();
        return null;
    }
}

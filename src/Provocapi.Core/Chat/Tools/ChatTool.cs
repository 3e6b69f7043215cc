using System.Text.Json;
using Provocapi.Core.Chat.Templates;

namespace Provocapi.Core.Chat.Tools;

/// <summary>A function the model may call: its name, what it does, and its parameters as a JSON Schema.</summary>
public sealed record ChatTool(string Name, string? Description, JsonElement? Parameters)
{
    /// <summary>What chat templates expect in <c>tools</c>: OpenAI's <c>{"type": "function", "function": {...}}</c>.</summary>
    public object ToTemplateValue()
    {
        var function = new Dictionary<string, object?> { ["name"] = Name };
        if (Description != null) function["description"] = Description;
        function["parameters"] = Parameters is { } p ? ChatTemplateValues.FromJson(p) : new Dictionary<string, object?> { ["type"] = "object", ["properties"] = new Dictionary<string, object?>() };
        return new Dictionary<string, object?> { ["type"] = "function", ["function"] = function };
    }
}

using System.Text.Json;
using System.Text.RegularExpressions;
using Provocapi.Core.Chat;
using Provocapi.Core.Chat.Tools;
using Provocapi.Engine.Sampling.Grammar;
using Provocapi.Host.Platform.Errors;
using Provocapi.Host.Platform.Json;

namespace Provocapi.Host.Modules.Inference.ChatCompletions;

/// <summary>Reads <c>tools</c>, <c>tool_choice</c>, <c>response_format</c> and messages' tool calls, each refused with a 400 naming its param.</summary>
public static partial class ChatToolsRequest
{
    [GeneratedRegex("^[a-zA-Z0-9_-]{1,64}$")]
    private static partial Regex FunctionName();

    public static IReadOnlyList<ChatTool> Tools(JsonElement? tools)
    {
        if (tools is not { } array || array.ValueKind == JsonValueKind.Null) return [];
        if (array.ValueKind != JsonValueKind.Array) throw Invalid("tools", "expected an array of {\"type\": \"function\", \"function\": {...}} objects", "invalid_type");
        var list = new List<ChatTool>();
        var i = 0;
        foreach (var tool in array.EnumerateArray())
        {
            var at = $"tools[{i++}]";
            if (tool.ValueKind != JsonValueKind.Object || !tool.TryGetProperty("type", out var type) || type.ValueKind != JsonValueKind.String || type.Text("tools") != "function")
                throw Invalid("tools", $"'{at}.type' must be 'function'");
            if (!tool.TryGetProperty("function", out var function) || function.ValueKind != JsonValueKind.Object)
                throw Invalid("tools", $"'{at}.function' must be an object with a name");
            var name = function.TryGetProperty("name", out var n) && n.ValueKind == JsonValueKind.String ? n.Text("tools") : null;
            if (name == null || !FunctionName().IsMatch(name))
                throw Invalid("tools", $"'{at}.function.name' must be 1 to 64 letters, digits, underscores or dashes");
            if (list.Any(t => t.Name == name)) throw Invalid("tools", $"the function name '{name}' is used twice");
            var description = function.TryGetProperty("description", out var d) && d.ValueKind == JsonValueKind.String ? d.Text("tools") : null;
            JsonElement? parameters = null;
            if (function.TryGetProperty("parameters", out var p) && p.ValueKind != JsonValueKind.Null)
            {
                if (p.ValueKind != JsonValueKind.Object) throw Invalid("tools", $"'{at}.function.parameters' must be a JSON Schema object", "invalid_type");
                parameters = p.Clone();
            }
            list.Add(new ChatTool(name, description, parameters));
        }
        return list;
    }

    public static ToolChoice Choice(JsonElement? choice)
    {
        if (choice is not { } c || c.ValueKind == JsonValueKind.Null) return ToolChoice.Auto;
        if (c.ValueKind == JsonValueKind.String)
            return c.Text("tool_choice") switch
            {
                "auto" => ToolChoice.Auto,
                "none" => ToolChoice.None,
                "required" => ToolChoice.Required,
                var other => throw Invalid("tool_choice", $"'{other}' is not one of 'none', 'auto', 'required' or a {{\"type\": \"function\", \"function\": {{\"name\": ...}}}} object"),
            };
        if (c.ValueKind == JsonValueKind.Object && c.TryGetProperty("function", out var function) && function.ValueKind == JsonValueKind.Object
            && function.TryGetProperty("name", out var name) && name.ValueKind == JsonValueKind.String)
            return ToolChoice.Function(name.Text("tool_choice"));
        throw Invalid("tool_choice", "expected 'none', 'auto', 'required' or {\"type\": \"function\", \"function\": {\"name\": ...}}");
    }

    /// <summary>The requested output format; a schema is compiled here so one that cannot be enforced is a 400 before any work.</summary>
    public static ChatResponseFormat Format(JsonElement? format)
    {
        if (format is not { } f || f.ValueKind == JsonValueKind.Null) return ChatResponseFormat.Text;
        if (f.ValueKind != JsonValueKind.Object || !f.TryGetProperty("type", out var type) || type.ValueKind != JsonValueKind.String)
            throw Invalid("response_format", "expected an object with a 'type' of 'text', 'json_object' or 'json_schema'", "invalid_type");
        switch (type.Text("response_format"))
        {
            case "text": return ChatResponseFormat.Text;
            case "json_object": return ChatResponseFormat.JsonObject;
            case "json_schema":
                if (!f.TryGetProperty("json_schema", out var spec) || spec.ValueKind != JsonValueKind.Object || !spec.TryGetProperty("schema", out var schema))
                    throw Invalid("response_format", "'json_schema' needs a 'json_schema' object with a 'schema'");
                try { JsonSchemaCompiler.Compile(schema); }
                catch (JsonSchemaException e) { throw Invalid("response_format", $"the schema cannot be enforced: {e.Message}"); }
                return ChatResponseFormat.JsonSchema(schema);
            case var other:
                throw Invalid("response_format", $"'{other}' is not one of 'text', 'json_object' or 'json_schema'", "unsupported_value");
        }
    }

    /// <summary>An assistant message's <c>tool_calls</c>: OpenAI's shape, arguments as a string holding a JSON object.</summary>
    public static IReadOnlyList<ChatToolCall> Calls(JsonElement? calls, int message)
    {
        if (calls is not { } array || array.ValueKind == JsonValueKind.Null) return [];
        var at = $"messages[{message}].tool_calls";
        if (array.ValueKind != JsonValueKind.Array) throw Invalid("messages", $"'{at}' must be an array", "invalid_type");
        var list = new List<ChatToolCall>();
        foreach (var call in array.EnumerateArray())
        {
            if (call.ValueKind != JsonValueKind.Object || !call.TryGetProperty("function", out var function) || function.ValueKind != JsonValueKind.Object
                || !function.TryGetProperty("name", out var name) || name.ValueKind != JsonValueKind.String)
                throw Invalid("messages", $"each of '{at}' needs a 'function' with a 'name'");
            var id = call.TryGetProperty("id", out var i) && i.ValueKind == JsonValueKind.String ? i.Text("messages") : "";
            var arguments = function.TryGetProperty("arguments", out var a) ? a : default;
            var json = arguments.ValueKind switch
            {
                JsonValueKind.String => arguments.Text("messages"),
                JsonValueKind.Object => arguments.GetRawText(),
                _ => throw Invalid("messages", $"'{at}[].function.arguments' must be a string holding a JSON object"),
            };
            try
            {
                using var parsed = JsonDocument.Parse(json);
                if (parsed.RootElement.ValueKind != JsonValueKind.Object) throw new JsonException();
            }
            catch (JsonException) { throw Invalid("messages", $"'{at}[].function.arguments' is not a JSON object: {Truncate(json)}"); }
            list.Add(new ChatToolCall(id, name.Text("messages"), json));
        }
        return list;
    }

    static string Truncate(string text) => text.Length <= 80 ? text : text[..80] + "…";

    static ApiException Invalid(string param, string message, string code = "invalid_value") =>
        ApiException.BadRequest($"Invalid '{param}': {message}.", param, code);
}

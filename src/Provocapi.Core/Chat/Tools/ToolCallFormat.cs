using System.Text.Json;

namespace Provocapi.Core.Chat.Tools;

/// <summary>
/// How a model family writes tool calls in its replies, read from its chat template: Hermes/Qwen's
/// <c>&lt;tool_call&gt;</c> JSON, Llama 3.x's bare JSON, or Mistral's <c>[TOOL_CALLS]</c>. A format finds where calls
/// begin in streamed text and parses a finished reply into content and calls.
/// </summary>
public abstract class ToolCallFormat
{
    public static ToolCallFormat Hermes { get; } = new HermesToolCalls();
    public static ToolCallFormat Llama3 { get; } = new Llama3ToolCalls();
    public static ToolCallFormat Mistral { get; } = new MistralToolCalls();

    /// <summary>The format a template's own tool-call syntax shows; Hermes (which the ChatML fallback uses) otherwise.</summary>
    public static ToolCallFormat Detect(string? template) =>
        template == null ? Hermes
        : template.Contains("[TOOL_CALLS]", StringComparison.Ordinal) ? Mistral
        : template.Contains("<tool_call>", StringComparison.Ordinal) ? Hermes
        : template.Contains("<|python_tag|>", StringComparison.Ordinal) || template.Contains("ipython", StringComparison.Ordinal) ? Llama3
        : Hermes;

    public abstract string Name { get; }

    /// <summary>What the prompt ends with when a call is forced, so the model is already inside its call syntax.</summary>
    public abstract string ForcedPrefix { get; }

    /// <summary>The key a call's arguments go under in this format's JSON.</summary>
    public virtual string ArgumentsKey => "arguments";

    /// <summary>A new call id in the form the family's templates accept.</summary>
    public virtual string NewCallId() => ChatToolCall.NewId("call_", 24);

    /// <summary>
    /// Where tool calls may begin in <paramref name="text"/>: the index of a whole marker (<c>Found</c>), or of a
    /// tail that could still become one (held back while streaming), or -1. <paramref name="atReplyStart"/>: nothing
    /// of the reply has been shown yet.
    /// </summary>
    public abstract (int Index, bool Found) FindCalls(string text, bool atReplyStart);

    /// <summary>
    /// Where call <paramref name="index"/> of a streaming calls section (<paramref name="text"/>, from where
    /// <see cref="FindCalls"/> found them) opens its JSON object, looking from <paramref name="from"/> (the end of the
    /// call before); -1 while it is not written yet, or when this format writes it in a way that cannot be streamed
    /// (such a call comes whole when the reply ends).
    /// </summary>
    internal virtual int CallStart(string text, int from, int index) => -1;

    /// <summary>Where the call whose object opens at <paramref name="start"/> must end at the latest (its closing
    /// marker, for a format that has one): a call that runs past it is not read further.</summary>
    internal virtual int CallEnd(string text, int start) => text.Length;

    /// <summary>The index of the <c>{</c> at <paramref name="i"/> after white space; -1 if something else is there, or nothing yet.</summary>
    internal static int ObjectAt(string text, int i)
    {
        i = CallObjectScanner.SkipWhiteSpace(text, i);
        return i < text.Length && text[i] == '{' ? i : -1;
    }

    /// <summary>A finished reply as content and calls; a section that does not parse leaves the whole reply as content.</summary>
    public abstract ParsedReply Parse(string text);

    /// <summary>The reply to a forced call: the call's JSON object alone (the prompt already holds <see cref="ForcedPrefix"/>); text when it was cut short.</summary>
    public ParsedReply ParseForced(string text)
    {
        using var json = TryParse(text);
        return json != null && Call(json.RootElement) is { } call ? new ParsedReply("", [call]) : new ParsedReply(text, []);
    }

    /// <summary>Whether a call object's <paramref name="key"/> holds its arguments: this format's own key, or either common one.</summary>
    internal bool IsArgumentsKey(string key) => key == ArgumentsKey || key is "arguments" or "parameters";

    /// <summary>One call's JSON object (<c>{"name": ..., "arguments": {...}}</c>), or null when it is not one. Of keys
    /// written twice the first counts, as a streamed reply sends them (<see cref="CallObjectScanner"/>).</summary>
    protected ChatToolCall? Call(JsonElement call)
    {
        if (call.ValueKind != JsonValueKind.Object) return null;
        JsonElement? name = null, arguments = null;
        foreach (var property in call.EnumerateObject())
        {
            if (property.NameEquals("name")) name ??= property.Value;
            else if (IsArgumentsKey(property.Name)) arguments ??= property.Value;
        }
        if (name is not { ValueKind: JsonValueKind.String } written || Text(written) is not { } function) return null;
        if (arguments is not { } given) return new ChatToolCall(NewCallId(), function, "{}");
        return Arguments(given) is { } json ? new ChatToolCall(NewCallId(), function, json) : null;
    }

    /// <summary>A JSON string's text; null for one .NET cannot hold (a lone surrogate escape is valid JSON).</summary>
    static string? Text(JsonElement value)
    {
        try { return value.GetString(); }
        catch (InvalidOperationException) { return null; }
    }

    /// <summary>Arguments as a compact JSON object string; some models write them as a string holding the JSON.</summary>
    protected static string? Arguments(JsonElement arguments)
    {
        if (arguments.ValueKind == JsonValueKind.Object) return JsonSerializer.Serialize(arguments, Compact);
        if (arguments.ValueKind != JsonValueKind.String || Text(arguments) is not { } text) return null;
        try
        {
            using var inner = JsonDocument.Parse(text);
            return inner.RootElement.ValueKind == JsonValueKind.Object ? JsonSerializer.Serialize(inner.RootElement, Compact) : null;
        }
        catch (JsonException) { return null; }
    }

    protected static JsonDocument? TryParse(string json)
    {
        try { return JsonDocument.Parse(json); }
        catch (JsonException) { return null; }
    }

    /// <summary>The index of <paramref name="marker"/> in <paramref name="text"/>, else of a tail that begins it, else -1.</summary>
    protected static (int Index, bool Found) FindMarker(ReadOnlySpan<char> text, string marker)
    {
        var at = text.IndexOf(marker, StringComparison.Ordinal);
        if (at >= 0) return (at, true);
        for (var length = Math.Min(marker.Length - 1, text.Length); length > 0; length--)
            if (text[(text.Length - length)..].SequenceEqual(marker.AsSpan(0, length))) return (text.Length - length, false);
        return (-1, false);
    }

    static readonly JsonSerializerOptions Compact = new() { Encoder = System.Text.Encodings.Web.JavaScriptEncoder.UnsafeRelaxedJsonEscaping };
}

/// <summary>A reply split into its text and its tool calls.</summary>
public sealed record ParsedReply(string Content, IReadOnlyList<ChatToolCall> Calls);

using System.Text.Json;

namespace Provocapi.Core.Chat.Tools;

/// <summary>
/// Mistral: text, then <c>[TOOL_CALLS]</c> and a JSON array of calls (v3), or <c>[TOOL_CALLS]name[ARGS]{...}</c> per
/// call (newer templates). Its templates want call ids of nine letters and digits.
/// </summary>
public sealed class MistralToolCalls : ToolCallFormat
{
    const string Marker = "[TOOL_CALLS]", ArgumentsMarker = "[ARGS]";

    public override string Name => "mistral";

    public override string ForcedPrefix => Marker;

    public override string NewCallId() => ChatToolCall.NewId("", 9);

    public override (int Index, bool Found) FindCalls(string text, bool atReplyStart) => FindMarker(text, Marker);

    /// <summary>Calls in a JSON array (or one object) after the marker stream; the <c>name[ARGS]{...}</c> form comes whole at the end.</summary>
    internal override int CallStart(string text, int from, int index)
    {
        // The first call may open the array; each later one follows a comma.
        var (i, opener) = (from, ',');
        if (index == 0)
        {
            var marker = text.IndexOf(Marker, StringComparison.Ordinal);
            if (marker < 0) return -1;
            (i, opener) = (marker + Marker.Length, '[');
        }
        i = CallObjectScanner.SkipWhiteSpace(text, i);
        if (i < text.Length && text[i] == opener) i++;
        return ObjectAt(text, i);
    }

    public override ParsedReply Parse(string text)
    {
        var start = text.IndexOf(Marker, StringComparison.Ordinal);
        if (start < 0) return new ParsedReply(text, []);
        var calls = new List<ChatToolCall>();
        foreach (var section in text[(start + Marker.Length)..].Split(Marker, StringSplitOptions.TrimEntries | StringSplitOptions.RemoveEmptyEntries))
            if (!TryAdd(section, calls)) return new ParsedReply(text, []);
        return calls.Count == 0 ? new ParsedReply(text, []) : new ParsedReply(text[..start].Trim(), calls);
    }

    bool TryAdd(string section, List<ChatToolCall> calls)
    {
        var arguments = section.IndexOf(ArgumentsMarker, StringComparison.Ordinal);
        if (arguments > 0)
        {
            using var json = TryParse(section[(arguments + ArgumentsMarker.Length)..].Trim());
            if (json == null || Arguments(json.RootElement) is not { } args) return false;
            calls.Add(new ChatToolCall(NewCallId(), section[..arguments].Trim(), args));
            return true;
        }
        using var document = TryParse(section);
        if (document == null) return false;
        var root = document.RootElement;
        foreach (var item in root.ValueKind == JsonValueKind.Array ? root.EnumerateArray().ToArray() : [root])
        {
            if (Call(item) is not { } call) return false;
            calls.Add(call);
        }
        return true;
    }
}

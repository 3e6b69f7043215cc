namespace Provocapi.Core.Chat.Tools;

/// <summary>
/// Llama 3.1 to 3.3: the whole reply is a JSON object <c>{"name": ..., "parameters": {...}}</c> (several separated by
/// <c>;</c>), optionally after <c>&lt;|python_tag|&gt;</c>. A reply that starts otherwise is text.
/// </summary>
public sealed class Llama3ToolCalls : ToolCallFormat
{
    const string PythonTag = "<|python_tag|>";

    public override string Name => "llama3_json";

    public override string ForcedPrefix => "";

    public override string ArgumentsKey => "parameters";

    public override (int Index, bool Found) FindCalls(string text, bool atReplyStart)
    {
        if (!atReplyStart) return (-1, false);
        var trimmed = text.TrimStart();
        var at = text.Length - trimmed.Length;
        if (trimmed.Length == 0) return (0, false);
        if (trimmed.StartsWith('{') || trimmed.StartsWith(PythonTag, StringComparison.Ordinal)) return (at, true);
        return PythonTag.StartsWith(trimmed, StringComparison.Ordinal) ? (at, false) : (-1, false);
    }

    internal override int CallStart(string text, int from, int index)
    {
        var i = SeparatorsEnd(text, from);
        if (index == 0 && text.AsSpan(i).StartsWith(PythonTag, StringComparison.Ordinal)) i += PythonTag.Length;
        return ObjectAt(text, i);
    }

    public override ParsedReply Parse(string text)
    {
        var body = text.Trim();
        if (body.StartsWith(PythonTag, StringComparison.Ordinal)) body = body[PythonTag.Length..].Trim();
        if (!body.StartsWith('{')) return new ParsedReply(text, []);
        var calls = new List<ChatToolCall>();
        var at = 0;
        while (at < body.Length)
        {
            var end = CallObjectScanner.ValueEnd(body, at);
            using var json = end < 0 ? null : TryParse(body[at..end]);
            if (json == null || Call(json.RootElement) is not { } call) return new ParsedReply(text, []);
            calls.Add(call);
            at = SeparatorsEnd(body, end);
        }
        return new ParsedReply("", calls);
    }

    /// <summary>Past the white space and semicolons that separate calls, from <paramref name="i"/>.</summary>
    static int SeparatorsEnd(string text, int i)
    {
        while (i < text.Length && (char.IsWhiteSpace(text[i]) || text[i] == ';')) i++;
        return i;
    }
}

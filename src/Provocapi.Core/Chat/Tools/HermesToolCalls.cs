namespace Provocapi.Core.Chat.Tools;

/// <summary>Hermes and Qwen: each call is <c>&lt;tool_call&gt;{"name": ..., "arguments": {...}}&lt;/tool_call&gt;</c>, after any text.</summary>
public sealed class HermesToolCalls : ToolCallFormat
{
    const string Open = "<tool_call>", Close = "</tool_call>";

    public override string Name => "hermes";

    public override string ForcedPrefix => Open + "\n";

    public override (int Index, bool Found) FindCalls(string text, bool atReplyStart) => FindMarker(text, Open);

    internal override int CallStart(string text, int from, int index)
    {
        var open = text.IndexOf(Open, from, StringComparison.Ordinal);
        return open < 0 ? -1 : ObjectAt(text, open + Open.Length);
    }

    /// <summary>The closing tag, or a tail that may become it (held back until it is clear), as the parser cuts calls.</summary>
    internal override int CallEnd(string text, int start)
    {
        var (at, _) = FindMarker(text.AsSpan(start), Close);
        return at < 0 ? text.Length : start + at;
    }

    public override ParsedReply Parse(string text)
    {
        var start = text.IndexOf(Open, StringComparison.Ordinal);
        if (start < 0) return new ParsedReply(text, []);
        var calls = new List<ChatToolCall>();
        var content = new System.Text.StringBuilder(text[..start]);
        var at = start;
        while (at >= 0)
        {
            var bodyStart = at + Open.Length;
            var end = text.IndexOf(Close, bodyStart, StringComparison.Ordinal);
            var body = end < 0 ? text[bodyStart..] : text[bodyStart..end];
            using var json = TryParse(body.Trim());
            if (json == null || Call(json.RootElement) is not { } call) return new ParsedReply(text, []);
            calls.Add(call);
            if (end < 0) break;
            var next = text.IndexOf(Open, end + Close.Length, StringComparison.Ordinal);
            content.Append(next < 0 ? text[(end + Close.Length)..] : text[(end + Close.Length)..next]);
            at = next;
        }
        return new ParsedReply(content.ToString().Trim(), calls);
    }
}

using System.Text;

namespace Provocapi.Core.Chat.Tools;

/// <summary>
/// Splits a streamed reply into text to show now and tool calls: text goes out as it comes, except a tail that
/// could be the start of a call marker, held back until it is clear; from the marker on, everything is kept and
/// parsed into calls when the reply ends. Not thread-safe; one per choice.
/// </summary>
public sealed class ToolCallStream(ChatTurn turn)
{
    readonly StringBuilder _held = new();
    bool _inCalls = turn.IsForcedCall;
    bool _atReplyStart = true;

    /// <summary>Whether the reply has reached its tool calls: all that follows is held in <see cref="CallText"/>.</summary>
    public bool InCalls => _inCalls;

    /// <summary>The reply from where its calls begin, so far (empty before).</summary>
    public string CallText => _inCalls ? _held.ToString() : "";

    /// <summary>The text of <paramref name="piece"/> that can be shown now.</summary>
    public string Push(string piece)
    {
        if (turn.Format == null) return piece;
        _held.Append(piece);
        if (_inCalls) return "";
        var text = _held.ToString();
        var (index, found) = turn.Format.FindCalls(text, _atReplyStart);
        var shown = index < 0 ? text : text[..index];
        if (found) _inCalls = true;
        _held.Remove(0, shown.Length);
        if (shown.Length > 0) _atReplyStart = false;
        return shown;
    }

    /// <summary>At the end of the reply: the rest of its text and the calls.</summary>
    public ParsedReply Finish()
    {
        var rest = _held.ToString();
        _held.Clear();
        if (turn.Format == null || rest.Length == 0) return new ParsedReply(rest, []);
        return turn.Reply(rest);
    }
}

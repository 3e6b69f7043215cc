namespace Provocapi.Core.Chat.Tools;

/// <summary>
/// A streamed reply as OpenAI streams it: text as it comes (<see cref="ToolCallStream"/> holds back what may start a
/// call), and each tool call as it is written: a first delta with its id and name once the name is whole, then its
/// arguments' JSON text piece by piece. A call the format writes in a shape that cannot be read as it comes (arguments
/// as a string, Mistral's <c>name[ARGS]</c>) or that names no offered function comes whole at the end, as the
/// whole reply's parser reads it. Once a call has been sent it stands: a reply cut short leaves its arguments
/// unfinished, as OpenAI's do. Not thread-safe; one per choice.
/// </summary>
public sealed class ToolCallDeltaStream(ChatTurn turn)
{
    readonly ToolCallStream _text = turn.Stream();
    readonly List<SentCall> _sent = [];
    /// <summary>Where the calls section's next unfinished call is looked for, and its index: finished calls are not read again.</summary>
    int _from, _finished;

    sealed class SentCall(string id, string name)
    {
        public string Id { get; } = id;
        public string Name { get; } = name;
        public int ArgumentsSent { get; set; }
        /// <summary>Its JSON object is closed: it was written whole, arguments or not.</summary>
        public bool Closed { get; set; }
    }

    /// <summary>Whether any call has been sent.</summary>
    public bool HasCalls => _sent.Count > 0;

    /// <summary>The text of <paramref name="piece"/> to show now, and the call deltas it completes.</summary>
    public (string Text, IReadOnlyList<ChatToolCallDelta> Calls) Push(string piece)
    {
        var text = _text.Push(piece);
        if (!_text.InCalls) return (text, []);
        var deltas = new List<ChatToolCallDelta>();
        Advance(_text.CallText, deltas);
        return (text, deltas);
    }

    /// <summary>
    /// At the end of the reply: the rest of its text, the calls' last deltas (whole calls when none could stream), and
    /// whether the whole reply's parser found every call that was sent (false: the reply broke off inside one).
    /// </summary>
    public (string Text, IReadOnlyList<ChatToolCallDelta> Calls, bool Complete) Finish()
    {
        var calls = _text.CallText;
        var reply = _text.Finish();
        var deltas = new List<ChatToolCallDelta>();
        if (_sent.Count == 0)
        {
            for (var i = 0; i < reply.Calls.Count; i++) AddWhole(i, reply.Calls[i], deltas);
            return (reply.Content, deltas, true);
        }
        Advance(calls, deltas);
        var complete = reply.Calls.Count >= _sent.Count;
        for (var i = 0; i < Math.Max(reply.Calls.Count, _sent.Count); i++)
        {
            // Past those sent: calls that could not be read as they came. Sent without arguments: arguments as a
            // string, or none (a closed call without them has none, as the parser reads it).
            if (i >= _sent.Count) AddWhole(i, reply.Calls[i], deltas);
            else if (_sent[i].ArgumentsSent > 0) continue;
            else if (complete) deltas.Add(new ChatToolCallDelta(i, null, null, reply.Calls[i].Arguments));
            else if (_sent[i].Closed) deltas.Add(new ChatToolCallDelta(i, null, null, "{}"));
        }
        return (complete ? reply.Content : "", deltas, complete);
    }

    void AddWhole(int index, ChatToolCall call, List<ChatToolCallDelta> deltas)
    {
        _sent.Add(new SentCall(call.Id, call.Name) { ArgumentsSent = call.Arguments.Length });
        deltas.Add(new ChatToolCallDelta(index, call.Id, call.Name, ""));
        deltas.Add(new ChatToolCallDelta(index, null, null, call.Arguments));
    }

    /// <summary>Sends what the calls section now holds beyond what was sent: new calls once named, more of their arguments.</summary>
    void Advance(string text, List<ChatToolCallDelta> deltas)
    {
        var format = turn.Format!;
        for (var index = _finished; turn.ParallelToolCalls || index == 0; index++)
        {
            var start = turn.IsForcedCall ? (index == 0 ? ToolCallFormat.ObjectAt(text, 0) : -1) : format.CallStart(text, _from, index);
            if (start < 0) return;
            var end = turn.IsForcedCall ? text.Length : format.CallEnd(text, start);
            var call = CallObjectScanner.Scan(text.AsSpan(0, end), start, format);
            if (index == _sent.Count)
            {
                if (call.Name == null || !turn.ToolNames.Contains(call.Name)) return;
                var sent = new SentCall(format.NewCallId(), call.Name);
                _sent.Add(sent);
                deltas.Add(new ChatToolCallDelta(index, sent.Id, sent.Name, ""));
            }
            var current = _sent[index];
            if (call.HasArguments && call.ArgumentsEnd - call.ArgumentsStart > current.ArgumentsSent)
            {
                deltas.Add(new ChatToolCallDelta(index, null, null, text[(call.ArgumentsStart + current.ArgumentsSent)..call.ArgumentsEnd]));
                current.ArgumentsSent = call.ArgumentsEnd - call.ArgumentsStart;
            }
            if (!call.IsClosed) return;
            current.Closed = true;
            (_from, _finished) = (call.End, index + 1);
        }
    }
}

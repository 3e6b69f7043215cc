namespace Provocapi.Engine.Sampling;

/// <summary>
/// Finds stop strings in streamed text. Text that could still be the start of a stop string is held back,
/// so a caller never streams part of a stop sequence it will later have to take back.
/// </summary>
public sealed class StopStringMatcher(IReadOnlyList<string> stops)
{
    readonly string[] _stops = stops.Where(s => s.Length > 0).ToArray();
    string _pending = "";

    public bool Stopped { get; private set; }

    /// <summary>Adds generated text; returns what is safe to emit. After a stop string is seen, <see cref="Stopped"/> is true and the text before it is returned.</summary>
    public string Push(string piece)
    {
        if (Stopped) return "";
        var text = _pending + piece;
        if (_stops.Length == 0) return text;
        var first = -1;
        foreach (var stop in _stops)
        {
            var at = text.IndexOf(stop, StringComparison.Ordinal);
            if (at >= 0 && (first < 0 || at < first)) first = at;
        }
        if (first >= 0)
        {
            Stopped = true;
            _pending = "";
            return text[..first];
        }
        var hold = HeldBack(text);
        _pending = text[^hold..];
        return text[..^hold];
    }

    /// <summary>The text held back at the end of generation (no stop string came).</summary>
    public string Flush()
    {
        var rest = _pending;
        _pending = "";
        return rest;
    }

    /// <summary>The length of the longest suffix of <paramref name="text"/> that is a proper prefix of some stop string.</summary>
    int HeldBack(string text)
    {
        var hold = 0;
        foreach (var stop in _stops)
            for (var len = Math.Min(stop.Length - 1, text.Length); len > hold; len--)
                if (text.AsSpan(text.Length - len).SequenceEqual(stop.AsSpan(0, len)))
                {
                    hold = len;
                    break;
                }
        return hold;
    }
}

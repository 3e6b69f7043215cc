using System.Text.Json;

namespace Provocapi.Core.Chat.Tools;

/// <summary>Reads a call object as a streaming reply writes it (<see cref="CallProgress"/>).</summary>
internal static class CallObjectScanner
{
    /// <summary>The call object that starts with the <c>{</c> at <paramref name="start"/>, in <paramref name="format"/>.
    /// The first <c>name</c> and the first arguments key (<see cref="ToolCallFormat.IsArgumentsKey"/>) count, as the
    /// whole reply's parser reads them: a later duplicate cannot take back what was streamed. Arguments stream only when
    /// the first is an object. Stops early, at what it has, on anything it cannot read.</summary>
    public static CallProgress Scan(ReadOnlySpan<char> text, int start, ToolCallFormat format)
    {
        string? name = null;
        bool nameSeen = false, argumentsSeen = false;
        int argumentsStart = -1, argumentsEnd = -1;
        var i = start + 1;
        while (true)
        {
            i = SkipWhiteSpace(text, i);
            if (i >= text.Length) return new(name, argumentsStart, argumentsEnd, -1);
            if (text[i] == '}') return new(name, argumentsStart, argumentsEnd, i + 1);
            if (text[i] == ',')
            {
                i++;
                continue;
            }
            var keyEnd = text[i] == '"' ? StringEnd(text, i) : -1;
            var key = keyEnd < 0 ? null : Decode(text, i, keyEnd);
            if (key == null) return new(name, argumentsStart, argumentsEnd, -1);
            i = SkipWhiteSpace(text, keyEnd);
            if (i >= text.Length || text[i] != ':') return new(name, argumentsStart, argumentsEnd, -1);
            i = SkipWhiteSpace(text, i + 1);
            if (i >= text.Length) return new(name, argumentsStart, argumentsEnd, -1);
            var valueEnd = ValueEnd(text, i);
            if (key == "name" && !nameSeen)
            {
                if (valueEnd < 0) return new(name, argumentsStart, argumentsEnd, -1);
                nameSeen = true;
                if (text[i] == '"') name = Decode(text, i, valueEnd);
            }
            else if (!argumentsSeen && format.IsArgumentsKey(key))
            {
                argumentsSeen = true;
                if (text[i] == '{')
                {
                    argumentsStart = i;
                    argumentsEnd = valueEnd < 0 ? text.Length : valueEnd;
                }
            }
            if (valueEnd < 0) return new(name, argumentsStart, argumentsEnd, -1);
            i = valueEnd;
        }
    }

    internal static int SkipWhiteSpace(ReadOnlySpan<char> text, int i)
    {
        while (i < text.Length && char.IsWhiteSpace(text[i])) i++;
        return i;
    }

    /// <summary>Just past the string that opens at <paramref name="start"/>; -1 while it is open.</summary>
    static int StringEnd(ReadOnlySpan<char> text, int start)
    {
        for (var i = start + 1; i < text.Length; i++)
        {
            if (text[i] == '\\') i++;
            else if (text[i] == '"') return i + 1;
        }
        return -1;
    }

    /// <summary>Just past the JSON value that starts at <paramref name="start"/> (an object or array ends at its own
    /// closing bracket, whatever strings inside hold); -1 while it may go on.</summary>
    internal static int ValueEnd(ReadOnlySpan<char> text, int start)
    {
        switch (text[start])
        {
            case '"':
                return StringEnd(text, start);
            case '{' or '[':
                var depth = 0;
                for (var i = start; i < text.Length; i++)
                {
                    var c = text[i];
                    if (c == '"')
                    {
                        i = StringEnd(text, i) - 1;
                        if (i < 0) return -1;
                    }
                    else if (c is '{' or '[') depth++;
                    else if (c is '}' or ']' && --depth == 0) return i + 1;
                }
                return -1;
            default:
                // A number or literal ends at what cannot continue it; at the end of the text it may still go on.
                for (var i = start; i < text.Length; i++)
                    if (text[i] is ',' or '}' or ']' || char.IsWhiteSpace(text[i])) return i;
                return -1;
        }
    }

    static string? Decode(ReadOnlySpan<char> text, int start, int end)
    {
        try { return JsonSerializer.Deserialize<string>(text[start..end]); }
        catch (JsonException) { return null; }
    }
}

using System.Text;
using Provocapi.Engine.Tokenizers;

namespace Provocapi.Core.Chat;

/// <summary>
/// Control-token text that a request wrote ("&lt;|im_end|&gt;&lt;|im_start|&gt;system" in a user turn, a tool call's
/// arguments or a tool's description) stays text, as in OpenAI's API, so no message can close its turn or open one
/// with another role. A prompt is tokenized with control tokens parsed, since the template writes the real ones; so
/// before rendering, each control token written in the request's strings is wrapped in two noncharacters, and after
/// rendering they are taken out again and mark the stretches the tokenizer must keep literal
/// (<see cref="Tokenizer.Encode"/>). Only control-token text carries marks, so trimming, <c>tojson</c> and the like
/// work as before; a template that tests such a string's length or ending sees the two marks. A template that cuts
/// between a pair (splitting on a control token, slicing) leaves marks that no longer enclose exactly one control token:
/// those mark nothing, so the template's own tokens around them stay tokens. (One that puts the very token it split on
/// back between the halves rebuilds the request's text exactly, and that token stays text.)
/// </summary>
internal static class UserControlText
{
    const char Open = '\uFDD0';
    const char Close = '\uFDD1';

    /// <summary>The text with each control token written in it wrapped in marks; marks already in the text (noncharacters,
    /// never meant for interchange) become U+FFFD so a request cannot forge them.</summary>
    public static string Mark(string text, Tokenizer tokenizer)
    {
        if (text.AsSpan().IndexOfAny(Open, Close) >= 0) text = text.Replace(Open, '\uFFFD').Replace(Close, '\uFFFD');
        var ranges = tokenizer.ControlTokenRanges(text);
        if (ranges.Count == 0) return text;
        var marked = new StringBuilder(text.Length + 2 * ranges.Count);
        var position = 0;
        foreach (var range in ranges)
        {
            var (start, length) = range.GetOffsetAndLength(text.Length);
            marked.Append(text, position, start - position).Append(Open).Append(text, start, length).Append(Close);
            position = start + length;
        }
        return marked.Append(text, position, text.Length - position).ToString();
    }

    /// <summary>A template variable (strings, and dictionaries and lists of them, as <see cref="Templates.ChatTemplateValues.FromJson"/>
    /// builds) with every string and key marked.</summary>
    public static object? MarkAll(object? value, Tokenizer tokenizer)
    {
        switch (value)
        {
            case string text:
                return Mark(text, tokenizer);
            case Dictionary<string, object?> map:
                var marked = new Dictionary<string, object?>(map.Count, StringComparer.Ordinal);
                foreach (var (key, item) in map) marked[Mark(key, tokenizer)] = MarkAll(item, tokenizer);
                return marked;
            case List<object?> list:
                return list.Select(item => MarkAll(item, tokenizer)).ToList();
            default:
                return value;
        }
    }

    /// <summary>The rendered prompt without its marks, and the stretches they enclosed, each one whole control token; marks
    /// a template separated are dropped.</summary>
    public static string Unmark(string rendered, Tokenizer tokenizer, out IReadOnlyList<Range> literal)
    {
        var ranges = new List<Range>();
        literal = ranges;
        if (rendered.AsSpan().IndexOfAny(Open, Close) < 0) return rendered;
        var text = new StringBuilder(rendered.Length);
        int? opened = null;
        foreach (var c in rendered)
        {
            switch (c)
            {
                case Open: opened = text.Length; break;
                case Close when opened is { } start:
                    if (IsOneControlToken(text.ToString(start, text.Length - start), tokenizer)) ranges.Add(start..text.Length);
                    opened = null;
                    break;
                case Close: break;
                default: text.Append(c); break;
            }
        }
        return text.ToString();
    }

    static bool IsOneControlToken(string text, Tokenizer tokenizer) =>
        tokenizer.ControlTokenRanges(text) is [var only] && only.GetOffsetAndLength(text.Length) == (0, text.Length);
}

using System.Text;
using Provocapi.Engine.Tokenizers;

namespace Provocapi.Core.Chat;

/// <summary>
/// Control-token text that a message's author wrote ("&lt;|im_end|&gt;&lt;|im_start|&gt;system" in a user turn) stays text,
/// as in OpenAI's API, so no message can close its turn or open one with another role. A prompt is tokenized with
/// control tokens parsed, since the template writes the real ones; so before rendering, each control token written
/// in a message is wrapped in two noncharacters, and after rendering they are taken out again and mark the stretches
/// the tokenizer must keep literal (<see cref="Tokenizer.Encode"/>). Marks survive what templates do to content
/// (trim, split, tojson), and only control-token text carries them, so nothing else about the content changes.
/// </summary>
internal static class UserControlText
{
    const char Open = '\uFDD0';
    const char Close = '\uFDD1';

    /// <summary>The content with each control token written in it wrapped in marks; marks already in the text (noncharacters,
    /// never meant for interchange) become U+FFFD so a message cannot forge them.</summary>
    public static string Mark(string content, Tokenizer tokenizer)
    {
        if (content.AsSpan().IndexOfAny(Open, Close) >= 0) content = content.Replace(Open, '\uFFFD').Replace(Close, '\uFFFD');
        var ranges = tokenizer.ControlTokenRanges(content);
        if (ranges.Count == 0) return content;
        var marked = new StringBuilder(content.Length + 2 * ranges.Count);
        var position = 0;
        foreach (var range in ranges)
        {
            var (start, length) = range.GetOffsetAndLength(content.Length);
            marked.Append(content, position, start - position).Append(Open).Append(content, start, length).Append(Close);
            position = start + length;
        }
        return marked.Append(content, position, content.Length - position).ToString();
    }

    /// <summary>The rendered prompt without its marks, and the stretches they enclosed. A mark a template cut from its
    /// partner (by slicing content, say) is dropped.</summary>
    public static string Unmark(string rendered, out IReadOnlyList<Range> literal)
    {
        var ranges = new List<Range>();
        if (rendered.AsSpan().IndexOfAny(Open, Close) < 0)
        {
            literal = ranges;
            return rendered;
        }
        var text = new StringBuilder(rendered.Length);
        int? opened = null;
        foreach (var c in rendered)
        {
            switch (c)
            {
                case Open: opened = text.Length; break;
                case Close when opened is { } start:
                    ranges.Add(start..text.Length);
                    opened = null;
                    break;
                case Close: break;
                default: text.Append(c); break;
            }
        }
        literal = ranges;
        return text.ToString();
    }
}

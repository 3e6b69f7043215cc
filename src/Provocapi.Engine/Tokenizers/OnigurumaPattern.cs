using System.Globalization;
using System.Text;

namespace Provocapi.Engine.Tokenizers;

/// <summary>
/// Rewrites a split pattern written for Oniguruma (the engine behind Hugging Face tokenizers' Split pre-tokenizer, and
/// the dialect llama.cpp's patterns are copied from) into .NET regex syntax, to be run over <see cref="BmpProjection"/>ed text:
/// possessive quantifiers (<c>x?+</c>, <c>x++</c>) become atomic groups, <c>\pL</c> becomes <c>\p{L}</c>, <c>\x{...}</c>
/// becomes a literal, <c>\h</c> is Oniguruma's hex digit, and supplementary code points (single or in ranges) become the
/// BMP stand-ins of their categories. <c>^</c> and <c>$</c> are kept; compile with RegexOptions.Multiline for Ruby-syntax line anchors.
/// </summary>
internal static class OnigurumaPattern
{
    public static string ToDotNet(string pattern)
    {
        var output = new StringBuilder(pattern.Length + 16);
        var groupStarts = new Stack<int>();
        var atomStart = -1;
        var i = 0;
        while (i < pattern.Length)
        {
            var c = pattern[i];
            switch (c)
            {
                case '\\':
                    atomStart = output.Length;
                    i = CopyEscape(pattern, i, output);
                    break;
                case '[':
                    atomStart = output.Length;
                    i = CopyClass(pattern, i, output);
                    break;
                case '(':
                    groupStarts.Push(output.Length);
                    output.Append('(');
                    i++;
                    if (i < pattern.Length && pattern[i] == '?')
                    {
                        i = CopyGroupPrefix(pattern, i, output);
                        if (output[^1] == ')') groupStarts.Pop(); // an inline option group such as (?i)
                    }
                    atomStart = -1;
                    break;
                case ')':
                    output.Append(')');
                    atomStart = groupStarts.Count > 0 ? groupStarts.Pop() : -1;
                    i++;
                    break;
                case '*' or '+' or '?':
                    i = CopyQuantifier(pattern, i, i + 1, output, atomStart);
                    atomStart = -1;
                    break;
                case '{' when QuantifierEnd(pattern, i) is int end:
                    i = CopyQuantifier(pattern, i, end, output, atomStart);
                    atomStart = -1;
                    break;
                case '{':
                    atomStart = output.Length;
                    output.Append(@"\{");
                    i++;
                    break;
                case '|':
                    output.Append('|');
                    atomStart = -1;
                    i++;
                    break;
                default:
                    atomStart = output.Length;
                    if (char.IsHighSurrogate(c) && i + 1 < pattern.Length && char.IsLowSurrogate(pattern[i + 1]))
                    {
                        AppendLiteral(output, BmpProjection.StandIn(char.ConvertToUtf32(c, pattern[i + 1])));
                        i += 2;
                    }
                    else
                    {
                        output.Append(c);
                        i++;
                    }
                    break;
            }
        }
        return output.ToString();
    }

    /// <summary>Copies the quantifier pattern[start..end) and a lazy or possessive suffix; a possessive one wraps the atom in (?>...).</summary>
    static int CopyQuantifier(string pattern, int start, int end, StringBuilder output, int atomStart)
    {
        var quantifier = pattern.AsSpan(start, end - start);
        if (end < pattern.Length && pattern[end] == '+' && atomStart >= 0)
        {
            output.Insert(atomStart, "(?>");
            output.Append(quantifier).Append(')');
            return end + 1;
        }
        output.Append(quantifier);
        if (end < pattern.Length && pattern[end] == '?')
        {
            output.Append('?');
            return end + 1;
        }
        return end;
    }

    /// <summary>The end of a {n}, {n,} or {n,m} quantifier starting at <paramref name="start"/>, or null when the brace is a literal.</summary>
    static int? QuantifierEnd(string pattern, int start)
    {
        var i = start + 1;
        var digits = 0;
        while (i < pattern.Length && char.IsAsciiDigit(pattern[i])) { i++; digits++; }
        if (i < pattern.Length && pattern[i] == ',')
        {
            i++;
            while (i < pattern.Length && char.IsAsciiDigit(pattern[i])) { i++; digits++; }
        }
        return digits > 0 && i < pattern.Length && pattern[i] == '}' ? i + 1 : null;
    }

    /// <summary>Copies what follows "(?": a lookaround, non-capturing, atomic, named or option group opener.</summary>
    static int CopyGroupPrefix(string pattern, int i, StringBuilder output)
    {
        output.Append('?');
        i++;
        if (i >= pattern.Length) return i;
        var c = pattern[i];
        if (c is ':' or '=' or '!' or '>')
        {
            output.Append(c);
            return i + 1;
        }
        if (c == '<')
        {
            output.Append('<');
            i++;
            if (i < pattern.Length && pattern[i] is '=' or '!')
            {
                output.Append(pattern[i]);
                return i + 1;
            }
            while (i < pattern.Length && pattern[i] != '>') output.Append(pattern[i++]);
            if (i < pattern.Length) output.Append(pattern[i++]);
            return i;
        }
        while (i < pattern.Length && (char.IsAsciiLetter(pattern[i]) || pattern[i] == '-')) output.Append(pattern[i++]);
        if (i < pattern.Length && pattern[i] is ':' or ')') output.Append(pattern[i++]);
        return i;
    }

    /// <summary>Copies an escape outside a character class.</summary>
    static int CopyEscape(string pattern, int i, StringBuilder output)
    {
        if (TryReadCodePointEscape(pattern, i, out var codePoint, out var next))
        {
            AppendLiteral(output, codePoint >= 0x10000 ? BmpProjection.StandIn(codePoint) : (char)codePoint);
            return next;
        }
        return CopyClassEscape(pattern, i, output, inClass: false);
    }

    /// <summary>Copies an escape that stands for a set (\p{..}, \s, \h, ...) or an anchor; anything else is copied verbatim.</summary>
    static int CopyClassEscape(string pattern, int i, StringBuilder output, bool inClass)
    {
        if (i + 1 >= pattern.Length) throw new FormatException($"pattern ends with a lone backslash: {pattern}");
        var c = pattern[i + 1];
        switch (c)
        {
            case 'p' or 'P':
                if (i + 2 < pattern.Length && pattern[i + 2] == '{')
                {
                    var close = pattern.IndexOf('}', i + 3);
                    if (close < 0) throw new FormatException($"unterminated \\{c}{{ in pattern: {pattern}");
                    output.Append(pattern, i, close + 1 - i);
                    return close + 1;
                }
                if (i + 2 >= pattern.Length) throw new FormatException($"\\{c} without a property in pattern: {pattern}");
                output.Append('\\').Append(c).Append('{').Append(pattern[i + 2]).Append('}');
                return i + 3;
            case 'h':
                output.Append(inClass ? "0-9a-fA-F" : "[0-9a-fA-F]");
                return i + 2;
            case 'H' when !inClass:
                output.Append("[^0-9a-fA-F]");
                return i + 2;
            default:
                output.Append('\\').Append(c);
                return i + 2;
        }
    }

    /// <summary>Reads an escape that names one code point: \x{HHHH}, \xHH, \uHHHH, \t, \n, \r, \f, \v, \e, \a or an escaped punctuation character.</summary>
    static bool TryReadCodePointEscape(string pattern, int i, out int codePoint, out int next)
    {
        codePoint = 0;
        next = i;
        if (i + 1 >= pattern.Length) return false;
        var c = pattern[i + 1];
        switch (c)
        {
            case 'x' when i + 2 < pattern.Length && pattern[i + 2] == '{':
                var close = pattern.IndexOf('}', i + 3);
                if (close < 0 || !int.TryParse(pattern.AsSpan(i + 3, close - i - 3), NumberStyles.HexNumber, CultureInfo.InvariantCulture, out codePoint)) return false;
                next = close + 1;
                return true;
            case 'x' when i + 3 < pattern.Length && int.TryParse(pattern.AsSpan(i + 2, 2), NumberStyles.HexNumber, CultureInfo.InvariantCulture, out codePoint):
                next = i + 4;
                return true;
            case 'u' when i + 5 < pattern.Length && int.TryParse(pattern.AsSpan(i + 2, 4), NumberStyles.HexNumber, CultureInfo.InvariantCulture, out codePoint):
                next = i + 6;
                return true;
            case 't': codePoint = '\t'; break;
            case 'n': codePoint = '\n'; break;
            case 'r': codePoint = '\r'; break;
            case 'f': codePoint = '\f'; break;
            case 'v': codePoint = '\v'; break;
            case 'e': codePoint = '\u001B'; break;
            case 'a': codePoint = '\u0007'; break;
            default:
                if (char.IsAsciiLetterOrDigit(c)) return false;
                if (char.IsHighSurrogate(c) && i + 2 < pattern.Length && char.IsLowSurrogate(pattern[i + 2]))
                {
                    codePoint = char.ConvertToUtf32(c, pattern[i + 2]);
                    next = i + 3;
                    return true;
                }
                codePoint = c;
                break;
        }
        next = i + 2;
        return true;
    }

    /// <summary>Copies a bracketed class, turning supplementary members and ranges into the stand-ins of their categories.</summary>
    static int CopyClass(string pattern, int i, StringBuilder output)
    {
        output.Append('[');
        i++;
        if (i < pattern.Length && pattern[i] == '^')
        {
            output.Append('^');
            i++;
        }
        var standIns = new SortedSet<char>();
        var first = true;
        while (i < pattern.Length && (pattern[i] != ']' || first))
        {
            first = false;
            if (pattern[i] == '\\' && !TryReadCodePointEscape(pattern, i, out _, out _))
            {
                i = CopyClassEscape(pattern, i, output, inClass: true);
                continue;
            }
            var low = ReadClassMember(pattern, ref i);
            var high = low;
            if (i + 1 < pattern.Length && pattern[i] == '-' && pattern[i + 1] != ']')
            {
                i++;
                high = ReadClassMember(pattern, ref i);
                if (high < low) throw new FormatException($"reversed range in pattern: {pattern}");
            }
            if (low < 0x10000)
            {
                AppendLiteral(output, (char)low);
                if (high > low)
                {
                    output.Append('-');
                    AppendLiteral(output, (char)Math.Min(high, 0xFFFF));
                }
            }
            for (var cp = Math.Max(low, 0x10000); cp <= high; cp++)
                standIns.Add(BmpProjection.StandIn(cp));
        }
        if (i >= pattern.Length) throw new FormatException($"unterminated character class in pattern: {pattern}");
        foreach (var standIn in standIns) AppendLiteral(output, standIn);
        output.Append(']');
        return i + 1;
    }

    static int ReadClassMember(string pattern, ref int i)
    {
        if (pattern[i] == '\\')
        {
            if (!TryReadCodePointEscape(pattern, i, out var escaped, out var next))
                throw new FormatException($"a class escape cannot bound a range in pattern: {pattern}");
            i = next;
            return escaped;
        }
        var c = pattern[i];
        if (char.IsHighSurrogate(c) && i + 1 < pattern.Length && char.IsLowSurrogate(pattern[i + 1]))
        {
            i += 2;
            return char.ConvertToUtf32(c, pattern[i - 1]);
        }
        i++;
        return c;
    }

    static void AppendLiteral(StringBuilder output, char c)
    {
        if (char.IsAsciiLetterOrDigit(c) || c == ' ' || c > 0x7F && !char.IsSurrogate(c) && !char.IsWhiteSpace(c)) output.Append(c);
        else output.Append(@"\u").Append(((int)c).ToString("X4", CultureInfo.InvariantCulture));
    }
}

using System.Globalization;
using System.Text;

namespace Provocapi.Core.Chat.Templates;

/// <summary>Python's string semantics where they differ from .NET's: whitespace, splitting, case, repr.</summary>
internal static class PythonText
{
    /// <summary>The characters Python's <c>str.isspace</c> accepts in the Basic Multilingual Plane.</summary>
    public static readonly char[] WhitespaceChars =
    [
        ' ', '\t', '\n', '\v', '\f', '\r', '\x1c', '\x1d', '\x1e', '\x1f', '\x85', '\xa0', '\u1680', '\u2000', '\u2001',
        '\u2002', '\u2003', '\u2004', '\u2005', '\u2006', '\u2007', '\u2008', '\u2009', '\u200a', '\u2028', '\u2029',
        '\u202f', '\u205f', '\u3000',
    ];

    public static bool IsWhitespace(char c) => c <= ' ' ? c is ' ' or >= '\t' and <= '\r' or >= '\x1c' and <= '\x1f' : c >= '\x85' && Array.IndexOf(WhitespaceChars, c) >= 0;

    public static string Strip(string s, string? chars, bool left = true, bool right = true)
    {
        if (chars is { Length: 0 }) return s;
        var set = chars?.ToCharArray() ?? WhitespaceChars;
        return left && right ? s.Trim(set) : left ? s.TrimStart(set) : s.TrimEnd(set);
    }

    /// <summary>str.split / str.rsplit: with no separator, runs of whitespace split and ends are dropped.</summary>
    public static List<object?> Split(string s, string? separator, long maxSplit, bool fromRight)
    {
        if (separator is { Length: 0 }) throw new ChatTemplateException("ValueError: empty separator");
        var parts = new List<string>();
        if (separator == null)
        {
            var words = new List<(int Start, int End)>();
            for (var i = 0; i < s.Length;)
            {
                while (i < s.Length && IsWhitespace(s[i])) i++;
                if (i == s.Length) break;
                var start = i;
                while (i < s.Length && !IsWhitespace(s[i])) i++;
                words.Add((start, i));
            }
            if (maxSplit < 0 || words.Count <= maxSplit + 1) return [.. words.Select(w => (object?)s[w.Start..w.End])];
            var keep = (int)maxSplit;
            if (fromRight)
            {
                var head = s[..words[^(keep + 1)].End];
                return [head, .. words.Skip(words.Count - keep).Select(w => (object?)s[w.Start..w.End])];
            }
            var tail = s[words[keep].Start..];
            return [.. words.Take(keep).Select(w => (object?)s[w.Start..w.End]), tail];
        }
        if (!fromRight)
        {
            var pos = 0;
            while (maxSplit < 0 || parts.Count < maxSplit)
            {
                var i = s.IndexOf(separator, pos, StringComparison.Ordinal);
                if (i < 0) break;
                parts.Add(s[pos..i]);
                pos = i + separator.Length;
            }
            parts.Add(s[pos..]);
            return [.. parts];
        }
        var end = s.Length;
        var reversed = new List<string>();
        while ((maxSplit < 0 || reversed.Count < maxSplit) && end >= separator.Length)
        {
            var i = s.LastIndexOf(separator, end - 1, end, StringComparison.Ordinal);
            if (i < 0) break;
            reversed.Add(s[(i + separator.Length)..end]);
            end = i;
        }
        reversed.Add(s[..end]);
        reversed.Reverse();
        return [.. reversed];
    }

    /// <summary>str.splitlines: Python breaks lines on more characters than \n.</summary>
    public static List<string> SplitLines(string s)
    {
        var lines = new List<string>();
        var start = 0;
        for (var i = 0; i < s.Length; i++)
        {
            var c = s[i];
            if (c is not ('\n' or '\r' or '\v' or '\f' or '\x1c' or '\x1d' or '\x1e' or '\x85' or '\u2028' or '\u2029')) continue;
            lines.Add(s[start..i]);
            if (c == '\r' && i + 1 < s.Length && s[i + 1] == '\n') i++;
            start = i + 1;
        }
        if (start < s.Length) lines.Add(s[start..]);
        return lines;
    }

    public static string Capitalize(string s) =>
        s.Length == 0 ? s : char.ToUpperInvariant(s[0]) + s[1..].ToLowerInvariant();

    /// <summary>Python's str.title: a letter after a non-letter is upper-cased, other letters lower-cased.</summary>
    public static string Title(string s)
    {
        var result = new StringBuilder(s.Length);
        var previousCased = false;
        foreach (var c in s)
        {
            result.Append(previousCased ? char.ToLowerInvariant(c) : char.ToUpperInvariant(c));
            previousCased = char.IsLetter(c);
        }
        return result.ToString();
    }

    /// <summary>Python's repr of a string: single quotes unless the text has one and no double quote.</summary>
    public static string Repr(string s)
    {
        var quote = s.Contains('\'') && !s.Contains('"') ? '"' : '\'';
        var result = new StringBuilder(s.Length + 2).Append(quote);
        for (var i = 0; i < s.Length; i++)
        {
            var c = s[i];
            switch (c)
            {
                case '\\': result.Append("\\\\"); continue;
                case '\n': result.Append("\\n"); continue;
                case '\r': result.Append("\\r"); continue;
                case '\t': result.Append("\\t"); continue;
            }
            if (c == quote)
            {
                result.Append('\\').Append(c);
                continue;
            }
            if (char.IsHighSurrogate(c) && i + 1 < s.Length && char.IsLowSurrogate(s[i + 1]))
            {
                var codePoint = char.ConvertToUtf32(c, s[i + 1]);
                if (IsPrintable(CharUnicodeInfo.GetUnicodeCategory(codePoint), c)) result.Append(c).Append(s[i + 1]);
                else result.Append("\\U").Append(codePoint.ToString("x8", CultureInfo.InvariantCulture));
                i++;
                continue;
            }
            if (IsPrintable(CharUnicodeInfo.GetUnicodeCategory(c), c)) result.Append(c);
            else if (c < 0x100) result.Append("\\x").Append(((int)c).ToString("x2", CultureInfo.InvariantCulture));
            else result.Append("\\u").Append(((int)c).ToString("x4", CultureInfo.InvariantCulture));
        }
        return result.Append(quote).ToString();
    }

    static bool IsPrintable(UnicodeCategory category, char c) => c == ' ' || category is not (UnicodeCategory.Control or UnicodeCategory.Format
        or UnicodeCategory.Surrogate or UnicodeCategory.PrivateUse or UnicodeCategory.OtherNotAssigned or UnicodeCategory.LineSeparator
        or UnicodeCategory.ParagraphSeparator or UnicodeCategory.SpaceSeparator);

    /// <summary>Python's repr of a float: the shortest text that reads back the same, in fixed notation from 1e-4 to 1e16.</summary>
    public static string FormatFloat(double value)
    {
        if (double.IsNaN(value)) return "nan";
        if (double.IsInfinity(value)) return value > 0 ? "inf" : "-inf";
        var shortest = value.ToString("R", CultureInfo.InvariantCulture);
        var negative = shortest.StartsWith('-');
        if (negative) shortest = shortest[1..];
        var exponent = 0;
        var e = shortest.IndexOfAny(['E', 'e']);
        if (e >= 0)
        {
            exponent = int.Parse(shortest.AsSpan(e + 1), CultureInfo.InvariantCulture);
            shortest = shortest[..e];
        }
        var point = shortest.IndexOf('.');
        var digits = point < 0 ? shortest : shortest.Remove(point, 1);
        var integerDigits = (point < 0 ? shortest.Length : point) + exponent;
        var leadingZeros = digits.Length - digits.TrimStart('0').Length;
        digits = digits.Trim('0');
        if (digits.Length == 0) return negative ? "-0.0" : "0.0";
        var decimalExponent = integerDigits - leadingZeros - 1;
        var text = new StringBuilder(negative ? "-" : "");
        if (decimalExponent is >= -4 and < 16)
        {
            if (decimalExponent < 0) text.Append("0.").Append('0', -decimalExponent - 1).Append(digits);
            else if (digits.Length <= decimalExponent + 1) text.Append(digits).Append('0', decimalExponent + 1 - digits.Length).Append(".0");
            else text.Append(digits, 0, decimalExponent + 1).Append('.').Append(digits, decimalExponent + 1, digits.Length - decimalExponent - 1);
            return text.ToString();
        }
        text.Append(digits[0]);
        if (digits.Length > 1) text.Append('.').Append(digits, 1, digits.Length - 1);
        text.Append('e').Append(decimalExponent < 0 ? '-' : '+').Append(Math.Abs(decimalExponent).ToString("00", CultureInfo.InvariantCulture));
        return text.ToString();
    }
}

using System.Globalization;
using System.Text;

namespace Provocapi.Core.Chat.Templates;

/// <summary>
/// Splits a template into text and tag tokens the way Jinja2's lexer does with Hugging Face's settings: newlines
/// normalised to \n and one trailing newline dropped, <c>trim_blocks</c> (the newline after a block or comment tag is
/// removed), <c>lstrip_blocks</c> (spaces and tabs before a block or comment tag on its own line are removed), and
/// the <c>-</c>/<c>+</c> whitespace-control signs. Inside tags it reads names, numbers, strings and operators.
/// </summary>
internal sealed class TemplateLexer
{
    static readonly string[] Operators =
        ["//", "**", "==", "!=", "<=", ">=", "+", "-", "/", "*", "%", "~", "[", "]", "(", ")", "{", "}", "<", ">", "=", ".", ":", "|", ",", ";"];

    readonly string _source;
    readonly List<TemplateToken> _tokens = [];
    int _pos;
    int _line = 1;
    bool _lineStarting = true;

    TemplateLexer(string source) => _source = source;

    public static List<TemplateToken> Tokenize(string source)
    {
        var text = source.Replace("\r\n", "\n").Replace('\r', '\n');
        if (text.EndsWith('\n')) text = text[..^1];
        var lexer = new TemplateLexer(text);
        lexer.Run();
        return lexer._tokens;
    }

    void Run()
    {
        while (_pos < _source.Length)
        {
            var start = FindTagStart(_pos);
            if (start < 0)
            {
                Emit(TokenKind.Text, _source[_pos..]);
                break;
            }
            var kind = _source[start + 1];
            var sign = start + 2 < _source.Length && _source[start + 2] is '-' or '+' ? _source[start + 2] : '\0';
            var text = _source[_pos..start];
            if (sign == '-') text = text.TrimEnd(PythonText.WhitespaceChars);
            else if (sign != '+' && kind != '{') text = StripBlockIndent(text);
            Emit(TokenKind.Text, text);
            _pos = start + 2 + (sign == '\0' ? 0 : 1);
            if (kind == '#') LexComment();
            else if (kind == '%' && TryLexRaw()) continue;
            else LexTag(kind == '%');
        }
        _tokens.Add(new TemplateToken(TokenKind.End, "", _line));
    }

    int FindTagStart(int from)
    {
        for (var i = _source.IndexOf('{', from); i >= 0 && i + 1 < _source.Length; i = _source.IndexOf('{', i + 1))
            if (_source[i + 1] is '{' or '%' or '#') return i;
        return -1;
    }

    /// <summary>lstrip_blocks: drops the spaces before a tag when nothing else precedes it on its line.</summary>
    string StripBlockIndent(string text)
    {
        var lineStart = text.LastIndexOf('\n') + 1;
        if (lineStart == 0 && !_lineStarting) return text;
        for (var i = lineStart; i < text.Length; i++)
            if (!PythonText.IsWhitespace(text[i])) return text;
        return text[..lineStart];
    }

    void Emit(TokenKind kind, string value)
    {
        if (kind == TokenKind.Text && value.Length == 0) return;
        _tokens.Add(new TemplateToken(kind, value, _line));
        _line += value.AsSpan().Count('\n');
    }

    /// <summary>Consumes a tag's closing delimiter and what its sign or trim_blocks removes after it.</summary>
    void CloseTag(char sign, bool trimNewline)
    {
        var from = _pos;
        if (sign == '-')
            while (_pos < _source.Length && PythonText.IsWhitespace(_source[_pos])) _pos++;
        else if (sign != '+' && trimNewline && _pos < _source.Length && _source[_pos] == '\n') _pos++;
        _line += _source.AsSpan(from, _pos - from).Count('\n');
        _lineStarting = _pos > 0 && _source[_pos - 1] == '\n';
    }

    void LexComment()
    {
        var contentStart = _pos;
        var end = _source.IndexOf("#}", _pos, StringComparison.Ordinal);
        if (end < 0) throw Error("missing end of comment tag");
        var sign = end - 1 >= contentStart && _source[end - 1] is '-' or '+' ? _source[end - 1] : '\0';
        _line += _source.AsSpan(_pos, end - _pos).Count('\n');
        _pos = end + 2;
        CloseTag(sign, trimNewline: true);
    }

    /// <summary>{% raw %}...{% endraw %}: the text between is output as is.</summary>
    bool TryLexRaw()
    {
        var p = SkipWhitespace(_pos);
        if (!_source.AsSpan(p).StartsWith("raw") || (p + 3 < _source.Length && IsNameChar(_source[p + 3]))) return false;
        p = SkipWhitespace(p + 3);
        var beginSign = p < _source.Length && _source[p] == '-' ? '-' : '\0';
        if (!_source.AsSpan(p + (beginSign == '-' ? 1 : 0)).StartsWith("%}")) return false;
        _pos = p + (beginSign == '-' ? 1 : 0) + 2;
        if (beginSign == '-') CloseTag('-', trimNewline: false);
        for (var search = _pos; ;)
        {
            var start = _source.IndexOf("{%", search, StringComparison.Ordinal);
            if (start < 0) throw Error("missing end of raw directive");
            var sign = start + 2 < _source.Length && _source[start + 2] is '-' or '+' ? _source[start + 2] : '\0';
            var q = SkipWhitespace(start + 2 + (sign == '\0' ? 0 : 1));
            if (!_source.AsSpan(q).StartsWith("endraw"))
            {
                search = start + 2;
                continue;
            }
            q = SkipWhitespace(q + 6);
            var endSign = q < _source.Length && _source[q] is '-' or '+' ? _source[q] : '\0';
            if (!_source.AsSpan(q + (endSign == '\0' ? 0 : 1)).StartsWith("%}"))
            {
                search = start + 2;
                continue;
            }
            var text = _source[_pos..start];
            if (sign == '-') text = text.TrimEnd(PythonText.WhitespaceChars);
            else if (sign != '+') text = StripBlockIndent(text);
            Emit(TokenKind.Text, text);
            _pos = q + (endSign == '\0' ? 0 : 1) + 2;
            CloseTag(endSign, trimNewline: true);
            return true;
        }
    }

    int SkipWhitespace(int p)
    {
        while (p < _source.Length && PythonText.IsWhitespace(_source[p])) p++;
        return p;
    }

    void LexTag(bool block)
    {
        _tokens.Add(new TemplateToken(block ? TokenKind.BlockBegin : TokenKind.VariableBegin, "", _line));
        var brackets = new Stack<char>();
        while (true)
        {
            while (_pos < _source.Length && PythonText.IsWhitespace(_source[_pos]))
            {
                if (_source[_pos] == '\n') _line++;
                _pos++;
            }
            if (_pos >= _source.Length) throw Error("unexpected end of template inside a tag");
            if (brackets.Count == 0 && TryCloseTag(block)) return;
            var c = _source[_pos];
            if (char.IsAsciiDigit(c) && TryLexNumber()) continue;
            if (c == '_' || char.IsLetter(c))
            {
                var start = _pos;
                while (_pos < _source.Length && IsNameChar(_source[_pos])) _pos++;
                _tokens.Add(new TemplateToken(TokenKind.Name, _source[start.._pos], _line));
                continue;
            }
            if (c is '\'' or '"')
            {
                LexString(c);
                continue;
            }
            var op = Array.Find(Operators, o => _source.AsSpan(_pos).StartsWith(o));
            if (op == null) throw Error($"unexpected character '{c}'");
            if (op is "(" or "[" or "{") brackets.Push(op[0]);
            else if (op is ")" or "]" or "}")
            {
                var open = op switch { ")" => '(', "]" => '[', _ => '{' };
                if (brackets.Count == 0 || brackets.Pop() != open) throw Error($"unexpected '{op}'");
            }
            _tokens.Add(new TemplateToken(TokenKind.Operator, op, _line));
            _pos += op.Length;
        }
    }

    bool TryCloseTag(bool block)
    {
        var close = block ? "%}" : "}}";
        var sign = _source[_pos] is '-' || (block && _source[_pos] == '+') ? _source[_pos] : '\0';
        if (!_source.AsSpan(_pos + (sign == '\0' ? 0 : 1)).StartsWith(close)) return false;
        _tokens.Add(new TemplateToken(block ? TokenKind.BlockEnd : TokenKind.VariableEnd, "", _line));
        _pos += close.Length + (sign == '\0' ? 0 : 1);
        CloseTag(sign, trimNewline: block);
        return true;
    }

    static bool IsNameChar(char c) => c == '_' || char.IsLetterOrDigit(c);

    /// <summary>Integers (decimal, 0x, 0o, 0b, with _ separators) and floats with a fraction or an exponent.</summary>
    bool TryLexNumber()
    {
        if (_tokens.Count > 0 && _tokens[^1].IsOperator(".")) return LexDigitsAfterDot();
        var start = _pos;
        if (_source[_pos] == '0' && _pos + 1 < _source.Length && char.ToLowerInvariant(_source[_pos + 1]) is 'x' or 'o' or 'b')
        {
            var radix = char.ToLowerInvariant(_source[_pos + 1]) switch { 'x' => 16, 'o' => 8, _ => 2 };
            _pos += 2;
            var digits = new StringBuilder();
            while (_pos < _source.Length && (_source[_pos] == '_' || Uri.IsHexDigit(_source[_pos])))
                if (_source[_pos++] != '_') digits.Append(_source[_pos - 1]);
            var value = 0L;
            foreach (var d in digits.ToString())
            {
                var digit = Convert.ToInt32(d.ToString(), 16);
                if (digit >= radix || value > (long.MaxValue - digit) / radix) throw Error($"invalid base-{radix} number");
                value = value * radix + digit;
            }
            _tokens.Add(new TemplateToken(TokenKind.Integer, value.ToString(CultureInfo.InvariantCulture), _line));
            return true;
        }
        ReadDigits();
        var isFloat = false;
        if (_pos + 1 < _source.Length && _source[_pos] == '.' && char.IsAsciiDigit(_source[_pos + 1]))
        {
            _pos++;
            ReadDigits();
            isFloat = true;
        }
        if (_pos < _source.Length && _source[_pos] is 'e' or 'E')
        {
            var p = _pos + 1;
            if (p < _source.Length && _source[p] is '+' or '-') p++;
            if (p < _source.Length && char.IsAsciiDigit(_source[p]))
            {
                _pos = p;
                ReadDigits();
                isFloat = true;
            }
        }
        var literal = _source[start.._pos].Replace("_", "");
        _tokens.Add(new TemplateToken(isFloat ? TokenKind.Float : TokenKind.Integer, literal, _line));
        return true;
    }

    /// <summary><c>x.0</c> indexes with an integer; a float is never read right after a dot.</summary>
    bool LexDigitsAfterDot()
    {
        var start = _pos;
        ReadDigits();
        _tokens.Add(new TemplateToken(TokenKind.Integer, _source[start.._pos].Replace("_", ""), _line));
        return true;
    }

    void ReadDigits()
    {
        while (_pos < _source.Length && (char.IsAsciiDigit(_source[_pos]) || (_source[_pos] == '_' && _pos + 1 < _source.Length && char.IsAsciiDigit(_source[_pos + 1]))))
            _pos++;
    }

    /// <summary>A quoted string, its backslash escapes decoded as Python's unicode-escape codec does.</summary>
    void LexString(char quote)
    {
        var line = _line;
        var value = new StringBuilder();
        _pos++;
        while (true)
        {
            if (_pos >= _source.Length) throw Error("unterminated string");
            var c = _source[_pos++];
            if (c == quote) break;
            if (c == '\n') _line++;
            if (c != '\\')
            {
                value.Append(c);
                continue;
            }
            if (_pos >= _source.Length) throw Error("unterminated string");
            var e = _source[_pos++];
            switch (e)
            {
                case 'n': value.Append('\n'); break;
                case 't': value.Append('\t'); break;
                case 'r': value.Append('\r'); break;
                case '\\': value.Append('\\'); break;
                case '\'': value.Append('\''); break;
                case '"': value.Append('"'); break;
                case 'a': value.Append('\a'); break;
                case 'b': value.Append('\b'); break;
                case 'f': value.Append('\f'); break;
                case 'v': value.Append('\v'); break;
                case '\n': _line++; break;
                case 'x': value.Append((char)ReadHex(2)); break;
                case 'u': value.Append((char)ReadHex(4)); break;
                case 'U': value.Append(char.ConvertFromUtf32(ReadHex(8))); break;
                case >= '0' and <= '7':
                    var octal = e - '0';
                    for (var i = 0; i < 2 && _pos < _source.Length && _source[_pos] is >= '0' and <= '7'; i++) octal = octal * 8 + (_source[_pos++] - '0');
                    value.Append((char)octal);
                    break;
                default: value.Append('\\').Append(e); break;
            }
        }
        _tokens.Add(new TemplateToken(TokenKind.String, value.ToString(), line));
    }

    int ReadHex(int digits)
    {
        if (_pos + digits > _source.Length || !int.TryParse(_source.AsSpan(_pos, digits), NumberStyles.AllowHexSpecifier, CultureInfo.InvariantCulture, out var code))
            throw Error("truncated escape in a string");
        _pos += digits;
        return code;
    }

    ChatTemplateException Error(string message) => new($"TemplateSyntaxError: {message} (line {_line})");
}

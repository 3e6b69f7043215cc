using System.Globalization;
using System.Runtime.CompilerServices;

namespace Provocapi.Core.Chat.Templates;

/// <summary>
/// Builds the syntax tree from tokens by recursive descent, following Jinja2's parser (jinja2/parser.py) rule for rule,
/// so that precedence matches: filters bind tighter than arithmetic (<c>a + b | join</c> filters b), tests take one
/// bare argument (<c>x is divisibleby 3</c>), and <c>x if c</c> may omit its else. Templates may not load other
/// templates: include, import, from and extends are syntax errors here.
/// </summary>
internal sealed class TemplateParser
{
    static readonly HashSet<string> CompareOperators = ["==", "!=", "<", "<=", ">", ">="];

    readonly List<TemplateToken> _tokens;
    int _pos;
    int _loopDepth;

    TemplateParser(List<TemplateToken> tokens) => _tokens = tokens;

    public static IReadOnlyList<Statement> Parse(string source)
    {
        var parser = new TemplateParser(TemplateLexer.Tokenize(source));
        try
        {
            var body = parser.Subparse(null);
            if (parser.Current.Kind != TokenKind.End) throw parser.Error($"unexpected '{parser.Current}'");
            return body;
        }
        catch (InsufficientExecutionStackException e)
        {
            throw new ChatTemplateException("TemplateSyntaxError: the template is nested too deeply", e);
        }
    }

    TemplateToken Current => _tokens[_pos];

    TemplateToken Peek => _tokens[Math.Min(_pos + 1, _tokens.Count - 1)];

    TemplateToken Next() => _tokens[_pos < _tokens.Count - 1 ? _pos++ : _pos];

    ChatTemplateException Error(string message) => new($"TemplateSyntaxError: {message} (line {Current.Line})");

    TemplateToken Expect(TokenKind kind, string? value = null)
    {
        var token = Current;
        if (token.Kind != kind || (value != null && token.Value != value))
            throw Error($"expected '{value ?? kind.ToString()}', got '{token}'");
        return Next();
    }

    TemplateToken ExpectOperator(string op) => Expect(TokenKind.Operator, op);

    bool SkipOperator(string op)
    {
        if (!Current.IsOperator(op)) return false;
        _pos++;
        return true;
    }

    bool SkipName(string name)
    {
        if (!Current.IsName(name)) return false;
        _pos++;
        return true;
    }

    List<Statement> Subparse(string[]? endTags)
    {
        RuntimeHelpers.EnsureSufficientExecutionStack();
        var body = new List<Statement>();
        while (true)
        {
            var token = Current;
            switch (token.Kind)
            {
                case TokenKind.Text:
                    body.Add(new TextStatement(token.Value, token.Line));
                    Next();
                    break;
                case TokenKind.VariableBegin:
                    Next();
                    body.Add(new OutputStatement(ParseTuple(), token.Line));
                    Expect(TokenKind.VariableEnd);
                    break;
                case TokenKind.BlockBegin:
                    Next();
                    if (endTags != null && Current.Kind == TokenKind.Name && endTags.Contains(Current.Value)) return body;
                    body.Add(ParseStatement());
                    Expect(TokenKind.BlockEnd);
                    break;
                default:
                    if (endTags != null) throw Error($"unexpected end of template, expected '{string.Join("' or '", endTags)}'");
                    return body;
            }
        }
    }

    /// <summary>Ends a tag, parses its body up to one of the end tags, and leaves the end tag's name current.</summary>
    List<Statement> ParseBody(string[] endTags, bool dropEndTag = false)
    {
        Expect(TokenKind.BlockEnd);
        var body = Subparse(endTags);
        if (dropEndTag) Next();
        return body;
    }

    Statement ParseStatement()
    {
        var token = Current;
        if (token.Kind != TokenKind.Name) throw Error("tag name expected");
        Next();
        switch (token.Value)
        {
            case "if": return ParseIf(token.Line);
            case "for": return ParseFor(token.Line);
            case "set": return ParseSet(token.Line);
            case "macro":
                var name = Expect(TokenKind.Name).Value;
                var parameters = ParseSignature();
                return new MacroStatement(name, parameters, ParseMacroBody("endmacro"), token.Line);
            case "call": return ParseCallBlock(token.Line);
            case "filter":
                var filter = ParseFilter(null, startInline: true)!;
                return new FilterBlockStatement(filter, ParseBody(["endfilter"], dropEndTag: true), token.Line);
            case "with": return ParseWith(token.Line);
            case "print": return new OutputStatement(ParseTuple(), token.Line);
            case "generation": return new PassThroughStatement(ParseBody(["endgeneration"], dropEndTag: true), token.Line);
            case "block":
                Expect(TokenKind.Name);
                SkipName("scoped");
                SkipName("required");
                var block = ParseBody(["endblock"], dropEndTag: true);
                if (Current.Kind == TokenKind.Name) Next();
                return new PassThroughStatement(block, token.Line);
            case "break" or "continue":
                if (_loopDepth == 0) throw Error($"'{token.Value}' outside a loop");
                return new LoopControlStatement(token.Value == "break", token.Line);
            case "include" or "import" or "from" or "extends":
                throw Error($"'{token.Value}' is not allowed: chat templates cannot load other templates");
            default:
                throw Error($"unknown tag '{token.Value}'");
        }
    }

    List<Statement> ParseMacroBody(string endTag)
    {
        var outerLoops = _loopDepth;
        _loopDepth = 0;
        var body = ParseBody([endTag], dropEndTag: true);
        _loopDepth = outerLoops;
        return body;
    }

    IfStatement ParseIf(int line)
    {
        var branches = new List<KeyValuePair<Expression, IReadOnlyList<Statement>>>();
        IReadOnlyList<Statement> otherwise = [];
        while (true)
        {
            var test = ParseTuple(withCondition: false);
            branches.Add(new(test, ParseBody(["elif", "else", "endif"])));
            var tag = Next().Value;
            if (tag == "elif") continue;
            if (tag == "else") otherwise = ParseBody(["endif"], dropEndTag: true);
            return new IfStatement(branches, otherwise, line);
        }
    }

    ForStatement ParseFor(int line)
    {
        var target = ParseAssignTarget(endName: "in");
        Expect(TokenKind.Name, "in");
        var iterable = ParseTuple(withCondition: false, endName: "recursive");
        Expression? filter = null;
        if (SkipName("if")) filter = ParseExpression();
        if (SkipName("recursive")) throw Error("recursive loops are not supported");
        _loopDepth++;
        var body = ParseBody(["endfor", "else"]);
        _loopDepth--;
        IReadOnlyList<Statement> otherwise = Next().Value == "else" ? ParseBody(["endfor"], dropEndTag: true) : [];
        return new ForStatement(target, iterable, filter, body, otherwise, line);
    }

    Statement ParseSet(int line)
    {
        var target = ParseAssignTarget(withNamespace: true);
        if (SkipOperator("=")) return new SetStatement(target, ParseTuple(), line);
        var filter = ParseFilter(null);
        return new SetBlockStatement(target, filter, ParseBody(["endset"], dropEndTag: true), line);
    }

    CallBlockStatement ParseCallBlock(int line)
    {
        var parameters = Current.IsOperator("(") ? ParseSignature() : [];
        if (ParseExpression() is not CallExpression call) throw Error("expected a call after 'call'");
        return new CallBlockStatement(call, parameters, ParseMacroBody("endcall"), line);
    }

    WithStatement ParseWith(int line)
    {
        var assignments = new List<KeyValuePair<Expression, Expression>>();
        while (Current.Kind != TokenKind.BlockEnd)
        {
            if (assignments.Count > 0) ExpectOperator(",");
            var target = ParseAssignTarget();
            ExpectOperator("=");
            assignments.Add(new(target, ParseExpression()));
        }
        return new WithStatement(assignments, ParseBody(["endwith"], dropEndTag: true), line);
    }

    List<MacroParameter> ParseSignature()
    {
        var parameters = new List<MacroParameter>();
        ExpectOperator("(");
        while (!Current.IsOperator(")"))
        {
            if (parameters.Count > 0) ExpectOperator(",");
            var name = Expect(TokenKind.Name).Value;
            parameters.Add(new MacroParameter(name, SkipOperator("=") ? ParseExpression() : null));
        }
        ExpectOperator(")");
        return parameters;
    }

    /// <summary>A name, names separated by commas to unpack, or (for set) <c>namespace.attribute</c>.</summary>
    Expression ParseAssignTarget(bool withNamespace = false, string? endName = null)
    {
        var line = Current.Line;
        if (withNamespace && Current.Kind == TokenKind.Name && Peek.IsOperator("."))
        {
            var ns = Next().Value;
            Next();
            return new AttributeExpression(new NameExpression(ns, line), Expect(TokenKind.Name).Value, line);
        }
        var target = ParseTuple(simplified: true, endName: endName);
        if (target is NameExpression || (target is TupleExpression t && t.Items.All(i => i is NameExpression))) return target;
        throw Error("can't assign to this expression");
    }

    bool IsTupleEnd(string? endName) =>
        Current.Kind is TokenKind.VariableEnd or TokenKind.BlockEnd || Current.IsOperator(")") || (endName != null && Current.IsName(endName));

    Expression ParseTuple(bool simplified = false, bool withCondition = true, string? endName = null, bool explicitParentheses = false)
    {
        var line = Current.Line;
        var items = new List<Expression>();
        var isTuple = false;
        while (true)
        {
            if (items.Count > 0) ExpectOperator(",");
            if (IsTupleEnd(endName)) break;
            items.Add(simplified ? ParsePrimary() : withCondition ? ParseExpression() : ParseOr());
            if (Current.IsOperator(",")) isTuple = true;
            else break;
        }
        if (!isTuple)
        {
            if (items.Count > 0) return items[0];
            if (!explicitParentheses) throw Error($"expected an expression, got '{Current}'");
        }
        return new TupleExpression(items, line);
    }

    Expression ParseExpression()
    {
        RuntimeHelpers.EnsureSufficientExecutionStack();
        var expression = ParseOr();
        while (SkipName("if"))
        {
            var test = ParseOr();
            var otherwise = SkipName("else") ? ParseExpression() : null;
            expression = new ConditionalExpression(test, expression, otherwise, test.Line);
        }
        return expression;
    }

    Expression ParseOr()
    {
        var left = ParseAnd();
        while (Current.IsName("or"))
        {
            var line = Next().Line;
            left = new BinaryExpression(BinaryOperator.Or, left, ParseAnd(), line);
        }
        return left;
    }

    Expression ParseAnd()
    {
        var left = ParseNot();
        while (Current.IsName("and"))
        {
            var line = Next().Line;
            left = new BinaryExpression(BinaryOperator.And, left, ParseNot(), line);
        }
        return left;
    }

    Expression ParseNot()
    {
        if (!Current.IsName("not")) return ParseCompare();
        var line = Next().Line;
        return new UnaryExpression(UnaryOperator.Not, ParseNot(), line);
    }

    Expression ParseCompare()
    {
        var line = Current.Line;
        var first = ParseMath1();
        var rest = new List<KeyValuePair<CompareOperator, Expression>>();
        while (true)
        {
            if (Current.Kind == TokenKind.Operator && CompareOperators.Contains(Current.Value))
            {
                var op = Next().Value switch
                {
                    "==" => CompareOperator.Equal,
                    "!=" => CompareOperator.NotEqual,
                    "<" => CompareOperator.Less,
                    "<=" => CompareOperator.LessOrEqual,
                    ">" => CompareOperator.Greater,
                    _ => CompareOperator.GreaterOrEqual,
                };
                rest.Add(new(op, ParseMath1()));
            }
            else if (SkipName("in")) rest.Add(new(CompareOperator.In, ParseMath1()));
            else if (Current.IsName("not") && Peek.IsName("in"))
            {
                _pos += 2;
                rest.Add(new(CompareOperator.NotIn, ParseMath1()));
            }
            else break;
        }
        return rest.Count == 0 ? first : new CompareExpression(first, rest, line);
    }

    Expression ParseMath1()
    {
        var left = ParseConcat();
        while (Current.IsOperator("+") || Current.IsOperator("-"))
        {
            var token = Next();
            left = new BinaryExpression(token.Value == "+" ? BinaryOperator.Add : BinaryOperator.Subtract, left, ParseConcat(), token.Line);
        }
        return left;
    }

    Expression ParseConcat()
    {
        var left = ParseMath2();
        while (Current.IsOperator("~"))
        {
            var line = Next().Line;
            left = new BinaryExpression(BinaryOperator.Concat, left, ParseMath2(), line);
        }
        return left;
    }

    Expression ParseMath2()
    {
        var left = ParsePow();
        while (Current.Kind == TokenKind.Operator && Current.Value is "*" or "/" or "//" or "%")
        {
            var token = Next();
            var op = token.Value switch
            {
                "*" => BinaryOperator.Multiply,
                "/" => BinaryOperator.Divide,
                "//" => BinaryOperator.FloorDivide,
                _ => BinaryOperator.Modulo,
            };
            left = new BinaryExpression(op, left, ParsePow(), token.Line);
        }
        return left;
    }

    Expression ParsePow()
    {
        var left = ParseUnary();
        while (Current.IsOperator("**"))
        {
            var line = Next().Line;
            left = new BinaryExpression(BinaryOperator.Power, left, ParseUnary(), line);
        }
        return left;
    }

    Expression ParseUnary(bool withFilter = true)
    {
        RuntimeHelpers.EnsureSufficientExecutionStack();
        var token = Current;
        Expression node;
        if (token.IsOperator("-") || token.IsOperator("+"))
        {
            Next();
            node = new UnaryExpression(token.Value == "-" ? UnaryOperator.Negate : UnaryOperator.Plus, ParseUnary(false), token.Line);
        }
        else node = ParsePrimary();
        node = ParsePostfix(node);
        return withFilter ? ParseFilterExpression(node) : node;
    }

    Expression ParsePrimary()
    {
        var token = Next();
        switch (token.Kind)
        {
            case TokenKind.Name:
                return token.Value switch
                {
                    "true" or "True" => new LiteralExpression(true, token.Line),
                    "false" or "False" => new LiteralExpression(false, token.Line),
                    "none" or "None" => new LiteralExpression(null, token.Line),
                    _ => new NameExpression(token.Value, token.Line),
                };
            case TokenKind.String:
                var text = token.Value;
                while (Current.Kind == TokenKind.String) text += Next().Value;
                return new LiteralExpression(text, token.Line);
            case TokenKind.Integer:
                if (!long.TryParse(token.Value, NumberStyles.None, CultureInfo.InvariantCulture, out var integer))
                    throw Error($"integer literal too large: {token.Value}");
                return new LiteralExpression(integer, token.Line);
            case TokenKind.Float:
                return new LiteralExpression(double.Parse(token.Value, CultureInfo.InvariantCulture), token.Line);
            case TokenKind.Operator when token.Value == "(":
                var inner = ParseTuple(explicitParentheses: true);
                ExpectOperator(")");
                return inner;
            case TokenKind.Operator when token.Value == "[":
                var items = new List<Expression>();
                while (!Current.IsOperator("]"))
                {
                    if (items.Count > 0) ExpectOperator(",");
                    if (Current.IsOperator("]")) break;
                    items.Add(ParseExpression());
                }
                ExpectOperator("]");
                return new ListExpression(items, token.Line);
            case TokenKind.Operator when token.Value == "{":
                var pairs = new List<KeyValuePair<Expression, Expression>>();
                while (!Current.IsOperator("}"))
                {
                    if (pairs.Count > 0) ExpectOperator(",");
                    if (Current.IsOperator("}")) break;
                    var key = ParseExpression();
                    ExpectOperator(":");
                    pairs.Add(new(key, ParseExpression()));
                }
                ExpectOperator("}");
                return new DictExpression(pairs, token.Line);
            default:
                _pos--;
                throw Error($"unexpected '{token}'");
        }
    }

    Expression ParsePostfix(Expression node)
    {
        while (true)
        {
            if (Current.IsOperator(".") || Current.IsOperator("[")) node = ParseSubscript(node);
            else if (Current.IsOperator("(")) node = new CallExpression(node, ParseCallArguments(), node.Line);
            else return node;
        }
    }

    Expression ParseFilterExpression(Expression node)
    {
        while (true)
        {
            if (Current.IsOperator("|")) node = ParseFilter(node)!;
            else if (Current.IsName("is")) node = ParseTest(node);
            else if (Current.IsOperator("(")) node = new CallExpression(node, ParseCallArguments(), node.Line);
            else return node;
        }
    }

    Expression ParseSubscript(Expression node)
    {
        var token = Next();
        if (token.IsOperator("."))
        {
            var attribute = Next();
            if (attribute.Kind == TokenKind.Name) return new AttributeExpression(node, attribute.Value, token.Line);
            if (attribute.Kind != TokenKind.Integer) throw Error("expected a name or a number after '.'");
            if (!long.TryParse(attribute.Value, NumberStyles.None, CultureInfo.InvariantCulture, out var index)) throw Error($"index too large: {attribute.Value}");
            return new ItemExpression(node, new LiteralExpression(index, token.Line), token.Line);
        }
        var keys = new List<Expression>();
        while (!Current.IsOperator("]"))
        {
            if (keys.Count > 0) ExpectOperator(",");
            keys.Add(ParseSubscribed());
        }
        ExpectOperator("]");
        return new ItemExpression(node, keys.Count == 1 ? keys[0] : new TupleExpression(keys, token.Line), token.Line);
    }

    Expression ParseSubscribed()
    {
        var line = Current.Line;
        Expression? start = null;
        if (!Current.IsOperator(":"))
        {
            start = ParseExpression();
            if (!Current.IsOperator(":")) return start;
        }
        Next();
        Expression? stop = null, step = null;
        if (!Current.IsOperator(":") && !Current.IsOperator("]") && !Current.IsOperator(",")) stop = ParseExpression();
        if (SkipOperator(":") && !Current.IsOperator("]") && !Current.IsOperator(",")) step = ParseExpression();
        return new SliceExpression(start, stop, step, line);
    }

    ArgumentList ParseCallArguments()
    {
        ExpectOperator("(");
        var positional = new List<Expression>();
        var named = new List<KeyValuePair<string, Expression>>();
        Expression? spread = null, namedSpread = null;
        var requireComma = false;
        while (!Current.IsOperator(")"))
        {
            if (requireComma)
            {
                ExpectOperator(",");
                if (Current.IsOperator(")")) break;
            }
            if (SkipOperator("*")) spread = ParseExpression();
            else if (SkipOperator("**")) namedSpread = ParseExpression();
            else if (Current.Kind == TokenKind.Name && Peek.IsOperator("="))
            {
                var name = Next().Value;
                Next();
                named.Add(new(name, ParseExpression()));
            }
            else
            {
                if (named.Count > 0 || spread != null || namedSpread != null) throw Error("positional argument after keyword argument");
                positional.Add(ParseExpression());
            }
            requireComma = true;
        }
        ExpectOperator(")");
        return new ArgumentList(positional, named, spread, namedSpread);
    }

    FilterExpression? ParseFilter(Expression? node, bool startInline = false)
    {
        FilterExpression? filter = null;
        while (Current.IsOperator("|") || startInline)
        {
            if (!startInline) Next();
            startInline = false;
            var token = Expect(TokenKind.Name);
            var name = token.Value;
            while (SkipOperator(".")) name += "." + Expect(TokenKind.Name).Value;
            var arguments = Current.IsOperator("(") ? ParseCallArguments() : ArgumentList.Empty;
            filter = new FilterExpression((Expression?)filter ?? node, name, arguments, token.Line);
        }
        return filter;
    }

    Expression ParseTest(Expression node)
    {
        var line = Next().Line;
        var negated = SkipName("not");
        var name = Expect(TokenKind.Name).Value;
        while (SkipOperator(".")) name += "." + Expect(TokenKind.Name).Value;
        var arguments = ArgumentList.Empty;
        if (Current.IsOperator("(")) arguments = ParseCallArguments();
        else if ((Current.Kind is TokenKind.Name or TokenKind.String or TokenKind.Integer or TokenKind.Float || Current.IsOperator("[") || Current.IsOperator("{"))
                 && !Current.IsName("else") && !Current.IsName("or") && !Current.IsName("and"))
        {
            if (Current.IsName("is")) throw Error("you cannot chain multiple tests with is");
            arguments = new ArgumentList([ParsePostfix(ParsePrimary())], [], null, null);
        }
        Expression test = new TestExpression(node, name, arguments, line);
        return negated ? new UnaryExpression(UnaryOperator.Not, test, line) : test;
    }
}

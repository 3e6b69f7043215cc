namespace Provocapi.Core.Chat.Templates;

/// <summary>An expression of the template's syntax tree; <see cref="Line"/> locates errors.</summary>
internal abstract record Expression(int Line);

internal sealed record LiteralExpression(object? Value, int Line) : Expression(Line);

internal sealed record NameExpression(string Name, int Line) : Expression(Line);

internal sealed record ListExpression(IReadOnlyList<Expression> Items, int Line) : Expression(Line);

internal sealed record TupleExpression(IReadOnlyList<Expression> Items, int Line) : Expression(Line);

internal sealed record DictExpression(IReadOnlyList<KeyValuePair<Expression, Expression>> Pairs, int Line) : Expression(Line);

/// <summary><c>target.name</c>: an attribute first, then an item (so <c>message.content</c> reads a dict key).</summary>
internal sealed record AttributeExpression(Expression Target, string Name, int Line) : Expression(Line);

/// <summary><c>target[key]</c>: an item first, then an attribute; the key may be a <see cref="SliceExpression"/>.</summary>
internal sealed record ItemExpression(Expression Target, Expression Key, int Line) : Expression(Line);

internal sealed record SliceExpression(Expression? Start, Expression? Stop, Expression? Step, int Line) : Expression(Line);

/// <summary>Arguments as written at a call, filter or test: positional, keyword, <c>*args</c> and <c>**kwargs</c>.</summary>
internal sealed record ArgumentList(
    IReadOnlyList<Expression> Positional,
    IReadOnlyList<KeyValuePair<string, Expression>> Named,
    Expression? Spread,
    Expression? NamedSpread)
{
    public static readonly ArgumentList Empty = new([], [], null, null);
}

internal sealed record CallExpression(Expression Callee, ArgumentList Arguments, int Line) : Expression(Line);

/// <summary><c>target | name(args)</c>; the target is null for the filter of a filter block or a block set.</summary>
internal sealed record FilterExpression(Expression? Target, string Name, ArgumentList Arguments, int Line) : Expression(Line);

internal sealed record TestExpression(Expression Target, string Name, ArgumentList Arguments, int Line) : Expression(Line);

internal enum UnaryOperator { Negate, Plus, Not }

internal sealed record UnaryExpression(UnaryOperator Operator, Expression Operand, int Line) : Expression(Line);

internal enum BinaryOperator { Add, Subtract, Multiply, Divide, FloorDivide, Modulo, Power, Concat, And, Or }

internal sealed record BinaryExpression(BinaryOperator Operator, Expression Left, Expression Right, int Line) : Expression(Line);

internal enum CompareOperator { Equal, NotEqual, Less, LessOrEqual, Greater, GreaterOrEqual, In, NotIn }

/// <summary>A comparison chain, <c>a &lt; b &lt;= c</c>, true when every link holds.</summary>
internal sealed record CompareExpression(Expression First, IReadOnlyList<KeyValuePair<CompareOperator, Expression>> Rest, int Line) : Expression(Line);

/// <summary><c>then if test else otherwise</c>; without an else it yields Undefined when the test fails.</summary>
internal sealed record ConditionalExpression(Expression Test, Expression Then, Expression? Otherwise, int Line) : Expression(Line);

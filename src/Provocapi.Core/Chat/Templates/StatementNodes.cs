namespace Provocapi.Core.Chat.Templates;

/// <summary>A statement of the template's syntax tree: text, an output tag or a block tag.</summary>
internal abstract record Statement(int Line);

internal sealed record TextStatement(string Text, int Line) : Statement(Line);

internal sealed record OutputStatement(Expression Value, int Line) : Statement(Line);

internal sealed record IfStatement(IReadOnlyList<KeyValuePair<Expression, IReadOnlyList<Statement>>> Branches, IReadOnlyList<Statement> Otherwise, int Line)
    : Statement(Line);

/// <summary><c>for target in iterable [if filter]</c>; the else body runs when no item passed.</summary>
internal sealed record ForStatement(Expression Target, Expression Iterable, Expression? Filter, IReadOnlyList<Statement> Body, IReadOnlyList<Statement> Otherwise, int Line)
    : Statement(Line);

/// <summary><c>set target = value</c>; the target is a name, names to unpack, or a namespace attribute.</summary>
internal sealed record SetStatement(Expression Target, Expression Value, int Line) : Statement(Line);

/// <summary><c>set target [| filter] %}body{% endset</c>: the rendered body, filtered, is the value.</summary>
internal sealed record SetBlockStatement(Expression Target, FilterExpression? Filter, IReadOnlyList<Statement> Body, int Line) : Statement(Line);

internal sealed record MacroParameter(string Name, Expression? Default);

internal sealed record MacroStatement(string Name, IReadOnlyList<MacroParameter> Parameters, IReadOnlyList<Statement> Body, int Line) : Statement(Line);

/// <summary><c>call(parameters) macro(args) %}body{% endcall</c>: the macro receives the body as <c>caller</c>.</summary>
internal sealed record CallBlockStatement(CallExpression Call, IReadOnlyList<MacroParameter> Parameters, IReadOnlyList<Statement> Body, int Line)
    : Statement(Line);

internal sealed record FilterBlockStatement(FilterExpression Filter, IReadOnlyList<Statement> Body, int Line) : Statement(Line);

/// <summary><c>with a = 1, b = 2 %}body{% endwith</c>: the body sees the names; they do not leak out.</summary>
internal sealed record WithStatement(IReadOnlyList<KeyValuePair<Expression, Expression>> Assignments, IReadOnlyList<Statement> Body, int Line)
    : Statement(Line);

/// <summary>A block rendered in place: <c>{% generation %}</c> (Hugging Face's marker of assistant text) and <c>{% block %}</c>.</summary>
internal sealed record PassThroughStatement(IReadOnlyList<Statement> Body, int Line) : Statement(Line);

internal sealed record LoopControlStatement(bool IsBreak, int Line) : Statement(Line);

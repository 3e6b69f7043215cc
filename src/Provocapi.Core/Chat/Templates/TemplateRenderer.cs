using System.Runtime.CompilerServices;
using System.Text;

namespace Provocapi.Core.Chat.Templates;

/// <summary>
/// Walks the syntax tree and writes the output, with Jinja2's semantics under Hugging Face's sandbox. Every statement,
/// loop iteration, call and filter costs a step; a render that runs out of steps, nests calls too deeply or builds
/// output past the cap stops with a <see cref="ChatTemplateException"/>.
/// </summary>
internal sealed class TemplateRenderer(ChatTemplateOptions options)
{
    enum Flow { Normal, Break, Continue }

    long _steps;
    int _callDepth;

    public ChatTemplateOptions Options { get; } = options;

    public string Render(IReadOnlyList<Statement> body, TemplateScope scope)
    {
        var output = new StringBuilder();
        using var limit = RenderSizeLimit.Enter(Options.MaxOutputLength);
        try
        {
            Execute(body, scope, output);
        }
        catch (InsufficientExecutionStackException e)
        {
            throw new ChatTemplateException("TemplateRuntimeError: the template recursed too deeply", e);
        }
        catch (Exception e) when (e is OverflowException or FormatException or ArgumentException or InvalidCastException)
        {
            // A value the template passed where .NET rejects it (a huge width, a malformed number): still the template's error.
            throw new ChatTemplateException($"TemplateRuntimeError: {e.Message}", e);
        }
        return output.ToString();
    }

    public void Step()
    {
        if (++_steps > Options.MaxSteps)
            throw new ChatTemplateException($"TemplateRuntimeError: the template ran more than {Options.MaxSteps} steps (an endless loop?)");
    }

    void Append(StringBuilder output, string text)
    {
        if ((long)output.Length + text.Length > Options.MaxOutputLength)
            throw new ChatTemplateException($"TemplateRuntimeError: the output grew past the limit of {Options.MaxOutputLength} characters");
        output.Append(text);
    }

    /// <summary>Runs a macro's body; loop controls cannot cross a macro boundary.</summary>
    public void ExecuteCall(IReadOnlyList<Statement> body, TemplateScope scope, StringBuilder output)
    {
        if (++_callDepth > Options.MaxCallDepth)
            throw new ChatTemplateException($"TemplateRuntimeError: macro calls nested deeper than {Options.MaxCallDepth}");
        try
        {
            Execute(body, scope, output);
        }
        finally
        {
            _callDepth--;
        }
    }

    Flow Execute(IReadOnlyList<Statement> body, TemplateScope scope, StringBuilder output)
    {
        RuntimeHelpers.EnsureSufficientExecutionStack();
        foreach (var statement in body)
        {
            Step();
            switch (statement)
            {
                case TextStatement text:
                    Append(output, text.Text);
                    break;
                case OutputStatement print:
                    Append(output, PythonValues.Str(Evaluate(print.Value, scope)));
                    break;
                case IfStatement conditional:
                    var flow = ExecuteIf(conditional, scope, output);
                    if (flow != Flow.Normal) return flow;
                    break;
                case ForStatement loop:
                    var loopFlow = ExecuteFor(loop, scope, output);
                    if (loopFlow != Flow.Normal) return loopFlow;
                    break;
                case SetStatement set:
                    Assign(set.Target, Evaluate(set.Value, scope), scope);
                    break;
                case SetBlockStatement setBlock:
                    var captured = Capture(setBlock.Body, new TemplateScope(scope));
                    Assign(setBlock.Target, setBlock.Filter == null ? captured : ApplyFilterChain(setBlock.Filter, captured, scope), scope);
                    break;
                case MacroStatement macro:
                    scope.Set(macro.Name, new TemplateMacro(macro.Name, macro.Parameters, macro.Body, scope));
                    break;
                case CallBlockStatement callBlock:
                    var caller = new TemplateMacro("caller", callBlock.Parameters, callBlock.Body, scope);
                    Append(output, PythonValues.Str(Call(callBlock.Call, scope, caller)));
                    break;
                case FilterBlockStatement filterBlock:
                    var filtered = ApplyFilterChain(filterBlock.Filter, Capture(filterBlock.Body, new TemplateScope(scope)), scope);
                    Append(output, PythonValues.Str(filtered));
                    break;
                case WithStatement with:
                    var inner = new TemplateScope(scope);
                    foreach (var (target, value) in with.Assignments) Assign(target, Evaluate(value, scope), inner);
                    var withFlow = Execute(with.Body, inner, output);
                    if (withFlow != Flow.Normal) return withFlow;
                    break;
                case PassThroughStatement block:
                    var blockFlow = Execute(block.Body, scope, output);
                    if (blockFlow != Flow.Normal) return blockFlow;
                    break;
                case LoopControlStatement control:
                    return control.IsBreak ? Flow.Break : Flow.Continue;
                default:
                    throw new InvalidOperationException(statement.GetType().Name);
            }
        }
        return Flow.Normal;
    }

    string Capture(IReadOnlyList<Statement> body, TemplateScope scope)
    {
        var output = new StringBuilder();
        Execute(body, scope, output);
        return output.ToString();
    }

    Flow ExecuteIf(IfStatement conditional, TemplateScope scope, StringBuilder output)
    {
        foreach (var (test, body) in conditional.Branches)
            if (PythonValues.IsTruthy(Evaluate(test, scope))) return Execute(body, scope, output);
        return Execute(conditional.Otherwise, scope, output);
    }

    Flow ExecuteFor(ForStatement loop, TemplateScope scope, StringBuilder output)
    {
        var source = Evaluate(loop.Iterable, scope);
        if (source is null) throw new ChatTemplateException("TypeError: 'NoneType' object is not iterable");
        var loopScope = new TemplateScope(scope);
        IReadOnlyList<object?> items;
        if (loop.Filter != null)
        {
            var kept = new List<object?>();
            foreach (var item in PythonValues.Iterate(source))
            {
                Step();
                Assign(loop.Target, item, loopScope);
                if (PythonValues.IsTruthy(Evaluate(loop.Filter, loopScope))) kept.Add(item);
            }
            items = kept;
        }
        else items = source as IReadOnlyList<object?> ?? PythonValues.ToList(source);
        if (items.Count == 0) return Execute(loop.Otherwise, scope, output);
        var context = new LoopContext(items);
        loopScope.Set("loop", context);
        for (var i = 0; i < items.Count; i++)
        {
            Step();
            context.Index0 = i;
            Assign(loop.Target, items[i], loopScope);
            if (Execute(loop.Body, loopScope, output) == Flow.Break) break;
        }
        return Flow.Normal;
    }

    void Assign(Expression target, object? value, TemplateScope scope)
    {
        switch (target)
        {
            case NameExpression name:
                scope.Set(name.Name, value);
                break;
            case TupleExpression tuple:
                var values = PythonValues.ToList(value);
                if (values.Count != tuple.Items.Count)
                    throw new ChatTemplateException($"ValueError: expected {tuple.Items.Count} values to unpack, got {values.Count} (line {target.Line})");
                for (var i = 0; i < values.Count; i++) Assign(tuple.Items[i], values[i], scope);
                break;
            case AttributeExpression { Target: NameExpression owner } attribute:
                if (Lookup(owner.Name, scope) is not TemplateNamespace ns)
                    throw new ChatTemplateException($"TemplateRuntimeError: cannot assign attribute on non-namespace object (line {target.Line})");
                ns.Attributes[attribute.Name] = value;
                break;
            default:
                throw new ChatTemplateException($"TemplateSyntaxError: cannot assign to this target (line {target.Line})");
        }
    }

    object? Lookup(string name, TemplateScope scope)
    {
        if (scope.TryGet(name, out var value)) return value;
        return BuiltinGlobals.TryGet(name, out var global) ? global : Undefined.Name(name);
    }

    public object? Evaluate(Expression expression, TemplateScope scope)
    {
        switch (expression)
        {
            case LiteralExpression literal:
                return literal.Value;
            case NameExpression name:
                return Lookup(name.Name, scope);
            case AttributeExpression attribute:
                return ObjectModel.GetAttribute(Evaluate(attribute.Target, scope), attribute.Name);
            case ItemExpression item:
                var owner = Evaluate(item.Target, scope);
                if (item.Key is SliceExpression slice)
                    return ObjectModel.Slice(owner, Optional(slice.Start, scope), Optional(slice.Stop, scope), Optional(slice.Step, scope));
                return ObjectModel.GetItem(owner, Evaluate(item.Key, scope));
            case CallExpression call:
                return Call(call, scope, null);
            case FilterExpression filter:
                return ApplyFilter(filter, filter.Target == null ? null : Evaluate(filter.Target, scope), scope);
            case TestExpression test:
                Step();
                return BuiltinTests.Run(this, test.Name, Evaluate(test.Target, scope), EvaluateArguments(test.Arguments, scope));
            case BinaryExpression { Operator: BinaryOperator.And } and:
                var left = Evaluate(and.Left, scope);
                return PythonValues.IsTruthy(left) ? Evaluate(and.Right, scope) : left;
            case BinaryExpression { Operator: BinaryOperator.Or } or:
                var first = Evaluate(or.Left, scope);
                return PythonValues.IsTruthy(first) ? first : Evaluate(or.Right, scope);
            case BinaryExpression { Operator: BinaryOperator.Concat } concat:
                var leftText = PythonValues.Str(Evaluate(concat.Left, scope));
                var rightText = PythonValues.Str(Evaluate(concat.Right, scope));
                RenderSizeLimit.Check((long)leftText.Length + rightText.Length);
                return leftText + rightText;
            case BinaryExpression binary:
                return PythonOperators.Binary(binary.Operator, Evaluate(binary.Left, scope), Evaluate(binary.Right, scope));
            case UnaryExpression unary:
                var operand = Evaluate(unary.Operand, scope);
                return unary.Operator switch
                {
                    UnaryOperator.Not => !PythonValues.IsTruthy(operand),
                    UnaryOperator.Negate => PythonOperators.Negate(operand),
                    _ => PythonValues.IsNumber(operand) ? operand : throw new ChatTemplateException($"TypeError: bad operand type for unary +: '{PythonValues.TypeName(operand)}'"),
                };
            case CompareExpression compare:
                return EvaluateCompare(compare, scope);
            case ConditionalExpression conditional:
                if (PythonValues.IsTruthy(Evaluate(conditional.Test, scope))) return Evaluate(conditional.Then, scope);
                return conditional.Otherwise == null
                    ? new Undefined($"the inline if-expression on line {conditional.Line} evaluated to false and no else section was defined.")
                    : Evaluate(conditional.Otherwise, scope);
            case ListExpression list:
                var items = new List<object?>(list.Items.Count);
                foreach (var e in list.Items) items.Add(Evaluate(e, scope));
                return items;
            case TupleExpression tuple:
                var values = new object?[tuple.Items.Count];
                for (var i = 0; i < values.Length; i++) values[i] = Evaluate(tuple.Items[i], scope);
                return new TemplateTuple(values);
            case DictExpression dict:
                var result = new TemplateDict(dict.Pairs.Count);
                foreach (var (key, value) in dict.Pairs) result.Set(Evaluate(key, scope), Evaluate(value, scope));
                return result;
            default:
                throw new ChatTemplateException($"TemplateSyntaxError: unexpected expression (line {expression.Line})");
        }
    }

    object? Optional(Expression? expression, TemplateScope scope) => expression == null ? null : Evaluate(expression, scope);

    bool EvaluateCompare(CompareExpression compare, TemplateScope scope)
    {
        var left = Evaluate(compare.First, scope);
        foreach (var (op, operand) in compare.Rest)
        {
            var right = Evaluate(operand, scope);
            var holds = op switch
            {
                CompareOperator.Equal => PythonValues.AreEqual(left, right),
                CompareOperator.NotEqual => !PythonValues.AreEqual(left, right),
                CompareOperator.Less => PythonValues.Compare(left, right) < 0,
                CompareOperator.LessOrEqual => PythonValues.Compare(left, right) <= 0,
                CompareOperator.Greater => PythonValues.Compare(left, right) > 0,
                CompareOperator.GreaterOrEqual => PythonValues.Compare(left, right) >= 0,
                CompareOperator.In => PythonOperators.Contains(right, left),
                _ => !PythonOperators.Contains(right, left),
            };
            if (!holds) return false;
            left = right;
        }
        return true;
    }

    object? Call(CallExpression call, TemplateScope scope, TemplateMacro? caller)
    {
        var callee = Evaluate(call.Callee, scope);
        var arguments = EvaluateArguments(call.Arguments, scope);
        if (caller != null) arguments = new CallArguments(arguments.Positional, [.. arguments.Named, new("caller", caller)]);
        Step();
        return callee switch
        {
            Undefined undefined => throw undefined.Fail(),
            ITemplateCallable callable => callable.Call(this, arguments),
            _ => throw new ChatTemplateException($"TypeError: '{PythonValues.TypeName(callee)}' object is not callable (line {call.Line})"),
        };
    }

    CallArguments EvaluateArguments(ArgumentList arguments, TemplateScope scope)
    {
        if (arguments.Positional.Count == 0 && arguments.Named.Count == 0 && arguments.Spread == null && arguments.NamedSpread == null)
            return CallArguments.None;
        var positional = new List<object?>(arguments.Positional.Count);
        foreach (var e in arguments.Positional) positional.Add(Evaluate(e, scope));
        if (arguments.Spread != null) positional.AddRange(PythonValues.Iterate(Evaluate(arguments.Spread, scope)));
        var named = new List<KeyValuePair<string, object?>>(arguments.Named.Count);
        foreach (var (name, e) in arguments.Named) named.Add(new(name, Evaluate(e, scope)));
        if (arguments.NamedSpread != null)
        {
            if (Evaluate(arguments.NamedSpread, scope) is not TemplateDict spread)
                throw new ChatTemplateException("TypeError: argument after ** must be a mapping");
            foreach (var (key, value) in spread) named.Add(new(PythonValues.Str(key), value));
        }
        return new CallArguments(positional, named);
    }

    object? ApplyFilter(FilterExpression filter, object? value, TemplateScope scope)
    {
        Step();
        return BuiltinFilters.Apply(this, filter.Name, value, EvaluateArguments(filter.Arguments, scope));
    }

    /// <summary>Applies the filters of a filter block or block set, innermost first, to the rendered body.</summary>
    object? ApplyFilterChain(FilterExpression filter, object? input, TemplateScope scope) =>
        ApplyFilter(filter, filter.Target is FilterExpression inner ? ApplyFilterChain(inner, input, scope) : input, scope);
}

namespace Provocapi.Core.Chat.Templates;

/// <summary>
/// Python's arithmetic and membership: <c>+</c> adds numbers and joins strings or lists of one type (and raises
/// otherwise, as templates that add a dict to a string rely on), <c>/</c> always divides to a float, <c>//</c> and
/// <c>%</c> floor, <c>*</c> repeats strings and lists. Results larger than the render's size cap raise.
/// </summary>
internal static class PythonOperators
{
    public static object? Binary(BinaryOperator op, object? a, object? b)
    {
        if (a is Undefined ua) throw ua.Fail();
        if (b is Undefined ub) throw ub.Fail();
        if (op == BinaryOperator.Add && (a is Markup || b is Markup) && a is string or Markup && b is string or Markup)
            return new Markup(SafeText(a) + SafeText(b));
        a = Markup.Unwrap(a);
        b = Markup.Unwrap(b);
        return op switch
        {
            BinaryOperator.Add => Add(a, b),
            BinaryOperator.Subtract => Arithmetic(op, a, b, (x, y) => checked(x - y), (x, y) => x - y),
            BinaryOperator.Multiply => Multiply(a, b),
            BinaryOperator.Divide => Divide(a, b),
            BinaryOperator.FloorDivide => Arithmetic(op, a, b, FloorDivide, (x, y) => y == 0 ? throw ZeroDivision() : Math.Floor(x / y)),
            BinaryOperator.Modulo => a is string format ? PythonFormatting.Percent(format, b) : Arithmetic(op, a, b, Modulo, FloatModulo),
            BinaryOperator.Power => Power(a, b),
            _ => throw new InvalidOperationException(op.ToString()),
        };
    }

    static string SafeText(object? value) => value is Markup markup ? markup.Value : Markup.Escape((string)value!);

    static object? Add(object? a, object? b)
    {
        switch (a, b)
        {
            case (string s, string t):
                RenderSizeLimit.Check((long)s.Length + t.Length);
                return s + t;
            case (TemplateTuple x, TemplateTuple y):
                return new TemplateTuple([.. x, .. y]);
            case (IReadOnlyList<object?> x, IReadOnlyList<object?> y) when x is not TemplateTuple && y is not TemplateTuple:
                RenderSizeLimit.Check((long)x.Count + y.Count);
                return new List<object?>([.. x, .. y]);
        }
        if (PythonValues.IsNumber(a) && PythonValues.IsNumber(b)) return Arithmetic(BinaryOperator.Add, a, b, (x, y) => checked(x + y), (x, y) => x + y);
        if (a is string) throw new ChatTemplateException($"TypeError: can only concatenate str (not \"{PythonValues.TypeName(b)}\") to str");
        if (a is List<object?>) throw new ChatTemplateException($"TypeError: can only concatenate list (not \"{PythonValues.TypeName(b)}\") to list");
        throw Unsupported("+", a, b);
    }

    static object? Multiply(object? a, object? b)
    {
        if (a is long or bool && b is string or IReadOnlyList<object?>) (a, b) = (b, a);
        if (a is string s && b is long or bool)
        {
            var count = Math.Max(0, b is bool flag ? (flag ? 1 : 0) : (long)b!);
            RenderSizeLimit.Check(s.Length == 0 ? 0 : count > int.MaxValue ? long.MaxValue : s.Length * count);
            return string.Concat(Enumerable.Repeat(s, (int)count));
        }
        if (a is IReadOnlyList<object?> list && b is long or bool)
        {
            var count = Math.Max(0, b is bool flag ? (flag ? 1 : 0) : (long)b!);
            RenderSizeLimit.Check(list.Count == 0 ? 0 : count > int.MaxValue ? long.MaxValue : list.Count * count);
            var items = Enumerable.Range(0, (int)count).SelectMany(_ => list);
            return a is TemplateTuple ? new TemplateTuple([.. items]) : new List<object?>(items);
        }
        return Arithmetic(BinaryOperator.Multiply, a, b, (x, y) => checked(x * y), (x, y) => x * y);
    }

    static object Divide(object? a, object? b)
    {
        if (!PythonValues.IsNumber(a) || !PythonValues.IsNumber(b)) throw Unsupported("/", a, b);
        var divisor = PythonValues.ToDouble(b);
        if (divisor == 0) throw ZeroDivision();
        return PythonValues.ToDouble(a) / divisor;
    }

    static object Power(object? a, object? b)
    {
        if (!PythonValues.IsNumber(a) || !PythonValues.IsNumber(b)) throw Unsupported("**", a, b);
        if (a is double || b is double || (b is long e && e < 0)) return Math.Pow(PythonValues.ToDouble(a), PythonValues.ToDouble(b));
        var result = 1L;
        var baseValue = AsLong(a);
        for (var exponent = AsLong(b); exponent > 0; exponent--) result = checked(result * baseValue);
        return result;
    }

    static long FloorDivide(long x, long y)
    {
        if (y == 0) throw ZeroDivision();
        var quotient = x / y;
        return (x % y != 0 && (x < 0) != (y < 0)) ? quotient - 1 : quotient;
    }

    static long Modulo(long x, long y)
    {
        if (y == 0) throw ZeroDivision();
        var remainder = x % y;
        return remainder != 0 && (remainder < 0) != (y < 0) ? remainder + y : remainder;
    }

    static double FloatModulo(double x, double y)
    {
        if (y == 0) throw ZeroDivision();
        var remainder = x % y;
        return remainder != 0 && (remainder < 0) != (y < 0) ? remainder + y : remainder;
    }

    static object Arithmetic(BinaryOperator op, object? a, object? b, Func<long, long, long> integer, Func<double, double, double> real)
    {
        if (!PythonValues.IsNumber(a) || !PythonValues.IsNumber(b)) throw Unsupported(Symbol(op), a, b);
        if (a is double || b is double) return real(PythonValues.ToDouble(a), PythonValues.ToDouble(b));
        try
        {
            return integer(AsLong(a), AsLong(b));
        }
        catch (OverflowException e)
        {
            throw new ChatTemplateException("OverflowError: integer result out of range", e);
        }
    }

    static long AsLong(object? value) => value is bool b ? (b ? 1 : 0) : (long)value!;

    public static object Negate(object? value) => value switch
    {
        long l => (object)-l,
        double d => -d,
        bool b => b ? -1L : 0L,
        Undefined u => throw u.Fail(),
        _ => throw new ChatTemplateException($"TypeError: bad operand type for unary -: '{PythonValues.TypeName(value)}'"),
    };

    /// <summary>Python's <c>item in container</c>: a substring, a dict key, or an equal list item.</summary>
    public static bool Contains(object? container, object? item) => Markup.Unwrap(container) switch
    {
        string s when Markup.Unwrap(item) is string t => s.Contains(t, StringComparison.Ordinal),
        string => throw new ChatTemplateException($"TypeError: 'in <string>' requires string as left operand, not {PythonValues.TypeName(item)}"),
        TemplateDict dict => dict.ContainsKey(item),
        Undefined => false,
        IEnumerable<object?> items => items.Any(x => PythonValues.AreEqual(x, item)),
        var other => throw new ChatTemplateException($"TypeError: argument of type '{PythonValues.TypeName(other)}' is not iterable"),
    };

    static string Symbol(BinaryOperator op) => op switch
    {
        BinaryOperator.Add => "+",
        BinaryOperator.Subtract => "-",
        BinaryOperator.Multiply => "*",
        BinaryOperator.FloorDivide => "//",
        BinaryOperator.Modulo => "%",
        _ => op.ToString(),
    };

    static ChatTemplateException Unsupported(string op, object? a, object? b) =>
        new($"TypeError: unsupported operand type(s) for {op}: '{PythonValues.TypeName(a)}' and '{PythonValues.TypeName(b)}'");

    static ChatTemplateException ZeroDivision() => new("ZeroDivisionError: division by zero");
}

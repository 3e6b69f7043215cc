using System.Globalization;
using System.Text;

namespace Provocapi.Core.Chat.Templates;

/// <summary>
/// Python's string formatting as far as chat templates use it: <c>'%s' % x</c> and the <c>format</c> filter,
/// <c>str.format</c> with plain or named fields, and <c>strftime</c> for <c>strftime_now</c>.
/// </summary>
internal static class PythonFormatting
{
    /// <summary>printf-style formatting: %s %r %d %i %f (with a precision) %x %%.</summary>
    public static string Percent(string format, object? arguments)
    {
        var values = arguments is TemplateTuple tuple ? [.. tuple] : new List<object?> { arguments };
        var result = new StringBuilder();
        var next = 0;
        for (var i = 0; i < format.Length; i++)
        {
            if (format[i] != '%')
            {
                result.Append(format[i]);
                continue;
            }
            if (++i >= format.Length) throw new ChatTemplateException("ValueError: incomplete format");
            var precisionStart = i;
            while (i < format.Length && (char.IsAsciiDigit(format[i]) || format[i] == '.')) i++;
            var spec = format[precisionStart..i];
            var conversion = format[i];
            if (conversion == '%')
            {
                result.Append('%');
                continue;
            }
            if (next >= values.Count) throw new ChatTemplateException("TypeError: not enough arguments for format string");
            var value = values[next++];
            var precision = !spec.Contains('.') ? 6 : int.TryParse(spec[(spec.IndexOf('.') + 1)..], CultureInfo.InvariantCulture, out var p) ? Math.Min(p, 100) : 0;
            result.Append(conversion switch
            {
                's' => PythonValues.Str(value),
                'r' => PythonValues.Repr(value),
                'd' or 'i' => ((long)Math.Truncate(PythonValues.ToDouble(value))).ToString(CultureInfo.InvariantCulture),
                'f' => PythonValues.ToDouble(value).ToString("F" + precision, CultureInfo.InvariantCulture),
                'x' => ((long)PythonValues.ToDouble(value)).ToString("x", CultureInfo.InvariantCulture),
                _ => throw new ChatTemplateException($"ValueError: unsupported format character '{conversion}'"),
            });
        }
        if (next < values.Count && arguments is TemplateTuple)
            throw new ChatTemplateException("TypeError: not all arguments converted during string formatting");
        return result.ToString();
    }

    /// <summary>str.format with <c>{}</c>, <c>{0}</c> and <c>{name}</c> fields and an optional <c>!r</c> or <c>!s</c>.</summary>
    public static string Format(string format, CallArguments arguments)
    {
        var result = new StringBuilder();
        var automatic = 0;
        for (var i = 0; i < format.Length; i++)
        {
            var c = format[i];
            if (c == '}' && i + 1 < format.Length && format[i + 1] == '}')
            {
                result.Append('}');
                i++;
                continue;
            }
            if (c != '{')
            {
                result.Append(c);
                continue;
            }
            if (i + 1 < format.Length && format[i + 1] == '{')
            {
                result.Append('{');
                i++;
                continue;
            }
            var end = format.IndexOf('}', i);
            if (end < 0) throw new ChatTemplateException("ValueError: single '{' encountered in format string");
            var field = format[(i + 1)..end];
            i = end;
            var conversion = 's';
            var bang = field.IndexOf('!');
            if (bang >= 0)
            {
                conversion = field.Length > bang + 1 ? field[bang + 1] : 's';
                field = field[..bang];
            }
            if (field.Contains(':')) throw new ChatTemplateException("ValueError: format specifications are not supported");
            object? value;
            if (field.Length == 0) value = arguments.Get(automatic++, "\0", new Undefined("replacement index out of range"));
            else if (int.TryParse(field, NumberStyles.None, CultureInfo.InvariantCulture, out var index)) value = arguments.Get(index, "\0", new Undefined("replacement index out of range"));
            else value = arguments.Get(-1, field, new Undefined($"'{field}'"));
            if (value is Undefined missing) throw new ChatTemplateException($"IndexError: {missing.Message}");
            result.Append(conversion == 'r' ? PythonValues.Repr(value) : PythonValues.Str(value));
        }
        return result.ToString();
    }

    /// <summary>C's strftime as Python calls it, in English, with glibc's %-d style flag for no padding.</summary>
    public static string Strftime(DateTime time, string format)
    {
        var result = new StringBuilder();
        for (var i = 0; i < format.Length; i++)
        {
            if (format[i] != '%' || i + 1 >= format.Length)
            {
                result.Append(format[i]);
                continue;
            }
            var noPad = format[i + 1] == '-' && i + 2 < format.Length;
            if (noPad) i++;
            var code = format[++i];
            string Number(int value, int width) => noPad ? value.ToString(CultureInfo.InvariantCulture) : value.ToString(new string('0', width), CultureInfo.InvariantCulture);
            result.Append(code switch
            {
                'Y' => time.Year.ToString(CultureInfo.InvariantCulture),
                'y' => Number(time.Year % 100, 2),
                'm' => Number(time.Month, 2),
                'd' => Number(time.Day, 2),
                'e' => time.Day.ToString(CultureInfo.InvariantCulture).PadLeft(2),
                'H' => Number(time.Hour, 2),
                'I' => Number(time.Hour % 12 == 0 ? 12 : time.Hour % 12, 2),
                'M' => Number(time.Minute, 2),
                'S' => Number(time.Second, 2),
                'f' => (time.Ticks % TimeSpan.TicksPerSecond / 10).ToString("000000", CultureInfo.InvariantCulture),
                'p' => time.Hour < 12 ? "AM" : "PM",
                'j' => Number(time.DayOfYear, 3),
                'B' => CultureInfo.InvariantCulture.DateTimeFormat.GetMonthName(time.Month),
                'b' or 'h' => CultureInfo.InvariantCulture.DateTimeFormat.GetAbbreviatedMonthName(time.Month),
                'A' => time.DayOfWeek.ToString(),
                'a' => time.DayOfWeek.ToString()[..3],
                'w' => ((int)time.DayOfWeek).ToString(CultureInfo.InvariantCulture),
                'F' => time.ToString("yyyy-MM-dd", CultureInfo.InvariantCulture),
                'T' => time.ToString("HH:mm:ss", CultureInfo.InvariantCulture),
                '%' => "%",
                _ => "%" + code,
            });
        }
        return result.ToString();
    }
}

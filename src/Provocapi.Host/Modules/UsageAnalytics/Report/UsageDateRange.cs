using System.Globalization;

namespace Provocapi.Host.Modules.UsageAnalytics.Report;

/// <summary>A usage report's UTC dates, inclusive: both <c>YYYY-MM-DD</c>, the end not before the start, at most 366 days.</summary>
public sealed record UsageDateRange(DateOnly From, DateOnly To)
{
    public const int MaxDays = 366;

    /// <summary>The range, or the name of the parameter that is wrong and why.</summary>
    public static (UsageDateRange? Range, string? Param, string? Problem) Parse(string? from, string? to, string fromParam, string toParam)
    {
        if (!TryDay(from, out var start)) return (null, fromParam, Describe(fromParam, from));
        if (!TryDay(to, out var end)) return (null, toParam, Describe(toParam, to));
        if (end < start) return (null, toParam, $"'{toParam}' ({to}) is before '{fromParam}' ({from}).");
        var days = end.DayNumber - start.DayNumber + 1;
        if (days > MaxDays) return (null, toParam, $"The range from {from} to {to} is {days} days; at most {MaxDays} days can be asked for at once.");
        return (new UsageDateRange(start, end), null, null);
    }

    public IEnumerable<DateOnly> Days()
    {
        for (var day = From; day <= To; day = day.AddDays(1)) yield return day;
    }

    static bool TryDay(string? text, out DateOnly day) =>
        DateOnly.TryParseExact(text, "yyyy-MM-dd", CultureInfo.InvariantCulture, DateTimeStyles.None, out day);

    static string Describe(string param, string? value) => value == null
        ? $"'{param}' is required: a UTC date as YYYY-MM-DD."
        : $"Invalid '{param}': '{value}' is not a date as YYYY-MM-DD.";
}

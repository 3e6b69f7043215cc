using System.Globalization;
using System.Security;
using System.Text;
using Provocapi.Host.Modules.UsageAnalytics.Report;
using Provocapi.Host.Modules.UsageAnalytics.Storage;

namespace Provocapi.Host.Modules.UsageAnalytics.Chart;

/// <summary>
/// An SVG chart of a usage report: per day a bar of tokens (prompt below, completion stacked on it, every model
/// together) on the left axis, and per model a p50 and a p99 latency line on the right axis. Percentiles cannot be
/// merged across models, so each model has its own pair of lines.
/// </summary>
public static class UsageChart
{
    const double Width = 960, Height = 480, Left = 80, Right = 80, Top = 50, Bottom = 70;
    const double PlotWidth = Width - Left - Right, PlotHeight = Height - Top - Bottom;
    static readonly string[] LineColours = ["#d62728", "#2ca02c", "#9467bd", "#8c564b", "#e377c2", "#17becf"];

    public static string Svg(IReadOnlyList<UsageDay> days, UsageDateRange range, string title)
    {
        var dates = range.Days().ToList();
        var slot = PlotWidth / dates.Count;
        double X(DateOnly day) => Left + slot * (day.DayNumber - range.From.DayNumber + 0.5);
        var tokens = days.GroupBy(d => d.Date).ToDictionary(g => g.Key, g => (Prompt: g.Sum(d => d.PromptTokens), Completion: g.Sum(d => d.CompletionTokens)));
        var tokenAxis = NiceMax(tokens.Values.Select(t => (double)(t.Prompt + t.Completion)).DefaultIfEmpty(0).Max());
        var latencyAxis = NiceMax(days.Select(d => d.Latency.P99).DefaultIfEmpty(0).Max());
        double TokenY(double value) => Top + PlotHeight * (1 - value / tokenAxis);
        double LatencyY(double value) => Top + PlotHeight * (1 - value / latencyAxis);

        var svg = new StringBuilder();
        svg.Append(CultureInfo.InvariantCulture, $"""<svg xmlns="http://www.w3.org/2000/svg" width="{Width}" height="{Height}" viewBox="0 0 {Width} {Height}" font-family="sans-serif" font-size="12">""").Append('\n');
        svg.Append(CultureInfo.InvariantCulture, $"""<title>{Escape(title)}</title>""").Append('\n');
        svg.Append("""<rect width="100%" height="100%" fill="white"/>""").Append('\n');
        svg.Append(CultureInfo.InvariantCulture, $"""<text x="{Width / 2}" y="24" text-anchor="middle" font-size="16">{Escape(title)}</text>""").Append('\n');

        // Axes, with five gridlines shared by both scales.
        svg.Append("""<g class="axes" stroke="#444">""").Append('\n');
        svg.Append(CultureInfo.InvariantCulture, $"""<line x1="{Left}" y1="{Top + PlotHeight}" x2="{Left + PlotWidth}" y2="{Top + PlotHeight}"/>""").Append('\n');
        svg.Append(CultureInfo.InvariantCulture, $"""<line x1="{Left}" y1="{Top}" x2="{Left}" y2="{Top + PlotHeight}"/>""").Append('\n');
        svg.Append(CultureInfo.InvariantCulture, $"""<line x1="{Left + PlotWidth}" y1="{Top}" x2="{Left + PlotWidth}" y2="{Top + PlotHeight}"/>""").Append('\n');
        svg.Append("</g>\n");
        for (var i = 0; i <= 4; i++)
        {
            var y = Top + PlotHeight * (1 - i / 4.0);
            svg.Append(CultureInfo.InvariantCulture, $"""<line class="grid" x1="{Left}" y1="{F(y)}" x2="{Left + PlotWidth}" y2="{F(y)}" stroke="#ddd"/>""").Append('\n');
            svg.Append(CultureInfo.InvariantCulture, $"""<text class="tick tokens" x="{Left - 6}" y="{F(y + 4)}" text-anchor="end">{Number(tokenAxis * i / 4)}</text>""").Append('\n');
            svg.Append(CultureInfo.InvariantCulture, $"""<text class="tick latency" x="{Left + PlotWidth + 6}" y="{F(y + 4)}">{Number(latencyAxis * i / 4)}</text>""").Append('\n');
        }
        svg.Append(CultureInfo.InvariantCulture, $"""<text x="18" y="{Top + PlotHeight / 2}" transform="rotate(-90 18 {Top + PlotHeight / 2})" text-anchor="middle">tokens per day</text>""").Append('\n');
        svg.Append(CultureInfo.InvariantCulture, $"""<text x="{Width - 14}" y="{Top + PlotHeight / 2}" transform="rotate(90 {Width - 14} {Top + PlotHeight / 2})" text-anchor="middle">latency (ms)</text>""").Append('\n');
        var labelEvery = Math.Max(1, (int)Math.Ceiling(dates.Count / 12.0));
        for (var i = 0; i < dates.Count; i += labelEvery)
            svg.Append(CultureInfo.InvariantCulture, $"""<text class="day" x="{F(X(dates[i]))}" y="{Top + PlotHeight + 18}" text-anchor="middle">{dates[i]:MM-dd}</text>""").Append('\n');

        // Token bars.
        var barWidth = slot * 0.6;
        foreach (var (day, (prompt, completion)) in tokens.OrderBy(t => t.Key))
        {
            var x = X(day) - barWidth / 2;
            var promptTop = TokenY(prompt);
            var top = TokenY(prompt + completion);
            var label = $"{day:yyyy-MM-dd}";
            svg.Append(CultureInfo.InvariantCulture, $"""<rect class="bar prompt" data-day="{label}" x="{F(x)}" y="{F(promptTop)}" width="{F(barWidth)}" height="{F(Top + PlotHeight - promptTop)}" fill="#9ecae1"><title>{label}: {prompt} prompt tokens</title></rect>""").Append('\n');
            svg.Append(CultureInfo.InvariantCulture, $"""<rect class="bar completion" data-day="{label}" x="{F(x)}" y="{F(top)}" width="{F(barWidth)}" height="{F(promptTop - top)}" fill="#3182bd"><title>{label}: {completion} completion tokens</title></rect>""").Append('\n');
        }

        // Latency lines, one p50 (dashed) and one p99 (solid) per model.
        var models = days.Select(d => d.Model).Distinct().Order(StringComparer.Ordinal).ToList();
        for (var m = 0; m < models.Count; m++)
        {
            var colour = LineColours[m % LineColours.Length];
            var points = days.Where(d => d.Model == models[m]).OrderBy(d => d.Date).ToList();
            foreach (var (name, value, dash) in new (string, Func<UsageDay, double>, string)[] { ("p50", d => d.Latency.P50, " stroke-dasharray=\"6 4\""), ("p99", d => d.Latency.P99, "") })
            {
                var path = string.Join(" ", points.Select(d => $"{F(X(d.Date))},{F(LatencyY(value(d)))}"));
                svg.Append(CultureInfo.InvariantCulture, $"""<polyline class="latency {name}" data-model="{Escape(models[m])}" points="{path}" fill="none" stroke="{colour}" stroke-width="2"{dash}/>""").Append('\n');
                foreach (var d in points)
                    svg.Append(CultureInfo.InvariantCulture, $"""<circle class="point {name}" cx="{F(X(d.Date))}" cy="{F(LatencyY(value(d)))}" r="3" fill="{colour}"><title>{d.Date:yyyy-MM-dd} {Escape(d.Model)} {name} {Number(value(d))} ms</title></circle>""").Append('\n');
            }
        }

        // Legend under the x axis.
        var legendY = Height - 18;
        svg.Append(CultureInfo.InvariantCulture, $"""<rect x="{Left}" y="{legendY - 10}" width="12" height="12" fill="#9ecae1"/><text x="{Left + 16}" y="{legendY}">prompt tokens</text>""").Append('\n');
        svg.Append(CultureInfo.InvariantCulture, $"""<rect x="{Left + 120}" y="{legendY - 10}" width="12" height="12" fill="#3182bd"/><text x="{Left + 136}" y="{legendY}">completion tokens</text>""").Append('\n');
        var legendX = Left + 270;
        for (var m = 0; m < models.Count; m++, legendX += 200)
            svg.Append(CultureInfo.InvariantCulture, $"""<line x1="{legendX}" y1="{legendY - 4}" x2="{legendX + 24}" y2="{legendY - 4}" stroke="{LineColours[m % LineColours.Length]}" stroke-width="2"/><text x="{legendX + 28}" y="{legendY}">{Escape(models[m])} p99 (dashed: p50)</text>""").Append('\n');
        svg.Append("</svg>\n");
        return svg.ToString();
    }

    /// <summary>An axis maximum of 1, 2, 4 or 5 times a power of ten at or above <paramref name="max"/>, so ticks at quarters read well.</summary>
    static double NiceMax(double max)
    {
        if (max <= 0) return 1;
        var power = Math.Pow(10, Math.Floor(Math.Log10(max)));
        foreach (var step in new[] { 1, 2, 4, 5, 10 })
            if (step * power >= max) return step * power;
        return 10 * power;
    }

    static string F(double value) => value.ToString("0.##", CultureInfo.InvariantCulture);

    static string Number(double value) => value >= 1e6 ? (value / 1e6).ToString("0.##", CultureInfo.InvariantCulture) + "M"
        : value >= 1e3 ? (value / 1e3).ToString("0.##", CultureInfo.InvariantCulture) + "k"
        : value.ToString("0.##", CultureInfo.InvariantCulture);

    static string Escape(string text) => SecurityElement.Escape(text);
}

using System.Collections.Concurrent;
using System.Diagnostics.Metrics;
using System.Globalization;
using System.Text;

namespace Provocapi.Host.Platform.Metrics;

/// <summary>
/// Serves System.Diagnostics.Metrics instruments from Provocapi's meters in Prometheus' text format: counters as
/// <c>_total</c>, histograms as cumulative <c>_bucket</c>/<c>_sum</c>/<c>_count</c>, observable gauges read at scrape
/// time. Names follow Prometheus' conventions (dots to underscores, seconds as <c>_seconds</c>).
/// </summary>
public sealed class PrometheusExporter : IDisposable
{
    static readonly double[] Buckets = [0.001, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10, 30, 60];

    sealed class Series
    {
        public double Value;
        public readonly long[] BucketCounts = new long[Buckets.Length];
        public double Sum;
        public long Count;
    }

    sealed record Metric(string Name, string Type, string? Help)
    {
        public readonly ConcurrentDictionary<string, Series> Series = new();
    }

    readonly MeterListener _listener = new();
    readonly ConcurrentDictionary<Instrument, Metric> _metrics = new();

    public PrometheusExporter()
    {
        _listener.InstrumentPublished = (instrument, listener) =>
        {
            if (!instrument.Meter.Name.StartsWith("Provocapi", StringComparison.Ordinal)) return;
            var type = instrument switch
            {
                Counter<long> or Counter<double> or ObservableCounter<long> => "counter",
                Histogram<double> => "histogram",
                _ => "gauge",
            };
            _metrics[instrument] = new Metric(Name(instrument, type), type, instrument.Description);
            listener.EnableMeasurementEvents(instrument);
        };
        _listener.SetMeasurementEventCallback<long>((instrument, value, tags, _) => Record(instrument, value, tags));
        _listener.SetMeasurementEventCallback<int>((instrument, value, tags, _) => Record(instrument, value, tags));
        _listener.SetMeasurementEventCallback<double>((instrument, value, tags, _) => Record(instrument, value, tags));
        _listener.Start();
    }

    void Record(Instrument instrument, double value, ReadOnlySpan<KeyValuePair<string, object?>> tags)
    {
        if (!_metrics.TryGetValue(instrument, out var metric)) return;
        var series = metric.Series.GetOrAdd(Labels(tags), _ => new Series());
        lock (series)
        {
            switch (metric.Type)
            {
                case "counter":
                    series.Value += value;
                    break;
                case "histogram":
                    for (var i = 0; i < Buckets.Length; i++)
                        if (value <= Buckets[i]) series.BucketCounts[i]++;
                    series.Sum += value;
                    series.Count++;
                    break;
                default:
                    series.Value = value;
                    break;
            }
        }
    }

    /// <summary>The current values, gauges read now.</summary>
    public string Scrape()
    {
        foreach (var metric in _metrics.Values.Where(m => m.Type == "gauge")) metric.Series.Clear();
        _listener.RecordObservableInstruments();
        var text = new StringBuilder();
        foreach (var metric in _metrics.Values.OrderBy(m => m.Name, StringComparer.Ordinal))
        {
            if (metric.Help != null) text.Append("# HELP ").Append(metric.Name).Append(' ').Append(metric.Help.ReplaceLineEndings(" ")).Append('\n');
            text.Append("# TYPE ").Append(metric.Name).Append(' ').Append(metric.Type).Append('\n');
            foreach (var (labels, series) in metric.Series.OrderBy(s => s.Key, StringComparer.Ordinal))
                lock (series)
                {
                    if (metric.Type != "histogram")
                    {
                        Line(text, metric.Name, labels, series.Value);
                        continue;
                    }
                    for (var i = 0; i < Buckets.Length; i++)
                        Line(text, metric.Name + "_bucket", Join(labels, $"le=\"{Buckets[i].ToString(CultureInfo.InvariantCulture)}\""), series.BucketCounts[i]);
                    Line(text, metric.Name + "_bucket", Join(labels, "le=\"+Inf\""), series.Count);
                    Line(text, metric.Name + "_sum", labels, series.Sum);
                    Line(text, metric.Name + "_count", labels, series.Count);
                }
        }
        return text.ToString();
    }

    static void Line(StringBuilder text, string name, string labels, double value) =>
        text.Append(name).Append(labels.Length > 0 ? "{" + labels + "}" : "").Append(' ')
            .Append(double.IsPositiveInfinity(value) ? "+Inf" : value.ToString("R", CultureInfo.InvariantCulture)).Append('\n');

    static string Join(string labels, string extra) => labels.Length == 0 ? extra : labels + "," + extra;

    static string Labels(ReadOnlySpan<KeyValuePair<string, object?>> tags)
    {
        if (tags.Length == 0) return "";
        var parts = new List<string>(tags.Length);
        foreach (var (key, value) in tags)
            parts.Add($"{Sanitize(key)}=\"{Convert.ToString(value, CultureInfo.InvariantCulture)?.Replace("\\", "\\\\").Replace("\"", "\\\"").Replace("\n", "\\n")}\"");
        parts.Sort(StringComparer.Ordinal);
        return string.Join(",", parts);
    }

    static string Name(Instrument instrument, string type)
    {
        var name = Sanitize(instrument.Name);
        if (instrument.Unit == "s" && !name.EndsWith("_seconds", StringComparison.Ordinal)) name += "_seconds";
        if (type == "counter" && !name.EndsWith("_total", StringComparison.Ordinal)) name += "_total";
        return name;
    }

    static string Sanitize(string name)
    {
        var chars = name.ToCharArray();
        for (var i = 0; i < chars.Length; i++)
            if (!char.IsAsciiLetterOrDigit(chars[i]) && chars[i] != '_') chars[i] = '_';
        return new string(chars);
    }

    public void Dispose() => _listener.Dispose();
}

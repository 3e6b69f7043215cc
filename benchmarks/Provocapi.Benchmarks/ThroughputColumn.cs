using BenchmarkDotNet.Columns;
using BenchmarkDotNet.Reports;
using BenchmarkDotNet.Running;

namespace Provocapi.Benchmarks;

/// <summary>A column that turns a benchmark's mean time into a rate: work per call (from the case's parameters)
/// divided by the mean, in units of <paramref name="unit"/> per second (10^9 for GB/s and GFLOP/s).</summary>
public sealed class ThroughputColumn(string name, string legend, Func<BenchmarkCase, double> workPerCall, double unit = 1e9) : IColumn
{
    public string Id => nameof(ThroughputColumn) + name;
    public string ColumnName => name;
    public bool AlwaysShow => true;
    public ColumnCategory Category => ColumnCategory.Custom;
    public int PriorityInCategory => 0;
    public bool IsNumeric => true;
    public UnitType UnitType => UnitType.Dimensionless;
    public string Legend => legend;

    public string GetValue(Summary summary, BenchmarkCase benchmarkCase)
    {
        var mean = summary[benchmarkCase]?.ResultStatistics?.Mean;
        if (mean is not > 0) return "-";
        return (workPerCall(benchmarkCase) / (mean.Value * 1e-9) / unit).ToString("F1");
    }

    public string GetValue(Summary summary, BenchmarkCase benchmarkCase, SummaryStyle style) => GetValue(summary, benchmarkCase);
    public bool IsDefault(Summary summary, BenchmarkCase benchmarkCase) => false;
    public bool IsAvailable(Summary summary) => true;
}

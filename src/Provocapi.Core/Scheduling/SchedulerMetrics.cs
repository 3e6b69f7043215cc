using System.Collections.Concurrent;
using System.Diagnostics.Metrics;

namespace Provocapi.Core.Scheduling;

/// <summary>
/// The scheduler's instruments on the <c>Provocapi.Engine</c> meter (System.Diagnostics.Metrics), tagged with the
/// model: queue and batch sizes, KV pages, prefix-cache hits, token counters (their rates are tokens/s), and the
/// latencies users feel: queue wait, time to first token, time between tokens.
/// </summary>
public sealed class SchedulerMetrics : IDisposable
{
    public const string MeterName = "Provocapi.Engine";
    static readonly Meter Meter = new(MeterName, "1.0");
    static readonly ConcurrentDictionary<SchedulerMetrics, byte> Live = new();

    static readonly Counter<long> PromptTokens = Meter.CreateCounter<long>("provocapi.engine.prompt_tokens", "{token}", "Prompt tokens computed (reused prefix pages excluded)");
    static readonly Counter<long> GeneratedTokens = Meter.CreateCounter<long>("provocapi.engine.generated_tokens", "{token}", "Tokens generated");
    static readonly Counter<long> PrefixLookupTokens = Meter.CreateCounter<long>("provocapi.engine.prefix_cache.lookup_tokens", "{token}", "Prompt tokens of admitted requests");
    static readonly Counter<long> PrefixHitTokens = Meter.CreateCounter<long>("provocapi.engine.prefix_cache.hit_tokens", "{token}", "Prompt tokens served from cached prefix pages");
    static readonly Counter<long> Preemptions = Meter.CreateCounter<long>("provocapi.engine.preemptions", "{sequence}", "Sequences that gave their KV pages back to more urgent work");
    static readonly Counter<long> AbandonedSteps = Meter.CreateCounter<long>("provocapi.engine.abandoned_steps", "{step}", "Steps of batch work given up between layers for an interactive request, and redone after it");
    static readonly Histogram<double> QueueWaitSeconds = Meter.CreateHistogram<double>("provocapi.engine.queue_wait", "s", "Arrival to admission");
    static readonly Histogram<double> TimeToFirstTokenSeconds = Meter.CreateHistogram<double>("provocapi.engine.time_to_first_token", "s", "Arrival to the first generated token");
    static readonly Histogram<double> InterTokenSeconds = Meter.CreateHistogram<double>("provocapi.engine.inter_token_latency", "s", "Time between a sequence's generated tokens");

    static SchedulerMetrics()
    {
        Meter.CreateObservableGauge("provocapi.engine.queue_length", () => Observe(m => m._scheduler.QueueLength), "{request}", "Requests waiting for admission");
        Meter.CreateObservableGauge("provocapi.engine.running_sequences", () => Observe(m => m._scheduler.RunningCount), "{sequence}", "Sequences being decoded");
        Meter.CreateObservableGauge("provocapi.engine.kv_pages_used", () => Observe(m => m._scheduler.Pool.PageCount - m._scheduler.Pool.FreePages), "{page}", "KV-cache pages held by sequences");
        Meter.CreateObservableGauge("provocapi.engine.kv_pages_free", () => Observe(m => m._scheduler.Pool.FreePages), "{page}", "KV-cache pages free or holding evictable cached prefixes");
        Meter.CreateObservableGauge("provocapi.engine.prefix_cache.hit_rate", () => ObserveRate(), "1", "Share of admitted prompt tokens served from the prefix cache");
    }

    readonly GenerationScheduler _scheduler;
    readonly KeyValuePair<string, object?> _model;
    long _lookupTokens, _hitTokens;

    internal SchedulerMetrics(string model, GenerationScheduler scheduler)
    {
        _scheduler = scheduler;
        _model = new("model", model);
        Live[this] = 0;
    }

    static IEnumerable<Measurement<long>> Observe(Func<SchedulerMetrics, long> value) =>
        Live.Keys.Select(m => new Measurement<long>(value(m), m._model)).ToList();

    static IEnumerable<Measurement<double>> ObserveRate() =>
        Live.Keys.Select(m =>
        {
            var lookups = Interlocked.Read(ref m._lookupTokens);
            return new Measurement<double>(lookups == 0 ? 0 : (double)Interlocked.Read(ref m._hitTokens) / lookups, m._model);
        }).ToList();

    internal void Step(int promptTokens, int generatedTokens)
    {
        if (promptTokens > 0) PromptTokens.Add(promptTokens, _model);
        if (generatedTokens > 0) GeneratedTokens.Add(generatedTokens, _model);
    }

    internal void PrefixLookup(int promptTokens, int reusedTokens)
    {
        Interlocked.Add(ref _lookupTokens, promptTokens);
        Interlocked.Add(ref _hitTokens, reusedTokens);
        PrefixLookupTokens.Add(promptTokens, _model);
        if (reusedTokens > 0) PrefixHitTokens.Add(reusedTokens, _model);
    }

    internal void Preempted() => Preemptions.Add(1, _model);
    internal void Abandoned() => AbandonedSteps.Add(1, _model);
    internal void QueueWait(TimeSpan wait) => QueueWaitSeconds.Record(wait.TotalSeconds, _model);
    internal void FirstToken(TimeSpan sinceArrival) => TimeToFirstTokenSeconds.Record(sinceArrival.TotalSeconds, _model);
    internal void InterToken(TimeSpan gap) => InterTokenSeconds.Record(gap.TotalSeconds, _model);

    public void Dispose() => Live.TryRemove(this, out _);
}

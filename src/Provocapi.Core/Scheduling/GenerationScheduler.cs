using System.Diagnostics;
using Provocapi.Core.Generation;
using Provocapi.Engine.Backends.Cpu;
using Provocapi.Engine.KvCache;
using Provocapi.Engine.Models;

namespace Provocapi.Core.Scheduling;

/// <summary>
/// The engine loop of one model: continuous batching with chunked prefill (Orca, vLLM, Sarathi). Requests queue
/// by priority then arrival; each step admits what the KV cache can hold, then runs one forward pass over every
/// running sequence's next token plus prompt chunks up to <see cref="ModelOptions.StepTokenBudget"/>, so the
/// weights are read once per step for the whole batch. Finished and cancelled sequences leave at the next step.
/// When pages run out, the newest, least urgent sequence gives its pages back and is recomputed later
/// (vLLM's preemption by recomputation); batch work is preempted for interactive work, never the reverse, and a step
/// of batch work alone is given up between layers when an interactive request arrives.
/// </summary>
public sealed class GenerationScheduler : IDisposable
{
    readonly Llama _network;
    readonly KvPagePool _pool;
    readonly CpuWorkers _workers;
    readonly ModelOptions _options;
    readonly SchedulerMetrics _metrics;
    readonly ForwardBatch _batch = new();
    readonly ForwardScratch _scratch = new();
    readonly Lock _lock = new();
    readonly List<ScheduledSequence> _queue = [];
    readonly List<ScheduledSequence> _running = [];
    readonly List<(ScheduledSequence Sequence, int Tokens)> _plan = [];
    readonly List<ScheduledSequence> _withLogits = [];
    readonly List<ScheduledSequence> _prefilling = [];
    readonly SemaphoreSlim _wake = new(0);
    readonly Thread _loop;
    /// <summary>A sequence whose reader lags this many chunks behind waits, so a slow client costs memory for a few chunks, not the whole reply, and never holds up the batch.</summary>
    const int MaxUnreadChunks = 8;
    long _arrivals;
    long _preemptions;
    volatile bool _stopping;
    /// <summary>An interactive request was queued since the loop last admitted: a step of batch work alone gives way to it.</summary>
    volatile bool _interactiveWaiting;
    readonly Func<bool> _interactiveArrived;
    int _runningCount;

    public GenerationScheduler(Llama network, KvPagePool pool, CpuWorkers workers, ModelOptions options, string modelName)
    {
        _network = network;
        _pool = pool;
        _workers = workers;
        _options = options;
        _metrics = new SchedulerMetrics(modelName, this);
        _interactiveArrived = () => _interactiveWaiting;
        _loop = new Thread(Loop) { IsBackground = true, Name = $"provocapi engine: {modelName}" };
        _loop.Start();
    }

    public int QueueLength
    {
        get { lock (_lock) return _queue.Count; }
    }

    public int RunningCount => Volatile.Read(ref _runningCount);
    public KvPagePool Pool => _pool;
    /// <summary>Steps of batch work given up for an interactive arrival so far (each is redone).</summary>
    public long AbandonedSteps => Interlocked.Read(ref _abandonedSteps);
    long _abandonedSteps;
    /// <summary>Sequences that gave their pages back so far (each is recomputed on re-admission).</summary>
    public long Preemptions => Interlocked.Read(ref _preemptions);

    /// <summary>Total tokens put through the forward pass, prompt and generated.</summary>
    public long ForwardTokens => Interlocked.Read(ref _forwardTokens);
    long _forwardTokens;

    /// <summary>Queues a sequence; its chunks arrive on the returned handle's <see cref="ScheduledSequence.Output"/>.</summary>
    public ScheduledSequence Submit(SequenceState state, GenerationRequest request)
    {
        var pagesForPrompt = (state.Prompt.Length + _pool.PageSize) / _pool.PageSize;
        if (pagesForPrompt > _pool.PageCount)
            throw new AdmissionRejectedException(AdmissionRejection.TooLarge,
                $"the prompt needs {pagesForPrompt} KV pages but the cache has {_pool.PageCount}", TimeSpan.Zero);
        lock (_lock)
        {
            if (_stopping) throw new ObjectDisposedException(nameof(GenerationScheduler));
            // Preempted sequences wait here too, but they were admitted once: only new arrivals count against the bound.
            if (_queue.Count(q => !q.Admitted) >= _options.MaxQueueLength) throw Full(request.Owner);
            var scheduled = new ScheduledSequence(state, request.Priority, request.Owner, ++_arrivals);
            Enqueue(scheduled);
            if (request.Priority == GenerationPriority.Interactive) _interactiveWaiting = true;
            _wake.Release();
            return scheduled;
        }
    }

    /// <summary>Wakes the loop so a cancellation takes effect even while it is idle; a no-op once the scheduler is gone.</summary>
    public void Nudge()
    {
        if (_stopping) return;
        try { _wake.Release(); }
        catch (ObjectDisposedException) { }
    }

    AdmissionRejectedException Full(string? owner)
    {
        // A full queue is the owner's fault if it holds more than an equal share of it among those waiting.
        var waiting = _queue.Where(q => !q.Admitted).ToList();
        var owners = waiting.Select(q => q.Owner).Append(owner).Distinct().Count();
        var mine = waiting.Count(q => q.Owner == owner);
        return owner != null && mine >= Math.Max(1, _options.MaxQueueLength / owners)
            ? new AdmissionRejectedException(AdmissionRejection.FairShareExceeded,
                // Told to the owner itself, who knows no internal id: "your requests".
                $"the queue is full and your requests already hold {mine} of its {waiting.Count} places, your fair share; retry when some of them have started", TimeSpan.FromSeconds(2))
            : new AdmissionRejectedException(AdmissionRejection.NoCapacity,
                $"the queue is full ({waiting.Count} requests waiting)", TimeSpan.FromSeconds(2));
    }

    void Enqueue(ScheduledSequence sequence)
    {
        var at = _queue.FindIndex(q => (q.Priority, q.ArrivalOrder).CompareTo((sequence.Priority, sequence.ArrivalOrder)) > 0);
        _queue.Insert(at < 0 ? _queue.Count : at, sequence);
    }

    void Loop()
    {
        while (!_stopping)
        {
            try
            {
                if (!Plan()) _wake.Wait(100);
                // Everyone running waits on a slow reader: look again shortly.
                else if (!Step()) _wake.Wait(2);
            }
            catch (Exception e)
            {
                // A fault in the loop itself ends the sequences it was serving (and the request it was admitting), not
                // the process; the pause keeps a fault that repeats from spinning.
                FailAll(e);
                Thread.Sleep(10);
            }
        }
        lock (_lock)
        {
            foreach (var s in _queue.Concat(_running))
            {
                End(s, new ObjectDisposedException(nameof(GenerationScheduler), "the model was unloaded"));
                s.State.Dispose();
            }
            _queue.Clear();
            _running.Clear();
        }
    }

    /// <summary>Retires finished and cancelled sequences, expires long waits, admits what fits; says whether there is work.</summary>
    bool Plan()
    {
        for (var i = _running.Count - 1; i >= 0; i--)
        {
            var s = _running[i];
            if (s.State.Finished == null && !s.CancelRequested) continue;
            if (s.State.Finished == null) End(s, new GenerationChunk("", null, s.State.Cancel()) { QueueTime = s.State.QueueTime });
            _running.RemoveAt(i);
            s.State.Dispose();
        }
        lock (_lock)
        {
            var now = Stopwatch.GetTimestamp();
            for (var i = _queue.Count - 1; i >= 0; i--)
            {
                var s = _queue[i];
                if (s.CancelRequested) End(s, new GenerationChunk("", null, s.State.Cancel()) { QueueTime = Stopwatch.GetElapsedTime(s.ArrivedAt, now) });
                else if (!s.Admitted && Stopwatch.GetElapsedTime(s.ArrivedAt, now) > _options.MaxQueueWait)
                    End(s, new AdmissionRejectedException(AdmissionRejection.NoCapacity,
                        $"the request waited {_options.MaxQueueWait.TotalSeconds:0} s for room in the engine", TimeSpan.FromSeconds(2)));
                else continue;
                _queue.RemoveAt(i);
                s.State.Dispose();
            }
            _interactiveWaiting = false;
            while (_queue.Count > 0 && TryAdmit(_queue[0]))
            {
                var admitted = _queue[0];
                _queue.RemoveAt(0);
                _running.Add(admitted);
                if (!admitted.Admitted)
                {
                    admitted.Admitted = true;
                    admitted.State.QueueTime = Stopwatch.GetElapsedTime(admitted.ArrivedAt);
                    _metrics.QueueWait(admitted.State.QueueTime);
                }
            }
        }
        Volatile.Write(ref _runningCount, _running.Count);
        return _running.Count > 0;
    }

    bool PlansInteractive()
    {
        foreach (var (s, _) in _plan)
            if (s.Priority == GenerationPriority.Interactive) return true;
        return false;
    }

    /// <summary>Admits the head of the queue if a slot and its pages are free, preempting batch work for interactive work.</summary>
    bool TryAdmit(ScheduledSequence candidate)
    {
        if (_running.Count >= _options.MaxRunningSequences && !PreemptFor(candidate)) return false;
        var reused = candidate.State.ReuseCachedPrefix();
        // Its uncached tokens' pages plus one to grow into, so admitting it does not at once force a preemption.
        var pages = (candidate.State.Cache.Length + candidate.State.Pending + _pool.PageSize - 1) / _pool.PageSize;
        var needed = pages - candidate.State.Cache.Pages.Count + 1;
        // Alone, it goes ahead even without the spare page: nothing else will ever free more.
        while (_pool.FreePages - OutstandingPages() < needed && _running.Count > 0)
            if (!PreemptFor(candidate))
            {
                candidate.State.DropCache();
                return false;
            }
        if (!candidate.Admitted) _metrics.PrefixLookup(candidate.State.Prompt.Length, reused);
        return true;
    }

    /// <summary>
    /// Pages running sequences will still rent for the tokens they have now (prompts not yet fully prefilled): free
    /// pages are promised to them, or a newcomer would be admitted only to force their preemption a step later.
    /// </summary>
    int OutstandingPages()
    {
        var outstanding = 0;
        foreach (var r in _running)
            outstanding += Math.Max(0, (r.State.Cache.Length + r.State.Pending + _pool.PageSize - 1) / _pool.PageSize - r.State.Cache.Pages.Count);
        return outstanding;
    }

    /// <summary>Frees the newest running sequence less urgent than <paramref name="candidate"/>; false if there is none.</summary>
    bool PreemptFor(ScheduledSequence candidate)
    {
        var victim = _running.Where(r => r.Priority > candidate.Priority).MaxBy(r => r.ArrivalOrder);
        if (victim == null) return false;
        Preempt(victim);
        return true;
    }

    void Preempt(ScheduledSequence victim)
    {
        _running.Remove(victim);
        victim.State.DropCache();
        victim.Preemptions++;
        Interlocked.Increment(ref _preemptions);
        _metrics.Preempted();
        Enqueue(victim);
    }

    /// <summary>
    /// One forward pass: every decoding sequence's next token, then prompt chunks within the step's budget, most urgent
    /// first; false if there was nothing to run. While a prompt is prefilling, less urgent sequences sit the step out,
    /// so an interactive request's first token waits on no batch work but the layer running when it arrived.
    /// </summary>
    bool Step()
    {
        _plan.Clear();
        _prefilling.Clear();
        foreach (var s in _running)
            if (s.State.IsPrefilling) _prefilling.Add(s);
        _prefilling.Sort(static (a, b) => (a.Priority, a.ArrivalOrder).CompareTo((b.Priority, b.ArrivalOrder)));
        GenerationPriority? urgency = _prefilling.Count > 0 ? _prefilling[0].Priority : null;
        var budget = _options.StepTokenBudget;
        foreach (var s in _running)
            if (!s.State.IsPrefilling && s.Output.Count < MaxUnreadChunks && (urgency == null || s.Priority <= urgency))
            {
                _plan.Add((s, 1));
                budget--;
            }
        foreach (var s in _prefilling)
        {
            if (s.Priority > urgency || (budget <= 0 && _plan.Count > 0)) break;
            var take = Math.Min(s.State.Pending, Math.Max(budget, 1));
            _plan.Add((s, take));
            budget -= take;
        }
        if (!ReservePages()) return false;

        _batch.Clear();
        _withLogits.Clear();
        foreach (var (s, tokens) in _plan)
        {
            var before = _batch.LogitTokens.Count;
            s.State.AddTo(_batch, tokens);
            if (_batch.LogitTokens.Count > before) _withLogits.Add(s);
        }
        ReadOnlySpan<float> logits;
        try
        {
            // A step of batch work alone is given up between layers when an interactive request arrives: its wait for
            // the engine is then a layer (the last one and the output projection at most), not a step. The batch
            // sequences redo the step after it.
            if (!_network.TryForward(_batch, _scratch, _workers, PlansInteractive() ? null : _interactiveArrived, out logits))
            {
                Interlocked.Increment(ref _abandonedSteps);
                _metrics.Abandoned();
                return true;
            }
        }
        catch (Exception e)
        {
            foreach (var (s, _) in _plan) Fail(s, e);
            return true;
        }
        Interlocked.Add(ref _forwardTokens, _batch.Count);
        _metrics.Step(_batch.Count - _withLogits.Count(s => !s.State.IsPrefilling), _withLogits.Count);

        var vocabulary = _network.Config.VocabSize;
        var now = Stopwatch.GetTimestamp();
        for (var i = 0; i < _withLogits.Count; i++)
        {
            var s = _withLogits[i];
            GenerationChunk chunk;
            try { chunk = s.State.Accept(logits.Slice(i * vocabulary, vocabulary)); }
            catch (Exception e)
            {
                Fail(s, e);
                continue;
            }
            if (s.FirstTokenAt == null)
            {
                s.FirstTokenAt = now;
                _metrics.FirstToken(Stopwatch.GetElapsedTime(s.ArrivedAt, now));
            }
            else _metrics.InterToken(Stopwatch.GetElapsedTime(s.LastTokenAt, now));
            s.LastTokenAt = now;
            if (chunk.IsFinal) End(s, chunk);
            else s.Writer.TryWrite(chunk);
        }
        foreach (var (s, _) in _plan) s.State.IndexFilledPages();
        return true;
    }

    /// <summary>Gives every planned sequence the pages its tokens need, preempting the newest, least urgent ones when the cache runs dry.</summary>
    bool ReservePages()
    {
        for (var i = 0; i < _plan.Count; i++)
        {
            var (s, tokens) = _plan[i];
            while (!s.State.Cache.TryReserve(s.State.Cache.Length + tokens))
            {
                // A sequence whose reader stopped reading gives way first, so it cannot hold the cache hostage.
                var victim = _running.Where(r => r != s)
                    .OrderByDescending(r => r.Output.Count >= MaxUnreadChunks).ThenByDescending(r => r.Priority).ThenByDescending(r => r.ArrivalOrder).FirstOrDefault();
                if (victim == null || (victim.Output.Count < MaxUnreadChunks && (victim.Priority, victim.ArrivalOrder).CompareTo((s.Priority, s.ArrivalOrder)) < 0))
                {
                    // Nothing less urgent to take pages from: this sequence waits for the others (or fails if alone, which
                    // LoadedModel rules out by keeping its context within the cache; kept for callers of the scheduler).
                    if (_running.Count == 1)
                    {
                        Fail(s, new KvCacheFullException($"the KV cache is full ({_pool.PageCount} pages of {_pool.PageSize} positions) with one sequence"));
                        _plan.RemoveAt(i);
                        return _plan.Count > 0;
                    }
                    victim = s;
                }
                var index = _plan.FindIndex(p => p.Sequence == victim);
                if (index >= 0)
                {
                    _plan.RemoveAt(index);
                    if (index <= i) i--;
                }
                lock (_lock) Preempt(victim);
                if (victim == s) break;
            }
        }
        return _plan.Count > 0;
    }

    void FailAll(Exception error)
    {
        try
        {
            foreach (var s in _running.ToList()) Fail(s, error);
            lock (_lock)
                if (_queue.Count > 0)
                {
                    var head = _queue[0];
                    _queue.RemoveAt(0);
                    End(head, error);
                    head.State.Dispose();
                }
        }
        catch (Exception)
        {
            // Cleaning up after a fault failed too; what could not be ended is dropped rather than the process.
            _running.Clear();
        }
        Volatile.Write(ref _runningCount, _running.Count);
    }

    void Fail(ScheduledSequence s, Exception error)
    {
        _running.Remove(s);
        End(s, error);
        s.State.Dispose();
    }

    static void End(ScheduledSequence s, GenerationChunk final)
    {
        s.Writer.TryWrite(final);
        s.Writer.TryComplete();
    }

    static void End(ScheduledSequence s, Exception error) => s.Writer.TryComplete(error);

    public void Dispose()
    {
        lock (_lock)
        {
            if (_stopping) return;
            _stopping = true;
        }
        _wake.Release();
        _loop.Join();
        _metrics.Dispose();
        _wake.Dispose();
    }
}

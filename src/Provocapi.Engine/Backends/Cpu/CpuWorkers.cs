using System.Diagnostics;
using System.Runtime.ExceptionServices;
using System.Runtime.InteropServices;

namespace Provocapi.Engine.Backends.Cpu;

/// <summary>
/// A parallel-for for the hot loop: ThreadCount − 1 persistent worker threads plus the calling thread. Generation
/// calls it hundreds of times per token, so a call costs a few microseconds: between calls the workers spin for a
/// while (<see cref="SpinTime"/>) watching a generation counter, and only then block on a semaphore. Indices are
/// handed out dynamically in small batches from a shared counter, so uneven work and a busy core balance out.
/// One loop runs at a time: <see cref="For(int, ICpuWork)"/> is not reentrant.
/// </summary>
public sealed class CpuWorkers : IDisposable
{
    /// <summary>How long an idle worker spins before it blocks: long enough to bridge the gaps between the matrix
    /// multiplies of a token and between tokens, short enough not to burn a core when nothing runs.</summary>
    public static readonly TimeSpan SpinTime = TimeSpan.FromMilliseconds(2);

    readonly Worker[] _workers;
    readonly long _spinTicks = (long)(SpinTime.TotalSeconds * Stopwatch.Frequency);
    readonly ActionWork _action = new();
    Shared _shared;
    ICpuWork? _work;
    int _count;
    int _batch;
    Exception? _failure;
    int _busy;
    volatile bool _stopping;

    public int ThreadCount { get; }

    public CpuWorkers(int threadCount)
    {
        ArgumentOutOfRangeException.ThrowIfNegativeOrZero(threadCount);
        ThreadCount = threadCount;
        _workers = new Worker[threadCount - 1];
        for (var i = 0; i < _workers.Length; i++)
        {
            var worker = new Worker();
            worker.Thread = new Thread(() => WorkerLoop(worker)) { IsBackground = true, Name = $"Provocapi CPU worker {i + 1}" };
            _workers[i] = worker;
            worker.Thread.Start();
        }
    }

    /// <summary>Runs <paramref name="body"/> for every index in [0, count) and returns when all have run. The first
    /// exception thrown by a body is rethrown here after the others finish.</summary>
    public void For(int count, ICpuWork body)
    {
        if (count <= 0) return;
        if (Interlocked.Exchange(ref _busy, 1) != 0) throw new InvalidOperationException("CpuWorkers.For is already running; it is not reentrant");
        try
        {
            if (_workers.Length == 0 || count == 1)
            {
                for (var i = 0; i < count; i++) body.Run(i);
                return;
            }
            _work = body;
            _count = count;
            _batch = Math.Max(1, count / (ThreadCount * 16));
            _failure = null;
            _shared.Next = 0;
            _shared.Running = _workers.Length;
            Interlocked.Increment(ref _shared.Generation);
            foreach (var worker in _workers)
                if (Interlocked.Exchange(ref worker.Sleeping, 0) == 1) worker.Wake.Release();
            RunBatches();
            var spinner = new SpinWait();
            while (Volatile.Read(ref _shared.Running) != 0) spinner.SpinOnce(sleep1Threshold: -1);
            _work = null;
            if (_failure != null) ExceptionDispatchInfo.Capture(_failure).Throw();
        }
        finally
        {
            Volatile.Write(ref _busy, 0);
        }
    }

    /// <summary>Convenience overload; the delegate is called through a reused adapter, so only the caller's own
    /// closure (if any) allocates.</summary>
    public void For(int count, Action<int> body)
    {
        _action.Body = body;
        try { For(count, _action); }
        finally { _action.Body = null; }
    }

    void RunBatches()
    {
        var work = _work!;
        try
        {
            while (true)
            {
                var start = Interlocked.Add(ref _shared.Next, _batch) - _batch;
                if (start >= _count) return;
                var end = Math.Min(_count, start + _batch);
                for (var i = start; i < end; i++) work.Run(i);
            }
        }
        catch (Exception e)
        {
            Interlocked.CompareExchange(ref _failure, e, null);
            Volatile.Write(ref _shared.Next, _count);
        }
    }

    void WorkerLoop(Worker self)
    {
        var seen = 0;
        while (true)
        {
            var generation = WaitForGeneration(self, seen);
            if (_stopping) return;
            seen = generation;
            RunBatches();
            Interlocked.Decrement(ref _shared.Running);
        }
    }

    int WaitForGeneration(Worker self, int seen)
    {
        var spinner = new SpinWait();
        var start = Stopwatch.GetTimestamp();
        while (true)
        {
            var generation = Volatile.Read(ref _shared.Generation);
            if (generation != seen || _stopping) return generation;
            if (Stopwatch.GetTimestamp() - start < _spinTicks)
            {
                spinner.SpinOnce(sleep1Threshold: -1);
                continue;
            }
            // Announce the sleep, then look once more: whoever resets Sleeping (the caller in For, or we below)
            // decides whether a Release is coming, so a wake-up can be neither lost nor left over.
            Interlocked.Exchange(ref self.Sleeping, 1);
            if (Volatile.Read(ref _shared.Generation) != seen || _stopping)
            {
                if (Interlocked.Exchange(ref self.Sleeping, 0) == 1) continue;
            }
            self.Wake.Wait();
            spinner.Reset();
            start = Stopwatch.GetTimestamp();
        }
    }

    public void Dispose()
    {
        if (_stopping) return;
        _stopping = true;
        Interlocked.Increment(ref _shared.Generation);
        foreach (var worker in _workers)
        {
            if (Interlocked.Exchange(ref worker.Sleeping, 0) == 1) worker.Wake.Release();
            worker.Thread!.Join();
            worker.Wake.Dispose();
        }
    }

    sealed class Worker
    {
        public Thread? Thread;
        public readonly SemaphoreSlim Wake = new(0);
        public int Sleeping;
    }

    sealed class ActionWork : ICpuWork
    {
        public Action<int>? Body;
        public void Run(int index) => Body!(index);
    }

    /// <summary>The counters every thread touches, each on its own cache line so that the claims of one do not
    /// invalidate the line the idle workers are polling.</summary>
    [StructLayout(LayoutKind.Explicit, Size = 192)]
    struct Shared
    {
        [FieldOffset(0)] public int Generation;
        [FieldOffset(64)] public int Next;
        [FieldOffset(128)] public int Running;
    }
}

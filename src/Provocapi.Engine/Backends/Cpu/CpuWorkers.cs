namespace Provocapi.Engine.Backends.Cpu;

public sealed class CpuWorkers(int threads) : IDisposable
{
    public int Count { get; } = Math.Max(1, threads);
    public void For(int count, Action<int> body)
    {
        if (Count == 1) { for (var i = 0; i < count; i++) body(i); return; }
        Parallel.For(0, count, new ParallelOptions { MaxDegreeOfParallelism = Count }, body);
    }
    public void Dispose() { }
}

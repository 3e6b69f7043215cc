namespace Provocapi.Engine.Backends.Cpu;

/// <summary>A body for <see cref="CpuWorkers.For(int, ICpuWork)"/>: an object the caller keeps and reuses, so that a
/// parallel loop in the hot path allocates nothing (a lambda would capture a new closure per call).</summary>
public interface ICpuWork
{
    void Run(int index);
}

namespace Provocapi.Core.Generation;

public enum GenerationPriority
{
    /// <summary>Someone is waiting for it (the HTTP API, embedded callers).</summary>
    Interactive,
    /// <summary>Batch jobs: run when interactive work leaves room, preempted when it needs the room back.</summary>
    Batch,
}

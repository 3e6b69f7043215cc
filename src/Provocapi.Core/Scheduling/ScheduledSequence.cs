using System.Diagnostics;
using System.Threading.Channels;
using Provocapi.Core.Generation;

namespace Provocapi.Core.Scheduling;

/// <summary>A sequence in the scheduler's hands: its state, where its chunks go, and when it arrived, started and last produced.</summary>
public sealed class ScheduledSequence
{
    // Not SingleReader: only the multi-reader unbounded channel can count unread chunks, which paces slow readers.
    readonly Channel<GenerationChunk> _output = Channel.CreateUnbounded<GenerationChunk>(new UnboundedChannelOptions { SingleWriter = true });
    volatile bool _cancelRequested;

    internal ScheduledSequence(SequenceState state, GenerationPriority priority, string? owner, long arrivalOrder)
    {
        State = state;
        Priority = priority;
        Owner = owner;
        ArrivalOrder = arrivalOrder;
    }

    public SequenceState State { get; }
    public GenerationPriority Priority { get; }
    public string? Owner { get; }
    /// <summary>Breaks ties within a priority: earlier arrivals first, also after a preemption.</summary>
    public long ArrivalOrder { get; }
    public long ArrivedAt { get; } = Stopwatch.GetTimestamp();
    internal bool Admitted { get; set; }
    internal long? FirstTokenAt { get; set; }
    internal long LastTokenAt { get; set; }
    /// <summary>Times it gave up its pages to more urgent work.</summary>
    public int Preemptions { get; internal set; }

    /// <summary>The chunks as they are made; it completes after the final chunk, or with the error that ended the sequence.</summary>
    public ChannelReader<GenerationChunk> Output => _output.Reader;

    internal ChannelWriter<GenerationChunk> Writer => _output.Writer;

    public bool CancelRequested => _cancelRequested;

    /// <summary>Asks the scheduler to stop this sequence at its next step (a no-op once it has finished).</summary>
    public void Cancel() => _cancelRequested = true;
}

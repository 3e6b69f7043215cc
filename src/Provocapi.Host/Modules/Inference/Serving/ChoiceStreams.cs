using System.Runtime.CompilerServices;
using System.Threading.Channels;
using Provocapi.Core.Generation;

namespace Provocapi.Host.Modules.Inference.Serving;

/// <summary>
/// Several generations of one request (n choices, or several prompts) running at once, so the scheduler batches
/// them, merged into one stream of (choice index, chunk) in the order chunks are made. The first failure ends it.
/// </summary>
public static class ChoiceStreams
{
    public static async IAsyncEnumerable<(int Index, GenerationChunk Chunk)> MergeAsync(IReadOnlyList<IAsyncEnumerable<GenerationChunk>> streams,
        [EnumeratorCancellation] CancellationToken cancellationToken = default)
    {
        var merged = Channel.CreateUnbounded<(int, GenerationChunk)>(new UnboundedChannelOptions { SingleReader = true });
        using var stop = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);
        var producers = streams.Select((stream, index) => Task.Run(async () =>
        {
            await foreach (var chunk in stream.WithCancellation(stop.Token))
                await merged.Writer.WriteAsync((index, chunk), stop.Token);
        })).ToList();
        var completion = Task.WhenAll(producers).ContinueWith(t =>
            merged.Writer.TryComplete(t.Exception?.InnerExceptions.FirstOrDefault(e => e is not OperationCanceledException) ?? t.Exception?.InnerException),
            CancellationToken.None, TaskContinuationOptions.ExecuteSynchronously, TaskScheduler.Default);
        try
        {
            await foreach (var item in merged.Reader.ReadAllAsync(CancellationToken.None))
                yield return item;
        }
        finally
        {
            // The reader is gone (done, failed or disconnected): stop the other generations too.
            stop.Cancel();
            await completion;
        }
    }
}

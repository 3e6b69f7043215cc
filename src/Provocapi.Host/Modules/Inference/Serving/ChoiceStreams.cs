using System.Runtime.CompilerServices;
using System.Threading.Channels;
using Microsoft.AspNetCore.Http;
using Provocapi.Core.Generation;
using Provocapi.Host.Platform.Errors;
using Provocapi.Host.Platform.Http;

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
        // Bounded, so a slow client backs up into the engine, which then pauses that sequence rather than buffer its reply.
        var merged = Channel.CreateBounded<(int, GenerationChunk)>(new BoundedChannelOptions(2 * streams.Count) { SingleReader = true });
        using var stop = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);
        var producers = streams.Select((stream, index) => Task.Run(async () =>
        {
            try
            {
                await foreach (var chunk in stream.WithCancellation(stop.Token))
                    await merged.Writer.WriteAsync((index, chunk), stop.Token);
            }
            catch (Exception e) when (e is not OperationCanceledException)
            {
                // The first failure ends the whole request at once; the other choices are stopped.
                merged.Writer.TryComplete(e);
                stop.Cancel();
            }
        })).ToList();
        var completion = Task.WhenAll(producers).ContinueWith(t => merged.Writer.TryComplete(t.Exception?.InnerException),
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

    /// <summary>
    /// Streams the merged choices as server-sent events: <paramref name="write"/> for every chunk (told whether it is
    /// its choice's first), then, once every choice has ended, the usage event if <paramref name="usageEvent"/> is
    /// given, then <c>[DONE]</c>. A failure after the stream started becomes an error event before <c>[DONE]</c>;
    /// a client that went away ends it quietly.
    /// </summary>
    public static async Task WriteEventsAsync(HttpContext http, IReadOnlyList<IAsyncEnumerable<GenerationChunk>> choices,
        Func<ServerSentEvents, int, GenerationChunk, bool, Task> write, Func<IReadOnlyList<GenerationResult>, object>? usageEvent)
    {
        var events = new ServerSentEvents(http.Response);
        var results = new GenerationResult?[choices.Count];
        var opened = new bool[choices.Count];
        try
        {
            await foreach (var (index, chunk) in MergeAsync(choices))
            {
                if (chunk.Result is { FinishReason: FinishReason.Cancelled }) return;
                if (!events.Started) await events.StartAsync();
                await write(events, index, chunk, !opened[index]);
                opened[index] = true;
                if (chunk.Result is { } final) results[index] = final;
            }
        }
        catch (ApiException e) when (events.Started)
        {
            await events.FailAsync(e.Error);
            return;
        }
        if (results.Any(r => r == null)) return;
        if (usageEvent != null) await events.WriteAsync(usageEvent(results!));
        await events.DoneAsync();
    }
}

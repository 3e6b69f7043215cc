using System.Diagnostics;
using Provocapi.Core.Generation;
using Provocapi.Core.Scheduling;
using Provocapi.Engine.KvCache;
using Provocapi.Engine.Sampling;

namespace Provocapi.Core.Tests.Scheduling;

/// <summary>
/// Continuous batching must not change what a sequence generates: with greedy sampling, every sequence of a mixed
/// batch (different prompt lengths, arrivals mid-flight, cancellations, preemptions, reused prefixes) produces
/// exactly what it produces alone.
/// </summary>
public sealed class SchedulerTests
{
    static readonly string[] Prompts =
    [
        "Once upon a time",
        "The quick brown fox jumps over the lazy dog and then runs far away into the forest",
        "A",
        "In the beginning there was only the sea, and the sea was wide and deep and full of fish of every colour",
        "Numbers: 1, 2, 3, 4, 5, 6",
        "Hello",
    ];

    static GenerationRequest Greedy(string prompt, int maxTokens = 24, GenerationPriority priority = GenerationPriority.Interactive) =>
        new() { Prompt = prompt, Sampling = SamplingOptions.Greedy, MaxTokens = maxTokens, IgnoreEndOfGeneration = true, Priority = priority };

    static LoadedModel Load(ModelOptions options) =>
        LoadedModel.LoadAsync(ModelFixture.ModelPath, options with { Threads = 2 }).GetAwaiter().GetResult();

    /// <summary>Each prompt run alone, one after another, on a fresh model.</summary>
    static async Task<List<IReadOnlyList<int>>> AloneAsync(IEnumerable<GenerationRequest> requests, KvCacheType cache = KvCacheType.F32)
    {
        using var model = Load(new ModelOptions { MaxRunningSequences = 1, KvCacheType = cache });
        var results = new List<IReadOnlyList<int>>();
        foreach (var request in requests) results.Add((await model.GenerateTextAsync(request)).TokenIds);
        return results;
    }

    [Theory]
    [InlineData(KvCacheType.F32)]
    [InlineData(KvCacheType.F16)]
    public async Task A_mixed_batch_with_late_arrivals_and_a_cancellation_gives_each_sequence_its_output_alone(KvCacheType cache)
    {
        var requests = Prompts.Select((p, i) => Greedy(p, 16 + 4 * i)).ToList();
        var expected = await AloneAsync(requests, cache);

        // A small step budget splits prompts into chunks that share steps with other sequences' decoding.
        using var model = Load(new ModelOptions { StepTokenBudget = 7, KvCacheType = cache });
        using var cancel = new CancellationTokenSource();
        var tasks = new List<Task<GenerationResult>>();
        for (var i = 0; i < requests.Count; i++)
        {
            tasks.Add(model.GenerateTextAsync(requests[i], i == 2 ? cancel.Token : default));
            if (i % 2 == 1) await Task.Delay(15);  // later ones arrive while earlier ones decode
        }
        await Task.Delay(5);
        cancel.Cancel();
        var results = await Task.WhenAll(tasks);
        for (var i = 0; i < requests.Count; i++)
        {
            if (i == 2)
            {
                Assert.Contains(results[i].FinishReason, new[] { FinishReason.Cancelled, FinishReason.Length });
                Assert.Equal(expected[i].Take(results[i].TokenIds.Count), results[i].TokenIds);
            }
            else Assert.Equal(expected[i], results[i].TokenIds);
        }
        await WaitIdleAsync(model);
        Assert.Equal(model.Scheduler.Pool.PageCount, model.Scheduler.Pool.FreePages);
    }

    [Fact]
    public async Task Sixteen_concurrent_sequences_batch_into_shared_steps()
    {
        using var model = Load(new ModelOptions());
        // Each prompt starts its own way: one arriving after another's first page was cached would reuse that page
        // (correctly) and compute fewer tokens than the count below expects.
        var requests = Enumerable.Range(0, 16).Select(i => Greedy($"{i}: {Prompts[i % Prompts.Length]}{new string('!', i)}", 20)).ToList();
        var expected = await AloneAsync(requests);
        var before = model.ForwardTokens;
        var results = await Task.WhenAll(requests.Select(r => model.GenerateTextAsync(r)));
        for (var i = 0; i < requests.Count; i++) Assert.Equal(expected[i], results[i].TokenIds);
        Assert.Equal(results.Sum(r => r.PromptTokens + r.CompletionTokens - 1), model.ForwardTokens - before);
    }

    [Fact]
    public async Task A_reused_prefix_changes_no_output_and_is_not_computed_again()
    {
        var system = string.Concat(Enumerable.Repeat("You are a helpful assistant who answers briefly and politely. ", 6));
        var first = Greedy(system + "What is the sea?");
        var second = Greedy(system + "Who are you?");
        var expected = await AloneAsync([second]);

        using var model = Load(new ModelOptions { KvPageSize = 16 });
        await model.GenerateTextAsync(first);
        var before = model.ForwardTokens;
        var result = await model.GenerateTextAsync(second);
        Assert.Equal(expected[0], result.TokenIds);
        var computed = model.ForwardTokens - before;
        var shared = model.Model.Tokenizer.Encode(system).Length;
        // Every full 16-token page of the shared prefix came from the cache.
        Assert.True(computed <= result.PromptTokens + result.CompletionTokens - 1 - shared / 16 * 16 + 16,
            $"computed {computed} tokens for a {result.PromptTokens}-token prompt sharing {shared}");
        Assert.True(model.Scheduler.Pool.CachedPages > 0);
    }

    [Fact]
    public async Task Sequences_preempted_for_lack_of_pages_resume_with_identical_output()
    {
        var requests = Prompts.Take(4).Select(p => Greedy(p, 60)).ToList();
        var expected = await AloneAsync(requests);
        // 24 pages of 8 positions: four sequences of up to ~90 positions cannot all hold their pages at once.
        var bytesPerPosition = 2L * 2 * 64 * sizeof(float);
        using var model = Load(new ModelOptions { KvPageSize = 8, KvCacheBytes = bytesPerPosition * 8 * 24 });
        var results = await Task.WhenAll(requests.Select(r => model.GenerateTextAsync(r)));
        for (var i = 0; i < requests.Count; i++) Assert.Equal(expected[i], results[i].TokenIds);
        Assert.True(model.Scheduler.Preemptions > 0, "the test did not force a preemption");
        await WaitIdleAsync(model);
        Assert.Equal(model.Scheduler.Pool.PageCount, model.Scheduler.Pool.FreePages);
    }

    [Fact]
    public async Task A_kv_cache_smaller_than_the_context_limits_requests_to_what_it_holds()
    {
        // Three pages of 8 positions; the model's own context is far longer.
        var bytesPerPosition = 2L * 2 * 64 * sizeof(float);
        using var model = Load(new ModelOptions { KvPageSize = 8, KvCacheBytes = bytesPerPosition * 8 * 3 });
        Assert.Equal(24, model.ContextLength);
        Assert.True(model.ContextLimitedByKvCache);
        var result = await model.GenerateTextAsync(Greedy("Hello", 100));
        Assert.Equal(FinishReason.Length, result.FinishReason);
        Assert.Equal(24, result.PromptTokens + result.CompletionTokens);
        await Assert.ThrowsAsync<PromptTooLongException>(() => model.GenerateTextAsync(Greedy(string.Concat(Enumerable.Repeat(Prompts[3], 3)), 4)));
        using var roomy = Load(new ModelOptions());
        Assert.False(roomy.ContextLimitedByKvCache);
        Assert.Equal(roomy.Model.Config.ContextLength, roomy.ContextLength);
    }

    [Fact]
    public async Task Interactive_work_preempts_batch_work_which_still_completes_correctly()
    {
        var batch = Greedy(Prompts[3], 120, GenerationPriority.Batch);
        var interactive = Greedy(Prompts[0], 8);
        var expected = await AloneAsync([batch, interactive]);

        using var model = Load(new ModelOptions { MaxRunningSequences = 1 });
        var order = new List<string>();
        var batchTask = Task.Run(async () =>
        {
            var r = await model.GenerateTextAsync(batch);
            lock (order) order.Add("batch");
            return r;
        });
        while (model.RunningGenerations == 0) await Task.Delay(1);
        var interactiveResult = await model.GenerateTextAsync(interactive);
        lock (order) order.Add("interactive");
        var batchResult = await batchTask;
        Assert.Equal(["interactive", "batch"], order);
        Assert.Equal(expected[1], interactiveResult.TokenIds);
        Assert.Equal(expected[0], batchResult.TokenIds);
        Assert.True(model.Scheduler.Preemptions >= 1);
    }

    [Fact]
    public async Task While_an_interactive_prompt_prefills_batch_sequences_sit_the_steps_out()
    {
        // A long prompt in chunks of four tokens: many prefill steps. Before, each also decoded the batch sequence.
        var prompt = string.Concat(Enumerable.Repeat(Prompts[3] + " ", 3));
        var interactive = Greedy(prompt, 2);
        var expected = await AloneAsync([interactive]);
        using var model = Load(new ModelOptions { StepTokenBudget = 4 });
        var promptTokens = model.Model.Tokenizer.Encode(prompt, addSpecial: true).Length;
        Assert.True(promptTokens >= 60, $"the prompt has only {promptTokens} tokens");

        using var cancel = new CancellationTokenSource();
        var batchTokens = new List<long>();
        var batch = Task.Run(async () =>
        {
            await foreach (var chunk in model.GenerateAsync(Greedy("a", 10_000, GenerationPriority.Batch), cancel.Token))
                if (chunk.TokenId != null) lock (batchTokens) batchTokens.Add(Stopwatch.GetTimestamp());
        });
        while (BatchTokens() < 3) await Task.Delay(1);

        var submitted = Stopwatch.GetTimestamp();
        long firstToken = 0;
        var output = new List<int>();
        await foreach (var chunk in model.GenerateAsync(interactive))
        {
            if (chunk.TokenId is not { } id) continue;
            if (firstToken == 0) firstToken = Stopwatch.GetTimestamp();
            output.Add(id);
        }
        await cancel.CancelAsync();
        await batch;

        int BatchTokens()
        {
            lock (batchTokens) return batchTokens.Count;
        }

        Assert.Equal(expected[0], output);
        int during;
        lock (batchTokens) during = batchTokens.Count(t => t > submitted && t < firstToken);
        // The step running when the prompt arrived may still finish a batch token, and the readers' clocks may lag a
        // step. Before batch sequences sat these steps out, this counted 11.
        Assert.True(during <= 3, $"the batch sequence decoded {during} tokens during the interactive prompt's {promptTokens / 4} prefill steps");
    }

    [Fact]
    public async Task Batch_steps_given_up_for_interactive_arrivals_change_no_output()
    {
        var batch = Prompts.Take(4).Select(p => Greedy(p, 160, GenerationPriority.Batch)).ToList();
        var interactive = Enumerable.Range(0, 20).Select(i => Greedy($"{i}: {Prompts[4]}", 2)).ToList();
        var expected = await AloneAsync([.. batch, .. interactive]);

        using var model = Load(new ModelOptions());
        var batchTasks = batch.Select(r => model.GenerateTextAsync(r)).ToList();
        while (model.RunningGenerations < batch.Count) await Task.Delay(1);
        var interactiveResults = new List<GenerationResult>();
        // One at a time, so each arrives while only batch work runs: the step then under way is given up for it.
        foreach (var request in interactive) interactiveResults.Add(await model.GenerateTextAsync(request));
        var batchResults = await Task.WhenAll(batchTasks);

        for (var i = 0; i < batch.Count; i++) Assert.Equal(expected[i], batchResults[i].TokenIds);
        for (var i = 0; i < interactive.Count; i++) Assert.Equal(expected[batch.Count + i], interactiveResults[i].TokenIds);
        Assert.True(model.Scheduler.AbandonedSteps > 0, "no batch step was given up");
    }

    [Fact]
    public async Task A_full_queue_refuses_with_the_owner_over_its_share_told_apart()
    {
        using var model = Load(new ModelOptions { MaxRunningSequences = 1, MaxQueueLength = 2 });
        using var cancel = new CancellationTokenSource();
        var running = model.GenerateTextAsync(Greedy("a", 200) with { Owner = "x" }, cancel.Token);
        while (model.RunningGenerations == 0) await Task.Delay(1);
        var queued = new[] { model.GenerateTextAsync(Greedy("b", 2) with { Owner = "x" }, cancel.Token), model.GenerateTextAsync(Greedy("c", 2) with { Owner = "y" }, cancel.Token) };
        var overShare = await Assert.ThrowsAsync<AdmissionRejectedException>(() => model.GenerateTextAsync(Greedy("d", 2) with { Owner = "x" }));
        Assert.Equal(AdmissionRejection.FairShareExceeded, overShare.Reason);
        Assert.Equal("the queue is full and your requests already hold 1 of its 2 places, your fair share; retry when some of them have started", overShare.Message);
        var busy = await Assert.ThrowsAsync<AdmissionRejectedException>(() => model.GenerateTextAsync(Greedy("e", 2) with { Owner = "z" }));
        Assert.Equal(AdmissionRejection.NoCapacity, busy.Reason);
        cancel.Cancel();
        await Task.WhenAll(queued.Append(running));
    }

    static async Task WaitIdleAsync(LoadedModel model)
    {
        for (var i = 0; i < 500 && (model.RunningGenerations > 0 || model.Scheduler.QueueLength > 0); i++) await Task.Delay(10);
        await Task.Delay(50);
    }
}

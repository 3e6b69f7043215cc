using Provocapi.Core.Adapters;
using Provocapi.Core.Generation;
using Provocapi.Engine.Models.Adapters;
using Provocapi.Engine.Sampling;
using Provocapi.Tests;

namespace Provocapi.Core.Tests.Adapters;

/// <summary>
/// Several LoRA adapters served at once by one scheduler: every sequence of a batch mixing the base model and two
/// adapters gets exactly what it gets alone, and the prefix cache never hands one adapter's keys and values to another.
/// </summary>
public sealed class AdapterServingTests
{
    static readonly string[] Prompts =
    [
        "Once upon a time",
        "The quick brown fox jumps over the lazy dog and then runs far away",
        "Numbers: 1, 2, 3, 4, 5, 6",
    ];

    static LoadedModel Load(ModelOptions? options = null) =>
        LoadedModel.LoadAsync(ModelFixture.ModelPath, (options ?? new ModelOptions()) with { Threads = 2 }).GetAwaiter().GetResult();

    static AdapterRegistry Registry(LoadedModel model, params string[] ids)
    {
        var registry = new AdapterRegistry(64L << 20);
        for (var i = 0; i < ids.Length; i++)
            registry.Register(new AdapterRegistration(ids[i], null, "base", ids[i], TestLoraAdapter.Random(model.Model.Config, 8, 16f, seed: 100 + i).WritePeft()));
        return registry;
    }

    static GenerationRequest Greedy(string prompt, LoadedAdapter? adapter, int maxTokens = 16) =>
        new() { Prompt = prompt, Sampling = SamplingOptions.Greedy, MaxTokens = maxTokens, IgnoreEndOfGeneration = true, Adapter = adapter };

    [Fact]
    public async Task A_batch_mixing_base_and_two_adapters_gives_each_sequence_its_output_alone()
    {
        using var model = Load(new ModelOptions { StepTokenBudget = 9 });
        var registry = Registry(model, "one", "two");
        var one = registry.Acquire("one", model.Model.Config);
        var two = registry.Acquire("two", model.Model.Config);
        var requests = Prompts.SelectMany(p => new[] { Greedy(p, null), Greedy(p, one), Greedy(p, two) }).ToList();

        var alone = new List<IReadOnlyList<int>>();
        using (var single = Load(new ModelOptions { MaxRunningSequences = 1 }))
            foreach (var request in requests) alone.Add((await single.GenerateTextAsync(request)).TokenIds);
        var together = await Task.WhenAll(requests.Select(r => model.GenerateTextAsync(r)));

        for (var i = 0; i < requests.Count; i++) Assert.Equal(alone[i], together[i].TokenIds);
        // The adapters really change the output, differently from each other.
        for (var p = 0; p < Prompts.Length; p++)
        {
            Assert.NotEqual(alone[3 * p], alone[3 * p + 1]);
            Assert.NotEqual(alone[3 * p + 1], alone[3 * p + 2]);
        }
        // Finished sequences let go of their adapters (the scheduler disposes them just after their last chunk).
        for (var i = 0; i < 200 && one.Holders + two.Holders != 2; i++) await Task.Delay(10);
        Assert.Equal(2, one.Holders + two.Holders);
    }

    [Fact]
    public async Task A_prompt_cached_under_the_base_model_is_not_reused_under_an_adapter()
    {
        var prompt = string.Concat(Enumerable.Repeat("The same long system prompt for everyone. ", 8));
        IReadOnlyList<int> adapterAlone;
        using (var fresh = Load())
            adapterAlone = (await fresh.GenerateTextAsync(Greedy(prompt, Registry(fresh, "a").Acquire("a", fresh.Model.Config)))).TokenIds;

        using var model = Load();
        var registry = Registry(model, "a");
        var adapter = registry.Acquire("a", model.Model.Config);
        var baseOutput = (await model.GenerateTextAsync(Greedy(prompt, null))).TokenIds;
        var before = model.ForwardTokens;
        var result = await model.GenerateTextAsync(Greedy(prompt, adapter));
        Assert.Equal(adapterAlone, result.TokenIds);
        Assert.NotEqual(baseOutput, result.TokenIds);
        // The whole prompt was computed under the adapter: nothing came from the base model's pages.
        Assert.Equal(result.PromptTokens + result.CompletionTokens - 1, model.ForwardTokens - before);

        // The adapter's own pages are reused by its next request.
        before = model.ForwardTokens;
        var again = await model.GenerateTextAsync(Greedy(prompt, adapter));
        Assert.Equal(adapterAlone, again.TokenIds);
        Assert.True(model.ForwardTokens - before < again.PromptTokens, "the adapter's cached prefix was not reused");
    }

    [Fact]
    public async Task A_generation_running_when_its_adapter_is_deleted_finishes_with_the_adapter()
    {
        using var model = Load();
        var registry = Registry(model, "doomed");
        var request = Greedy(Prompts[1], registry.Acquire("doomed", model.Model.Config), maxTokens: 24);
        var expected = (await model.GenerateTextAsync(request)).TokenIds;

        var tokens = new List<int>();
        var deleted = false;
        await foreach (var chunk in model.GenerateAsync(request))
        {
            if (chunk.TokenId is { } id) tokens.Add(id);
            if (deleted) continue;
            // Deleted after the first token: the request lets go of its hold, the running sequence keeps its own.
            Assert.True(registry.Unregister("doomed"));
            request.Adapter!.Release();
            deleted = true;
        }
        Assert.Equal(expected, tokens);
        Assert.Throws<AdapterNotFoundException>(() => registry.Acquire("doomed", model.Model.Config));
        for (var i = 0; i < 200 && request.Adapter!.Holders != 0; i++) await Task.Delay(10);
        Assert.Equal(0, request.Adapter!.Holders);
    }
}

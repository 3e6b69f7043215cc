using Provocapi.Core.Generation;
using Provocapi.Engine.Formats;
using Provocapi.Engine.Sampling;

namespace Provocapi.Core.Tests;

public sealed class LoadedModelTests(ModelFixture fixture) : IClassFixture<ModelFixture>
{
    LoadedModel Model => fixture.Model;

    static GenerationRequest Greedy(string prompt, int maxTokens = 12) =>
        new() { Prompt = prompt, Sampling = SamplingOptions.Greedy, MaxTokens = maxTokens };

    [Fact]
    public async Task Streamed_pieces_add_up_to_the_result()
    {
        var pieces = new List<string>();
        GenerationResult? result = null;
        await foreach (var chunk in Model.GenerateAsync(Greedy("Once upon a time", 16)))
        {
            pieces.Add(chunk.Text);
            result ??= chunk.Result;
        }
        Assert.NotNull(result);
        Assert.Equal(string.Concat(pieces), result.Text);
        Assert.Equal(16, result.CompletionTokens);
        Assert.Equal(FinishReason.Length, result.FinishReason);
        Assert.Equal(Model.Model.Tokenizer.Encode("Once upon a time").Length, result.PromptTokens);
        Assert.Equal(Model.Model.Tokenizer.Decode(result.TokenIds.ToArray()), result.Text);
    }

    [Fact]
    public async Task Greedy_generation_matches_the_engine_reference_ids()
    {
        // The peers' PyTorch reference continues these prompt ids with these greedy ids (references.json).
        int[] prompt = [7454, 2402, 257, 640, 11, 287, 257, 1956, 1290, 1497];
        var result = await Model.GenerateTextAsync(new GenerationRequest { PromptTokens = prompt, Sampling = SamplingOptions.Greedy, MaxTokens = 4, IgnoreEndOfGeneration = true });
        Assert.Equal([28623, 38545, 38545, 38545], result.TokenIds);
    }

    [Fact]
    public async Task Same_seed_gives_the_same_text()
    {
        var request = new GenerationRequest { Prompt = "The weather", Sampling = new SamplingOptions { Temperature = 1.2f, Seed = 42 }, MaxTokens = 20 };
        var a = await Model.GenerateTextAsync(request);
        var b = await Model.GenerateTextAsync(request);
        var c = await Model.GenerateTextAsync(request with { Sampling = request.Sampling with { Seed = 43 } });
        Assert.Equal(a.TokenIds, b.TokenIds);
        Assert.NotEqual(a.TokenIds, c.TokenIds);
    }

    [Fact]
    public async Task Stop_string_ends_generation_before_it()
    {
        var full = await Model.GenerateTextAsync(Greedy("Hello there", 20));
        var stop = full.Text.Substring(full.Text.Length / 2, 3);
        var cut = await Model.GenerateTextAsync(Greedy("Hello there", 20) with { StopStrings = [stop] });
        Assert.Equal(FinishReason.Stop, cut.FinishReason);
        Assert.Equal(full.Text[..full.Text.IndexOf(stop, StringComparison.Ordinal)], cut.Text);
    }

    [Fact]
    public async Task Cancellation_stops_between_tokens()
    {
        using var cancel = new CancellationTokenSource();
        var before = Model.ForwardTokens;
        GenerationResult? result = null;
        var seen = 0;
        await foreach (var chunk in Model.GenerateAsync(Greedy("A long story", 200), cancel.Token))
        {
            if (++seen == 3) cancel.Cancel();
            result ??= chunk.Result;
        }
        Assert.NotNull(result);
        Assert.Equal(FinishReason.Cancelled, result.FinishReason);
        // The engine runs at most MaxUnreadChunks (8) ahead of its reader, and stops at the step after the cancellation.
        Assert.InRange(result.CompletionTokens, 3, 3 + 8 + 2);
        Assert.True(Model.ForwardTokens - before < 20, "the engine kept running after cancellation");
    }

    [Fact]
    public async Task Prompt_longer_than_the_context_is_a_clear_error()
    {
        var ids = Enumerable.Repeat(464, Model.ContextLength + 5).ToArray();
        var e = await Assert.ThrowsAsync<PromptTooLongException>(() => Model.GenerateTextAsync(new GenerationRequest { PromptTokens = ids }));
        Assert.Contains("context", e.Message);
    }

    [Fact]
    public async Task Out_of_vocabulary_prompt_id_is_a_clear_error()
    {
        var e = await Assert.ThrowsAsync<ArgumentException>(() => Model.GenerateTextAsync(new GenerationRequest { PromptTokens = [1, 999_999] }));
        Assert.Contains("999999", e.Message);
    }

    [Fact]
    public async Task Generation_stops_at_the_context_length()
    {
        var ids = Enumerable.Repeat(464, Model.ContextLength - 3).ToArray();
        var result = await Model.GenerateTextAsync(new GenerationRequest { PromptTokens = ids, MaxTokens = 50, IgnoreEndOfGeneration = true });
        Assert.Equal(FinishReason.Length, result.FinishReason);
        Assert.Equal(3, result.CompletionTokens);
    }

    [Fact]
    public async Task Loading_reports_progress_and_honours_cancellation()
    {
        var reports = new List<double>();
        using (var model = await LoadedModel.LoadAsync(ModelFixture.ModelPath, progress: new SynchronousProgress(reports.Add))) { }
        Assert.Equal(1.0, reports[^1]);
        Assert.True(reports.Count >= 2);
        await Assert.ThrowsAnyAsync<OperationCanceledException>(() => LoadedModel.LoadAsync(ModelFixture.ModelPath, cancellationToken: new CancellationToken(true)));
        await Assert.ThrowsAsync<ModelFormatException>(() => LoadedModel.LoadAsync("/no/such/model.gguf"));
    }

    sealed class SynchronousProgress(Action<double> report) : IProgress<double>
    {
        public void Report(double value) => report(value);
    }
}

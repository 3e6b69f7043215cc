using System.Diagnostics;
using System.Text.Json;
using Provocapi.Core;
using Provocapi.Core.Adapters;
using Provocapi.Core.Generation;
using Provocapi.Engine.KvCache;
using Provocapi.Engine.Models;
using Provocapi.Engine.Models.Adapters;
using Provocapi.Engine.Sampling;
using Provocapi.Engine.Tensors;

namespace Provocapi.Host.Cli;

/// <summary>
/// <c>provocapi bench-serve</c>: the serving core under load, in process. Aggregate generation tokens/s with N
/// concurrent streams (continuous batching), and time to first token for a long prompt whose prefix an earlier
/// request already computed, against the same prompt on a cold cache. With <c>--lora-adapters N</c>, each stream
/// count also runs with every stream on its own random LoRA adapter (round-robin over N, rank <c>--lora-rank</c>),
/// alternating with base-model runs, and reports the ratio of their decoding tokens/s.
/// </summary>
public static class ServeBenchCommand
{
    static readonly TimeSpan WarmUpTime = TimeSpan.FromSeconds(2);

    public static async Task<int> RunAsync(CommandLineOptions options)
    {
        var path = options.String("--model", "-m");
        var synthetic = options.String("--synthetic");
        var tokenizer = options.String("--tokenizer");
        var typeName = options.String("--type") ?? "Q8_0";
        var threads = options.Int(Environment.ProcessorCount, "-t", "--threads");
        var streamCounts = (options.String("--streams") ?? "1,4,16").Split(',').Select(ParseCount).ToArray();
        var promptTokens = options.Int(16, "-p", "--prompt-tokens");
        var genTokens = options.Int(64, "-n", "--gen-tokens");
        var prefixPrompt = options.Int(1000, "--prefix-prompt");
        var prefixShared = options.Int(900, "--prefix-shared");
        var loraAdapters = options.Int(0, "--lora-adapters");
        var loraRank = options.Int(16, "--lora-rank");
        var loraRepeats = options.Int(3, "--lora-repeats");
        var kvCacheType = options.KvCacheType();
        options.RejectUnknown();
        if (loraAdapters < 0 || loraRank < 1 || loraRepeats < 1) throw new CommandLineException("--lora-adapters must be at least 0, --lora-rank and --lora-repeats at least 1");
        if ((path == null) == (synthetic == null)) throw new CommandLineException("give exactly one of --model and --synthetic");
        if (synthetic != null && tokenizer == null) throw new CommandLineException("--synthetic needs --tokenizer (a GGUF file whose tokenizer the model uses)");
        if (promptTokens < 1 || genTokens < 1 || threads < 1) throw new CommandLineException("-p, -n and -t must be at least 1");
        if (prefixShared < 0 || prefixShared >= prefixPrompt) throw new CommandLineException("--prefix-shared must be below --prefix-prompt");

        var type = TensorTypeInfo.ParseSupported(typeName) ?? throw new CommandLineException($"--type {typeName} is not supported");
        var network = synthetic != null ? LanguageModel.LoadSynthetic(synthetic, type, tokenizer!) : LanguageModel.Load(path!, new ProgressBar("loading"));
        var label = synthetic != null ? $"synthetic {synthetic} {typeName}" : path!;
        var maxStreams = streamCounts.Max();
        var kvBytes = network.Network.KvShape(kvCacheType).BytesPerPosition * (Math.Max(maxStreams * (promptTokens + genTokens + 32), 3 * prefixPrompt + 64));
        using var model = LoadedModel.FromLanguageModel(network, new ModelOptions { Threads = threads, KvCacheBytes = kvBytes, KvCacheType = kvCacheType, MaxRunningSequences = maxStreams });
        Console.Error.WriteLine($"{label}: {threads} threads, KV cache {kvBytes >> 20} MiB of {kvCacheType}");
        var random = new Random(42);
        int[] RandomTokens(int count) => Enumerable.Range(0, count).Select(_ => 100 + random.Next(network.Config.VocabSize - 100)).ToArray();
        GenerationRequest Request(int[] prompt, int maxTokens, LoadedAdapter? adapter = null) => new()
        {
            PromptTokens = prompt, MaxTokens = maxTokens, Sampling = SamplingOptions.Greedy, IgnoreEndOfGeneration = true, Adapter = adapter,
        };
        var registry = new AdapterRegistry(long.MaxValue);
        var adapters = Enumerable.Range(0, loraAdapters)
            .Select(i => registry.Add($"bench-{i}", SyntheticLoraAdapter.Create(network.Config, loraRank, seed: 1000 + i))).ToArray();

        // Warm-up at every width the runs use, so every code path they take is compiled and tiered before timing
        // (one stream decodes through the one-token specializations of the kernels, which a full-width warm-up never
        // reaches: timed cold, the single stream looked slower and the ratios better than they are). Rounds go on for
        // WarmUpTime: the runtime promotes methods to optimized code only once no new ones have been compiled for a
        // while, and a small model's rounds end before that (the demo model's single stream measured 310-1,700 tokens/s
        // after one round, 2,800-3,700 with tiering off).
        var warmStart = Stopwatch.GetTimestamp();
        do
        {
            foreach (var width in streamCounts.Distinct())
                await Task.WhenAll(Enumerable.Range(0, width).Select(i => model.GenerateTextAsync(Request(RandomTokens(promptTokens), 32, adapters.ElementAtOrDefault(i % Math.Max(1, adapters.Length))))));
        }
        while (Stopwatch.GetElapsedTime(warmStart) < WarmUpTime);
        var results = new Dictionary<string, object> { ["model"] = label, ["threads"] = threads, ["kv_cache_type"] = kvCacheType.ToString() };
        async Task<(double Decode, double Overall, double Seconds)> RunAsync(int streams, bool withAdapters)
        {
            var start = Stopwatch.GetTimestamp();
            var runs = await Task.WhenAll(Enumerable.Range(0, streams).Select(i =>
                TimedAsync(model, Request(RandomTokens(promptTokens), genTokens, withAdapters ? adapters[i % adapters.Length] : null))));
            var seconds = Stopwatch.GetElapsedTime(start).TotalSeconds;
            // Decoding alone: from the moment every stream has its first token to the last one's end.
            var decodeSeconds = (runs.Max(r => r.EndedAt) - runs.Max(r => r.FirstTokenAt)) / (double)Stopwatch.Frequency;
            return (runs.Sum(r => r.Tokens - 1) / decodeSeconds, runs.Sum(r => r.Tokens) / seconds, seconds);
        }
        foreach (var streams in streamCounts)
        {
            var (decode, overall, seconds) = await RunAsync(streams, withAdapters: false);
            Console.WriteLine($"streams {streams,3}: {decode:F1} tokens/s decoding, {overall:F1} overall ({streams} × {genTokens} tokens after {promptTokens}-token prompts in {seconds:F2} s)");
            results[$"streams_{streams}_decode_tokens_per_s"] = Math.Round(decode, 1);
            results[$"streams_{streams}_overall_tokens_per_s"] = Math.Round(overall, 1);
            if (adapters.Length == 0) continue;
            // Base and adapter runs alternate, so a change in the machine's load falls on both; medians of each.
            var basePairs = new List<double>();
            var loraPairs = new List<double>();
            for (var r = 0; r < loraRepeats; r++)
            {
                basePairs.Add((await RunAsync(streams, withAdapters: false)).Decode);
                loraPairs.Add((await RunAsync(streams, withAdapters: true)).Decode);
            }
            double Median(List<double> values) => values.Order().ElementAt(values.Count / 2);
            var (baseDecode, loraDecode) = (Median(basePairs), Median(loraPairs));
            Console.WriteLine($"streams {streams,3} on {Math.Min(streams, adapters.Length)} rank-{loraRank} adapters: {loraDecode:F1} tokens/s decoding against {baseDecode:F1} on the base model " +
                $"({loraDecode / baseDecode:F3} of base, {(1 - loraDecode / baseDecode) * 100:F1}% slower; medians of {loraRepeats} alternating runs)");
            results[$"streams_{streams}_lora_decode_tokens_per_s"] = Math.Round(loraDecode, 1);
            results[$"streams_{streams}_lora_base_decode_tokens_per_s"] = Math.Round(baseDecode, 1);
            results[$"streams_{streams}_lora_ratio"] = Math.Round(loraDecode / baseDecode, 3);
        }

        var shared = RandomTokens(prefixShared);
        async Task<double> FirstTokenSeconds(int[] prompt)
        {
            var watch = Stopwatch.StartNew();
            await foreach (var _ in model.GenerateAsync(Request(prompt, 1))) break;
            return watch.Elapsed.TotalSeconds;
        }
        var cold = await FirstTokenSeconds([.. RandomTokens(prefixPrompt)]);
        await model.GenerateTextAsync(Request([.. shared, .. RandomTokens(prefixPrompt - prefixShared)], 1));
        var warm = await FirstTokenSeconds([.. shared, .. RandomTokens(prefixPrompt - prefixShared)]);
        Console.WriteLine($"time to first token, {prefixPrompt}-token prompt: {cold * 1000:F0} ms cold, {warm * 1000:F0} ms with a cached {prefixShared}-token prefix ({cold / warm:F1}x shorter)");
        results["ttft_cold_ms"] = Math.Round(cold * 1000);
        results["ttft_prefix_ms"] = Math.Round(warm * 1000);
        if (options.Flag("--json")) Console.WriteLine(JsonSerializer.Serialize(results));
        return 0;
    }

    static async Task<(int Tokens, long FirstTokenAt, long EndedAt)> TimedAsync(LoadedModel model, GenerationRequest request)
    {
        long first = 0;
        var tokens = 0;
        await foreach (var chunk in model.GenerateAsync(request))
        {
            if (chunk.TokenId == null) continue;
            if (tokens++ == 0) first = Stopwatch.GetTimestamp();
        }
        return (tokens, first, Stopwatch.GetTimestamp());
    }

    static int ParseCount(string text) =>
        int.TryParse(text, out var n) && n >= 1 ? n : throw new CommandLineException($"--streams wants positive counts such as 1,4,16, not '{text}'");
}

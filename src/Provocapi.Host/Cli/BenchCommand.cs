using System.Diagnostics;
using System.Text.Json;
using Provocapi.Engine.Backends.Cpu;
using Provocapi.Engine.KvCache;
using Provocapi.Engine.Models;
using Provocapi.Engine.Tensors;

namespace Provocapi.Host.Cli;

/// <summary>
/// <c>provocapi bench</c>: prompt processing (pp, one batch of -p tokens) and text generation (tg, -n tokens one at a
/// time from an empty context) in tokens/s, mean and standard deviation over -r repeats after a warm-up, as
/// llama.cpp's llama-bench reports pp512 and tg128.
/// </summary>
public static class BenchCommand
{
    public static int Run(CommandLineOptions options)
    {
        var path = options.String("--model", "-m");
        var synthetic = options.String("--synthetic");
        var typeName = options.String("--type") ?? "Q8_0";
        var promptTokens = options.Int(512, "-p", "--prompt-tokens");
        var genTokens = options.Int(128, "-n", "--gen-tokens");
        var threads = options.Int(Environment.ProcessorCount, "-t", "--threads");
        var repeats = options.Int(5, "-r", "--repeats");
        var kvCacheType = options.KvCacheType();
        options.RejectUnknown();
        if ((path == null) == (synthetic == null)) throw new CommandLineException("give exactly one of --model and --synthetic");
        if (promptTokens < 0 || genTokens < 0 || promptTokens + genTokens == 0) throw new CommandLineException("-p and -n must be non-negative and not both 0");
        if (threads < 1 || repeats < 1) throw new CommandLineException("-t and -r must be at least 1");

        using var network = synthetic != null
            ? SyntheticModel.Create(SyntheticModel.Shape(synthetic), ParseType(typeName))
            : LanguageModel.Load(path!, new ProgressBar("loading")).Network;
        var c = network.Config;
        if (Math.Max(promptTokens, genTokens) > c.ContextLength) throw new CommandLineException($"-p and -n must fit the context length {c.ContextLength}");
        var label = synthetic != null ? $"synthetic {synthetic} {typeName}" : path!;
        Console.Error.WriteLine($"{label}: d {c.EmbeddingDim}, {c.LayerCount} layers, {c.HeadCount}/{c.KvHeadCount} heads, ffn {c.FeedForwardDim}, vocab {c.VocabSize}; {threads} threads");

        using var workers = new CpuWorkers(threads);
        using var pool = new KvPagePool(network.KvShape(kvCacheType), 16, (Math.Max(promptTokens, genTokens) + 15) / 16 + 1);
        var scratch = new ForwardScratch();
        var random = new Random(42);
        var tokens = Enumerable.Range(0, Math.Max(promptTokens, genTokens)).Select(_ => random.Next(c.VocabSize)).ToArray();

        double Prompt()
        {
            using var sequence = new KvPageTable(pool);
            var batch = new ForwardBatch();
            batch.AddRange(tokens.AsSpan(0, promptTokens), 0, sequence, logitsForLast: true);
            var watch = Stopwatch.StartNew();
            network.Forward(batch, scratch, workers);
            return promptTokens / watch.Elapsed.TotalSeconds;
        }
        double Generate()
        {
            using var sequence = new KvPageTable(pool);
            var batch = new ForwardBatch();
            var watch = Stopwatch.StartNew();
            for (var i = 0; i < genTokens; i++)
            {
                batch.Clear();
                batch.Add(tokens[i], i, sequence, wantLogits: true);
                network.Forward(batch, scratch, workers);
            }
            return genTokens / watch.Elapsed.TotalSeconds;
        }

        var pp = promptTokens > 0 ? Measure(Prompt, repeats) : (0, 0);
        var tg = genTokens > 0 ? Measure(Generate, repeats) : (0, 0);
        if (promptTokens > 0) Console.WriteLine($"pp{promptTokens}: {pp.Mean:F2} ± {pp.Sd:F2} tokens/s");
        if (genTokens > 0) Console.WriteLine($"tg{genTokens}: {tg.Mean:F2} ± {tg.Sd:F2} tokens/s");
        if (options.Flag("--json"))
            Console.WriteLine(JsonSerializer.Serialize(new Dictionary<string, object>
            {
                ["model"] = label,
                ["threads"] = threads,
                ["pp_tokens"] = promptTokens,
                ["tg_tokens"] = genTokens,
                ["pp_tokens_per_s"] = Math.Round(pp.Mean, 2),
                ["tg_tokens_per_s"] = Math.Round(tg.Mean, 2),
                ["pp_sd"] = Math.Round(pp.Sd, 2),
                ["tg_sd"] = Math.Round(tg.Sd, 2),
            }));
        return 0;
    }

    static (double Mean, double Sd) Measure(Func<double> run, int repeats)
    {
        run();
        var samples = Enumerable.Range(0, repeats).Select(_ => run()).ToArray();
        var mean = samples.Average();
        var sd = samples.Length > 1 ? Math.Sqrt(samples.Sum(s => (s - mean) * (s - mean)) / (samples.Length - 1)) : 0;
        return (mean, sd);
    }

    static TensorType ParseType(string name) =>
        TensorTypeInfo.ParseSupported(name)
            ?? throw new CommandLineException($"--type {name} is not supported (F32, F16, BF16, Q8_0, Q4_0, Q4_1, Q5_0, Q5_1, Q4_K, Q5_K, Q6_K)");
}

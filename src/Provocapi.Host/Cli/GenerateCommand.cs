using System.Globalization;
using Provocapi.Core;
using Provocapi.Core.Generation;
using Provocapi.Engine.Sampling;

namespace Provocapi.Host.Cli;

/// <summary><c>provocapi generate</c>: streams a continuation of a prompt (text, or ids fed as they are).</summary>
public static class GenerateCommand
{
    public static async Task<int> RunAsync(CommandLineOptions options)
    {
        var path = options.Required("--model", "a GGUF file or a Hugging Face folder");
        var prompt = options.String("--prompt");
        var promptIds = options.String("--prompt-ids");
        if ((prompt == null) == (promptIds == null)) throw new CommandLineException("give exactly one of --prompt and --prompt-ids");
        var sampling = new SamplingOptions
        {
            Temperature = options.Float(1f, "--temperature"),
            TopP = options.Float(1f, "--top-p"),
            TopK = options.Int(0, "--top-k"),
            MinP = options.Float(0f, "--min-p"),
            Seed = options.Long("--seed"),
        };
        if (sampling.Validate() is { } invalid) throw new CommandLineException($"--{invalid.Param.Replace('_', '-')}: {invalid.Message}");
        var maxTokens = options.Int(128, "--max-tokens", "-n");
        if (maxTokens < 1) throw new CommandLineException("--max-tokens must be at least 1");
        var threads = options.Int(0, "--threads", "-t");
        options.RejectUnknown();

        using var cancel = new CancellationTokenSource();
        Console.CancelKeyPress += (_, e) => { e.Cancel = true; cancel.Cancel(); };
        using var model = await LoadedModel.LoadAsync(path, new ModelOptions { Threads = threads }, new ProgressBar("loading"), cancel.Token);
        var request = new GenerationRequest
        {
            Prompt = prompt,
            PromptTokens = promptIds == null ? null : ParseIds(promptIds),
            Sampling = sampling,
            MaxTokens = maxTokens,
        };
        var printIds = options.Flag("--ids");
        await using var stdout = Console.OpenStandardOutput();
        await using var writer = new StreamWriter(stdout) { AutoFlush = true };
        await foreach (var chunk in model.GenerateAsync(request, cancel.Token))
        {
            if (!printIds && chunk.Text.Length > 0) await writer.WriteAsync(chunk.Text);
            if (chunk.Result is { } result)
                await writer.WriteLineAsync(printIds ? string.Join(' ', result.TokenIds) : "");
        }
        return 0;
    }

    static int[] ParseIds(string text)
    {
        var parts = text.Split([' ', ',', '\t'], StringSplitOptions.RemoveEmptyEntries);
        if (parts.Length == 0) throw new CommandLineException("--prompt-ids is empty");
        return parts.Select(p => int.TryParse(p, NumberStyles.None, CultureInfo.InvariantCulture, out var id)
            ? id : throw new CommandLineException($"--prompt-ids: '{p}' is not a token id")).ToArray();
    }
}

using Provocapi.Engine.Formats;

namespace Provocapi.Host.Cli;

/// <summary>The <c>provocapi</c> executable's verbs. Every failure is one line on stderr and a non-zero exit code.</summary>
public static class CommandLineApp
{
    const string Usage = """
        usage: provocapi [<verb>] [options]
          serve    [--urls URL] [--data DIR] [--model ID=PATH ...] [--config FILE] [--role all|gateway|worker] [--Section:Key=value ...]   (the default verb)
          keys     create --tenant NAME [--tier shared|reserved|dedicated] [--data DIR]
          keys     list [--tenant NAME] [--data DIR]
          keys     revoke KEY_PREFIX [--data DIR]
          usage    --tenant NAME --from YYYY-MM-DD --to YYYY-MM-DD [--model M] [--chart FILE.svg] [--data DIR]
                   [--clickhouse URL [--clickhouse-database DB]]
          tokenize --model PATH [--jsonl] [--no-special] [TEXT]
          generate --model PATH (--prompt TEXT | --prompt-ids "1 2 3") [--max-tokens N] [--temperature T] [--top-p P]
                   [--top-k K] [--min-p P] [--seed S] [--threads N] [--ids]
          bench    (--model PATH | --synthetic tiny|small|1b [--type Q8_0]) [-p 512] [-n 128] [-t THREADS] [-r REPEATS]
                   [--kv-cache-type f32|f16] [--json]
          bench-serve (--model PATH | --synthetic SHAPE --tokenizer GGUF [--type Q8_0]) [--streams 1,4,16] [-p 16] [-n 64]
                   [--prefix-prompt 1000] [--prefix-shared 900] [--lora-adapters N [--lora-rank 16] [--lora-repeats 3]]
                   [-t THREADS] [--kv-cache-type f32|f16] [--json]
          bench-batch [--model PATH] [-n 1000] [--max-tokens 16] [-t THREADS] [--probes 10]
          bench-gateway [--model PATH] [-n 2000] [-c 16] [-d 10] [--postgres CONNECTION] [--rate-limited]
        """;

    public static async Task<int> RunAsync(string[] args)
    {
        if (args.Length > 0 && args[0] is "-h" or "--help" or "help")
        {
            Console.WriteLine(Usage);
            return 0;
        }
        try
        {
            if (args.Length == 0 || args[0].StartsWith('-')) return await ServeCommand.RunAsync(args);
            if (args[0] == "serve") return await ServeCommand.RunAsync(args[1..]);
            var options = CommandLineOptions.Parse(args[1..]);
            return args[0] switch
            {
                "tokenize" => await TokenizeCommand.RunAsync(options),
                "generate" => await GenerateCommand.RunAsync(options),
                "bench" => BenchCommand.Run(options),
                "bench-serve" => await ServeBenchCommand.RunAsync(options),
                "bench-batch" => await BatchBenchCommand.RunAsync(options),
                "bench-gateway" => await GatewayBenchCommand.RunAsync(options),
                "keys" => KeysCommand.Run(options),
                "usage" => await UsageCommand.RunAsync(options),
                _ => throw new CommandLineException($"unknown verb '{args[0]}' (serve, keys, usage, tokenize, generate, bench, bench-serve, bench-batch, bench-gateway)"),
            };
        }
        catch (Exception e) when (e is CommandLineException or ModelFormatException or ArgumentException or IOException or NotSupportedException or UnauthorizedAccessException)
        {
            Console.Error.WriteLine($"error: {e.Message}");
            return 1;
        }
        catch (OperationCanceledException)
        {
            Console.Error.WriteLine("cancelled");
            return 130;
        }
    }
}

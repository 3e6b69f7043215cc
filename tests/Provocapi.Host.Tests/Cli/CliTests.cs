using System.Text.Json;
using Provocapi.Tests;

namespace Provocapi.Host.Tests.Cli;

public sealed class CliTests
{
    static string Vocab(string name) => TestData.Path("tokenizers", name);
    static string ModelFile(string path) => TestData.Path("models", path);

    /// <summary>The first test string of a tokenizer fixture and its expected ids (without BOS).</summary>
    static (string Text, string Ids) FirstCase(string name)
    {
        var text = File.ReadAllText(Vocab(name) + ".inp").Split("\n__ggml_vocab_test__\n")[0];
        var ids = File.ReadAllLines(Vocab(name) + ".out")[0].Trim();
        return (text, ids);
    }

    [Fact]
    public async Task Tokenize_prints_ids_and_adds_bos_unless_told_not_to()
    {
        var withBos = await ProvocapiProcess.RunAsync(["tokenize", "--model", Vocab("ggml-vocab-llama-spm.gguf"), "Hello world"]);
        Assert.Equal(0, withBos.ExitCode);
        Assert.Equal("1 15043 3186", withBos.Stdout.Trim());
        var without = await ProvocapiProcess.RunAsync(["tokenize", "--model", Vocab("ggml-vocab-llama-spm.gguf"), "--no-special", "Hello world"]);
        Assert.Equal("15043 3186", without.Stdout.Trim());
    }

    [Fact]
    public async Task Tokenize_jsonl_reads_json_strings_per_line()
    {
        var (text, ids) = FirstCase("ggml-vocab-gpt-2.gguf");
        var input = JsonSerializer.Serialize(text) + "\n" + JsonSerializer.Serialize("Hello world") + "\n";
        var run = await ProvocapiProcess.RunAsync(["tokenize", "--model", Vocab("ggml-vocab-gpt-2.gguf"), "--jsonl", "--no-special"], input);
        Assert.Equal(0, run.ExitCode);
        var lines = run.Stdout.Split('\n', StringSplitOptions.RemoveEmptyEntries);
        Assert.Equal(2, lines.Length);
        Assert.Equal(ids.Split(' ', StringSplitOptions.RemoveEmptyEntries).Select(int.Parse), JsonSerializer.Deserialize<int[]>(lines[0])!);
        Assert.Equal([15496, 995], JsonSerializer.Deserialize<int[]>(lines[1])!);
    }

    [Fact]
    public async Task Generate_with_prompt_ids_prints_the_reference_greedy_ids()
    {
        var run = await ProvocapiProcess.RunAsync(["generate", "--model", ModelFile("llama-spm-d64/llama-spm-d64-f32.gguf"),
            "--prompt-ids", "1 9038 2501 263 931 29892 297 263 2982 2215 3448", "--max-tokens", "6", "--temperature", "0", "--ids"]);
        Assert.Equal(0, run.ExitCode);
        Assert.Equal("23788 22844 8525 17948 7373 7698", run.Stdout.Trim());
    }

    [Fact]
    public async Task Generate_streams_text()
    {
        var run = await ProvocapiProcess.RunAsync(["generate", "--model", ModelFile("qwen2-bpe-d96/hf-f32"), "--prompt", "Once upon a time",
            "--max-tokens", "5", "--temperature", "0.8", "--seed", "3", "-t", "1"]);
        Assert.Equal(0, run.ExitCode);
        Assert.False(string.IsNullOrWhiteSpace(run.Stdout));
    }

    [Fact]
    public async Task Bench_on_a_synthetic_model_prints_json_last()
    {
        var run = await ProvocapiProcess.RunAsync(["bench", "--synthetic", "tiny", "--type", "Q8_0", "-p", "32", "-n", "8", "-r", "2", "-t", "2", "--json"]);
        Assert.Equal(0, run.ExitCode);
        var last = run.Stdout.Trim().Split('\n')[^1];
        using var json = JsonDocument.Parse(last);
        Assert.True(json.RootElement.GetProperty("pp_tokens_per_s").GetDouble() > 0);
        Assert.True(json.RootElement.GetProperty("tg_tokens_per_s").GetDouble() > 0);
        Assert.True(json.RootElement.GetProperty("pp_sd").GetDouble() >= 0);
        Assert.True(json.RootElement.GetProperty("tg_sd").GetDouble() >= 0);
    }

    [Theory]
    [InlineData("generate --model /no/such/file.gguf --prompt hi", "no such file")]
    [InlineData("generate --prompt hi", "--model is required")]
    [InlineData("tokenize --model /no/such/vocab.gguf hi", "not found")]
    [InlineData("bench --synthetic huge", "unknown synthetic shape")]
    [InlineData("bench --synthetic tiny --type Q9_9", "not supported")]
    [InlineData("frobnicate", "unknown verb")]
    [InlineData("generate --model x --prompt hi --max-tokens many", "must be a number")]
    [InlineData("generate --model x --prompt hi --bogus 1", "unknown option --bogus")]
    public async Task Errors_are_one_clear_line_and_a_nonzero_exit(string args, string message)
    {
        var run = await ProvocapiProcess.RunAsync(args.Split(' '));
        Assert.NotEqual(0, run.ExitCode);
        var lines = run.Stderr.Trim().Split('\n');
        Assert.Single(lines);
        Assert.StartsWith("error: ", lines[0]);
        Assert.Contains(message, lines[0]);
    }

    [Fact]
    public async Task Prompt_longer_than_the_context_is_an_error()
    {
        var ids = string.Join(' ', Enumerable.Repeat("100", 300));
        var run = await ProvocapiProcess.RunAsync(["generate", "--model", ModelFile("llama-spm-d64/llama-spm-d64-q4_0.gguf"), "--prompt-ids", ids]);
        Assert.NotEqual(0, run.ExitCode);
        Assert.Contains("context", run.Stderr);
    }
}

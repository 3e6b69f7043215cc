using System.Text.Json;
using Provocapi.Engine.Formats.Gguf;
using Provocapi.Engine.Tokenizers;

namespace Provocapi.Host.Cli;

/// <summary><c>provocapi tokenize</c>: token ids of a text, or of each JSON string line of stdin with --jsonl.</summary>
public static class TokenizeCommand
{
    public static async Task<int> RunAsync(CommandLineOptions options)
    {
        var path = options.Required("--model", "a GGUF file, vocabulary-only is fine, or a Hugging Face folder");
        options.RejectUnknown();
        var addSpecial = !options.Flag("--no-special");
        var tokenizer = Load(path);
        if (options.Flag("--jsonl"))
        {
            string? line;
            var lineNumber = 0;
            while ((line = await Console.In.ReadLineAsync()) != null)
            {
                lineNumber++;
                string text;
                try { text = JsonSerializer.Deserialize<string>(line) ?? throw new JsonException("null is not a string"); }
                catch (JsonException e) { throw new CommandLineException($"stdin line {lineNumber} is not a JSON string: {e.Message}"); }
                Console.WriteLine(JsonSerializer.Serialize(tokenizer.Encode(text, addSpecial)));
            }
            return 0;
        }
        var input = options.Positional.Count > 0 ? string.Join(' ', options.Positional) : await Console.In.ReadToEndAsync();
        Console.WriteLine(string.Join(' ', tokenizer.Encode(input, addSpecial)));
        return 0;
    }

    static Tokenizer Load(string path)
    {
        if (Directory.Exists(path)) return Tokenizer.FromHuggingFaceFolder(path);
        using var file = GgufFile.Open(path);
        return Tokenizer.FromGguf(file);
    }
}

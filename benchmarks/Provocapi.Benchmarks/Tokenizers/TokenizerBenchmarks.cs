using System.Text;
using BenchmarkDotNet.Attributes;
using BenchmarkDotNet.Configs;
using Provocapi.Engine.Formats.Gguf;
using Provocapi.Engine.Tokenizers;
using Provocapi.Tests;

namespace Provocapi.Benchmarks.Tokenizers;

/// <summary>
/// Encoding speed on about 1 MB of English (the GPL-3 text repeated, or generated prose where that file is missing), with
/// the GPT-2 byte-level BPE and Llama SentencePiece vocabularies of tests/fixtures. The MB/s column is UTF-8 input bytes
/// over the mean time. The tokenizers' pre-token caches are warm after the first iteration, as in a long-running server.
/// </summary>
[Config(typeof(ThroughputConfig))]
public class TokenizerBenchmarks
{
    const int TargetBytes = 1 << 20;

    static readonly (string Text, int Bytes) Sample = EnglishText();

    string _text = "";
    Tokenizer _byteLevelBpe = null!;
    Tokenizer _sentencePiece = null!;

    /// <summary>UTF-8 size of the text every benchmark encodes.</summary>
    public static int TextBytes => Sample.Bytes;

    [GlobalSetup]
    public void Setup()
    {
        _text = Sample.Text;
        _byteLevelBpe = Load("ggml-vocab-gpt-2.gguf");
        _sentencePiece = Load("ggml-vocab-llama-spm.gguf");
    }

    [Benchmark]
    public int ByteLevelBpe() => _byteLevelBpe.Encode(_text, addSpecial: false).Length;

    [Benchmark]
    public int SentencePiece() => _sentencePiece.Encode(_text, addSpecial: false).Length;

    [IterationSetup(Targets = [nameof(ByteLevelBpeColdCache), nameof(SentencePieceColdCache)])]
    public void ReloadTokenizers()
    {
        _byteLevelBpe = Load("ggml-vocab-gpt-2.gguf");
        _sentencePiece = Load("ggml-vocab-llama-spm.gguf");
        // Loading leaves tens of megabytes of garbage; collect it here rather than inside the measurement.
        GC.Collect();
        GC.WaitForPendingFinalizers();
        GC.Collect();
    }

    [Benchmark]
    public int ByteLevelBpeColdCache() => _byteLevelBpe.Encode(_text, addSpecial: false).Length;

    [Benchmark]
    public int SentencePieceColdCache() => _sentencePiece.Encode(_text, addSpecial: false).Length;

    static Tokenizer Load(string name)
    {
        using var file = GgufFile.Open(TestData.Path("tokenizers", name));
        return Tokenizer.FromGguf(file);
    }

    static (string Text, int Bytes) EnglishText()
    {
        const string license = "/usr/share/common-licenses/GPL-3";
        var source = File.Exists(license) ? File.ReadAllText(license) : GeneratedProse();
        var copies = (TargetBytes + Encoding.UTF8.GetByteCount(source) - 1) / Encoding.UTF8.GetByteCount(source);
        var text = new StringBuilder(source.Length * copies).Insert(0, source, copies).ToString();
        return (text, Encoding.UTF8.GetByteCount(text));
    }

    static string GeneratedProse()
    {
        string[] words =
        [
            "the", "of", "and", "to", "in", "a", "is", "that", "for", "it", "as", "was", "with", "be", "by", "on", "not", "he",
            "this", "are", "or", "his", "from", "at", "which", "but", "have", "an", "had", "they", "you", "were", "their", "one",
            "all", "we", "can", "her", "has", "there", "been", "if", "more", "when", "will", "would", "who", "so", "no", "software",
            "license", "program", "source", "code", "freedom", "distribute", "modify", "copies", "terms", "conditions", "work",
        ];
        var random = new Random(42);
        var builder = new StringBuilder();
        for (var sentence = 0; sentence < 2000; sentence++)
        {
            var length = random.Next(6, 24);
            for (var i = 0; i < length; i++)
            {
                var word = words[random.Next(words.Length)];
                builder.Append(i == 0 ? char.ToUpperInvariant(word[0]) + word[1..] : word);
                builder.Append(i == length - 1 ? ". " : random.Next(10) == 0 ? ", " : " ");
            }
            if (random.Next(8) == 0) builder.Append("\n\n");
        }
        return builder.ToString();
    }

    sealed class ThroughputConfig : ManualConfig
    {
        public ThroughputConfig() => AddColumn(new ThroughputColumn("MB/s", "Input megabytes (10^6 UTF-8 bytes) encoded per second", _ => TextBytes, unit: 1e6));
    }
}

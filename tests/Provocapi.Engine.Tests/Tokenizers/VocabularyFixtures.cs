using System.Collections.Concurrent;
using Provocapi.Engine.Formats.Gguf;
using Provocapi.Engine.Tokenizers;
using Provocapi.Tests;

namespace Provocapi.Engine.Tests.Tokenizers;

/// <summary>
/// llama.cpp's tokenizer test vectors in tests/fixtures/tokenizers: for each X.gguf, X.gguf.inp holds the texts, each
/// followed by "\n__ggml_vocab_test__\n" (texts may begin or end with whitespace), and X.gguf.out the expected ids of each
/// on its own line, encoded without BOS/EOS (as test-tokenizer-0 and convert_hf_to_gguf_update.py write and read them).
/// </summary>
public static class VocabularyFixtures
{
    const string Separator = "\n__ggml_vocab_test__\n";

    static readonly ConcurrentDictionary<string, Lazy<Tokenizer>> Tokenizers = new();
    static readonly ConcurrentDictionary<string, Lazy<IReadOnlyList<(string Text, int[] Ids)>>> Cases = new();

    /// <summary>Every vocabulary with test vectors; a new pair of files dropped beside the others is picked up.</summary>
    public static IEnumerable<string> Vocabularies() =>
        Directory.GetFiles(TestData.Path("tokenizers"), "*.gguf")
            .Where(f => File.Exists(f + ".inp") && File.Exists(f + ".out"))
            .Select(f => Path.GetFileName(f))
            .Order(StringComparer.Ordinal);

    public static TheoryData<string, int> AllCases()
    {
        var data = new TheoryData<string, int>();
        foreach (var vocabulary in Vocabularies())
            for (var i = 0; i < CasesOf(vocabulary).Count; i++) data.Add(vocabulary, i);
        return data;
    }

    public static Tokenizer Load(string vocabulary) =>
        Tokenizers.GetOrAdd(vocabulary, v => new Lazy<Tokenizer>(() =>
        {
            using var file = GgufFile.Open(TestData.Path("tokenizers", v));
            return Tokenizer.FromGguf(file);
        })).Value;

    public static IReadOnlyList<(string Text, int[] Ids)> CasesOf(string vocabulary) =>
        Cases.GetOrAdd(vocabulary, v => new Lazy<IReadOnlyList<(string, int[])>>(() => ReadCases(TestData.Path("tokenizers", v)))).Value;

    /// <summary>The texts of the .inp files, for tests that need sample text without expected ids.</summary>
    public static IReadOnlyList<string> SampleTexts() => CasesOf("ggml-vocab-gpt-2.gguf").Select(c => c.Text).ToList();

    static IReadOnlyList<(string, int[])> ReadCases(string path)
    {
        var texts = File.ReadAllText(path + ".inp").Split(Separator);
        if (texts[^1].Length != 0) throw new InvalidDataException($"{path}.inp does not end with the separator");
        var lines = File.ReadAllText(path + ".out").Split('\n');
        var cases = new List<(string, int[])>();
        for (var i = 0; i < texts.Length - 1; i++)
        {
            var ids = lines[i].Split(' ', StringSplitOptions.RemoveEmptyEntries).Select(int.Parse).ToArray();
            cases.Add((texts[i], ids));
        }
        return cases;
    }
}

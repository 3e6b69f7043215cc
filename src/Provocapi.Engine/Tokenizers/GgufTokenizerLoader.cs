using Provocapi.Engine.Formats;
using Provocapi.Engine.Formats.Gguf;

namespace Provocapi.Engine.Tokenizers;

/// <summary>Builds a <see cref="Tokenizer"/> from a GGUF file's tokenizer.ggml.* metadata (the keys llama.cpp's convert_hf_to_gguf.py writes).</summary>
internal static class GgufTokenizerLoader
{
    public static Tokenizer Load(GgufFile file)
    {
        ArgumentNullException.ThrowIfNull(file);
        var model = file.GetString("tokenizer.ggml.model")
            ?? throw new ModelFormatException($"{file.Path}: the file has no tokenizer (metadata 'tokenizer.ggml.model' is missing)");
        return model switch
        {
            "llama" => LoadSentencePiece(file),
            "gpt2" => LoadByteLevelBpe(file),
            "bert" => LoadWordPiece(file),
            "none" or "no_vocab" => throw new ModelFormatException($"{file.Path}: the file has no vocabulary (tokenizer.ggml.model is '{model}')"),
            _ => throw new ModelFormatException($"{file.Path}: tokenizer model '{model}' is not supported (supported: llama, gpt2, bert)"),
        };
    }

    static Tokenizer LoadSentencePiece(GgufFile file)
    {
        var vocabulary = ReadVocabulary(file, withScores: true);
        // llama.cpp's defaults for SentencePiece vocabularies: <unk> 0, <s> 1, </s> 2, BOS added, EOS not.
        var settings = ReadSettings(file, vocabulary, defaultBos: 1, defaultEos: 2, addBosByDefault: true);
        var unknown = Id(file, vocabulary, "tokenizer.ggml.unknown_token_id") ?? (vocabulary.Contains(0) ? 0 : null);
        var addSpacePrefix = file.GetBool("tokenizer.ggml.add_space_prefix") ?? true;
        return new SentencePieceTokenizer(vocabulary, settings, addSpacePrefix, unknown, new SpecialTokenMatcher(vocabulary, WhitespaceStrips(file, vocabulary)));
    }

    /// <summary>
    /// GGUF does not record which added tokens swallow the whitespace after them; llama.cpp's vocabulary loader knows that
    /// Phi-3's special tokens do (their tokenizer.json sets rstrip), apart from &lt;unk&gt;, &lt;s&gt; and &lt;|endoftext|&gt;.
    /// </summary>
    static Dictionary<int, WhitespaceStrip>? WhitespaceStrips(GgufFile file, Vocabulary vocabulary)
    {
        var name = file.GetString("general.name")?.ToLowerInvariant() ?? "";
        if (!name.Contains("phi-3", StringComparison.Ordinal) && !name.Contains("phi3", StringComparison.Ordinal)) return null;
        var strips = new Dictionary<int, WhitespaceStrip>();
        for (var id = 0; id < vocabulary.Count; id++)
            if (vocabulary.Type(id) is TokenType.Control or TokenType.UserDefined or TokenType.Unknown)
                strips[id] = new WhitespaceStrip(Left: false, Right: true);
        foreach (var text in (string[])["<unk>", "<s>", "<|endoftext|>"])
            if (vocabulary.IdOf(text) is int id) strips.Remove(id);
        return strips;
    }

    static Tokenizer LoadByteLevelBpe(GgufFile file)
    {
        var vocabulary = ReadVocabulary(file, withScores: false);
        var lines = file.GetArray<string>("tokenizer.ggml.merges")
            ?? throw new ModelFormatException($"{file.Path}: a gpt2 tokenizer needs 'tokenizer.ggml.merges', which is missing or not a string array");
        var merges = new List<(string, string)>(lines.Length);
        foreach (var line in lines)
        {
            if (!MergeTable.TrySplitLine(line, out var merge))
                throw new ModelFormatException($"{file.Path}: merge '{line}' in tokenizer.ggml.merges is not two tokens separated by a space");
            merges.Add(merge);
        }
        var settings = ReadSettings(file, vocabulary, defaultBos: null, defaultEos: null, addBosByDefault: false);
        var preTokenizer = PreTokenizerCatalog.ForName(file.GetString("tokenizer.ggml.pre"), out var ignoreMerges);
        return new ByteLevelBpeTokenizer(vocabulary, settings, MergeTable.Build(merges, vocabulary), preTokenizer, ignoreMerges);
    }

    static Tokenizer LoadWordPiece(GgufFile file)
    {
        var vocabulary = ReadVocabulary(file, withScores: false);
        // BERT's markers: [CLS] opens the sequence, [SEP] closes it ("seperator" is the key's spelling in GGUF).
        var cls = Id(file, vocabulary, "tokenizer.ggml.cls_token_id") ?? Id(file, vocabulary, "tokenizer.ggml.bos_token_id") ?? vocabulary.IdOf("[CLS]");
        var sep = Id(file, vocabulary, "tokenizer.ggml.seperator_token_id") ?? Id(file, vocabulary, "tokenizer.ggml.separator_token_id")
            ?? Id(file, vocabulary, "tokenizer.ggml.eos_token_id") ?? vocabulary.IdOf("[SEP]");
        var unknown = Id(file, vocabulary, "tokenizer.ggml.unknown_token_id") ?? vocabulary.IdOf("[UNK]")
            ?? throw new ModelFormatException($"{file.Path}: a bert tokenizer needs an unknown token ('tokenizer.ggml.unknown_token_id' or [UNK])");
        var settings = new SpecialTokenSettings(cls, sep,
            file.GetBool("tokenizer.ggml.add_bos_token") ?? true,
            file.GetBool("tokenizer.ggml.add_eos_token") ?? file.GetBool("tokenizer.ggml.add_sep_token") ?? true,
            []);
        // llama.cpp's conversion lowercases with the uncased BERT normalizer and marks word starts with ▁ ("phantom space").
        var splitter = new BertTextSplitter(lowercase: true, stripAccents: true, handleChineseChars: true, cleanText: true);
        return new WordPieceTokenizer(vocabulary, settings, splitter, wordPrefix: "\u2581", continuationPrefix: "", unknown);
    }

    static Vocabulary ReadVocabulary(GgufFile file, bool withScores)
    {
        var tokens = file.GetArray<string>("tokenizer.ggml.tokens")
            ?? throw new ModelFormatException($"{file.Path}: 'tokenizer.ggml.tokens' is missing or not a string array");
        if (tokens.Length == 0) throw new ModelFormatException($"{file.Path}: 'tokenizer.ggml.tokens' is empty");
        var types = new TokenType[tokens.Length];
        if (file.Metadata.TryGetValue("tokenizer.ggml.token_type", out var rawTypes))
        {
            if (rawTypes is not Array array || array.Length != tokens.Length)
                throw new ModelFormatException($"{file.Path}: 'tokenizer.ggml.token_type' should be an array of {tokens.Length} integers");
            for (var i = 0; i < types.Length; i++)
            {
                var value = Convert.ToInt64(array.GetValue(i));
                types[i] = value is >= 0 and <= 6 ? (TokenType)value : TokenType.Undefined;
            }
        }
        else Array.Fill(types, TokenType.Normal);

        float[]? scores = null;
        if (withScores && file.Has("tokenizer.ggml.scores"))
        {
            scores = file.GetArray<float>("tokenizer.ggml.scores");
            if (scores == null || scores.Length != tokens.Length)
                throw new ModelFormatException($"{file.Path}: 'tokenizer.ggml.scores' should be an array of {tokens.Length} float32 values");
        }
        return new Vocabulary(tokens, types, scores);
    }

    static SpecialTokenSettings ReadSettings(GgufFile file, Vocabulary vocabulary, int? defaultBos, int? defaultEos, bool addBosByDefault)
    {
        var bos = Id(file, vocabulary, "tokenizer.ggml.bos_token_id") ?? (defaultBos is int b && vocabulary.Contains(b) ? b : null);
        var eos = Id(file, vocabulary, "tokenizer.ggml.eos_token_id") ?? (defaultEos is int e && vocabulary.Contains(e) ? e : null);
        var endOfGeneration = new List<int>();
        foreach (var key in (string[])["tokenizer.ggml.eot_token_id", "tokenizer.ggml.eom_token_id"])
            if (Id(file, vocabulary, key) is int id) endOfGeneration.Add(id);
        return new SpecialTokenSettings(bos, eos,
            file.GetBool("tokenizer.ggml.add_bos_token") ?? addBosByDefault,
            file.GetBool("tokenizer.ggml.add_eos_token") ?? false,
            endOfGeneration);
    }

    /// <summary>A token id from the metadata; ids outside the vocabulary (some converters write -1 or a stale id) count as absent.</summary>
    static int? Id(GgufFile file, Vocabulary vocabulary, string key) =>
        file.GetInteger(key) is long id && id >= 0 && id < vocabulary.Count ? (int)id : null;
}

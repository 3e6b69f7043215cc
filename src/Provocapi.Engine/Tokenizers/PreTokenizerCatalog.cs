namespace Provocapi.Engine.Tokenizers;

/// <summary>
/// The pre-tokenizers named by GGUF's <c>tokenizer.ggml.pre</c>, with the regex lists llama.cpp's llama-vocab.cpp
/// assigns to each name (each list applied in sequence, every match isolated). Unknown names get GPT-2's.
/// </summary>
internal static class PreTokenizerCatalog
{
    const string Gpt2NoTrailingSpace = @"'s|'t|'re|'ve|'m|'ll|'d| ?\p{L}+| ?\p{N}+| ?[^\s\p{L}\p{N}]+|\s+(?!\S)";

    static readonly string[] Llama3Names = ["llama3", "llama-v3", "llama-bpe", "falcon3", "falcon-h1", "pixtral", "midm-2.0", "lfm2", "dbrx", "smaug-bpe", "chatglm-bpe", "glm4"];

    /// <summary>The pre-tokenizer for <paramref name="name"/>, and whether a pre-token that is itself in the vocabulary skips merging (Llama 3's ignore_merges).</summary>
    public static PreTokenizer ForName(string? name, out bool ignoreMerges)
    {
        // llama.cpp sets ignore_merges for the Llama 3 family of names only (not dbrx, smaug or chatglm, which share the pattern).
        ignoreMerges = name is "llama3" or "llama-v3" or "llama-bpe" or "falcon3" or "falcon-h1" or "pixtral" or "midm-2.0" or "lfm2";
        if (name != null && Array.IndexOf(Llama3Names, name) >= 0) return Of(SplitPatterns.Llama3);
        return name switch
        {
            "qwen2" or "deepseek-r1-qwen" or "megrez" or "stablelm2" or "hunyuan" or "solar-open" => Of(SplitPatterns.Qwen2),
            // The letter class is spelled with escapes: several of its bounds (U+1F7D, U+1FD3, U+2126, U+212A...) are not
            // NFC-stable, and a normalizing editor would silently turn them into different ranges.
            "deepseek-llm" => Of(
                "[\r\n]",
                "\\s?[A-Za-z\u00B5\u00C0-\u00D6\u00D8-\u00F6\u00F8-\u01BA\u01BC-\u01BF\u01C4-\u0293\u0295-\u02AF\u0370-\u0373\u0376-\u0377\u037B-\u037D\u037F\u0386\u0388-\u038A\u038C\u038E-\u03A1\u03A3-\u03F5\u03F7-\u0481\u048A-\u052F\u0531-\u0556\u10A0-\u10C5\u13A0-\u13F5\u13F8-\u13FD\u1C90-\u1CBA\u1CBD-\u1CBF\u1D00-\u1D2B\u1D6B-\u1D77\u1D79-\u1D9A\u1E00-\u1F15\u1F18-\u1F1D\u1F20-\u1F45\u1F48-\u1F4D\u1F50-\u1F57\u1F59\u1F5B\u1F5D\u1F5F-\u1F7D\u1F80-\u1FB4\u1FB6-\u1FBC\u1FBE\u1FC2-\u1FC4\u1FC6-\u1FCC\u1FD0-\u1FD3\u1FD6-\u1FDB\u1FE0-\u1FEC\u1FF2-\u1FF4\u1FF6-\u1FFC\u2102\u2107\u210A-\u2113\u2115\u2119-\u211D\u2124\u2126\u2128\u212A-\u212D\u212F-\u2134\u2139\u213C-\u213F\u2145-\u2149\u214E\u2183-\u2184\u2C00-\u2C7B\u2C7E-\u2CE4\u2CEB-\u2CEE\u2CF2-\u2CF3\uA640-\uA66D\uA680-\uA69B\uA722-\uA76F\uA771-\uA787\uA78B-\uA78E\uAB70-\uABBF\uFB00-\uFB06\uFB13-\uFB17\uFF21-\uFF3A\uFF41-\uFF5A\\x{10400}-\\x{1044F}\\x{104B0}-\\x{104D3}\\x{104D8}-\\x{104FB}\\x{10C80}-\\x{10CB2}\\x{10CC0}-\\x{10CF2}\\x{118A0}-\\x{118DF}\\x{1E900}-\\x{1E943}]+",
                @"\s?[!-/:-~！-／：-～‘-‟　-。]+",
                @"\s+$",
                "[一-龥ࠀ-一가-퟿]+",
                @"\p{N}+"),
            "deepseek-coder" => Of(
                "[\r\n]",
                @"\s?\p{L}+",
                @"\s?\p{P}+",
                "[一-龥ࠀ-一가-퟿]+",
                @"\p{N}"),
            "deepseek-v3" or "hunyuan-dense" => Of(
                @"\p{N}{1,3}",
                "[一-龥぀-ゟ゠-ヿ]+",
                "[!\"#$%&'()*+,\\-./:;<=>?@\\[\\\\\\]^_`{|}~][A-Za-z]+|[^\r\n\\p{L}\\p{P}\\p{S}]?[\\p{L}\\p{M}]+| ?[\\p{P}\\p{S}]+[\r\n]*|\\s*[\r\n]+|\\s+(?!\\S)|\\s+"),
            "falcon" => Of(
                @"[\p{P}\$\+<=>\^~\|`]+",
                Gpt2NoTrailingSpace,
                "[0-9][0-9][0-9]"),
            "starcoder" or "refact" or "command-r" or "smollm" or "codeshell" or "exaone" or "minerva-7b" => Of(
                @"\p{N}",
                Gpt2NoTrailingSpace),
            "poro-chat" or "bloom" or "gpt3-finnish" => Of(@" ?[^(\s|.,!?…。，、।۔،)]+"),
            "viking" => Of(@" ?[^(\s|.,!?…。，、।۔،)]+", @"\p{N}"),
            "tekken" => Of(SplitPatterns.Tekken),
            "gpt-4o" or "llama4" or "minimax-m2" => Of(SplitPatterns.Gpt4o),
            "chameleon" => Of(
                "<sentinel:[0-9]+>",
                "(IMGIMG)((A|B|C|D|E|F|G|H|I){1,4})Z",
                @"([\t\n]|    |  )",
                @"\p{N}",
                @"[\p{P}!-/:-@\[-`{-~]",
                Gpt2NoTrailingSpace),
            "superbpe" => Of(@"\p{N}+", @"(?=(\d{3})+(?!\d))"),
            "bailingmoe" or "llada-moe" => Of(@"'(?i:[sdmt]|ll|ve|re)|[^\r\n\p{L}\p{N}]?+\p{L}+|\p{N}| ?[^\s\p{L}\p{N}]++[\r\n]*|\s*[\r\n]|\s+(?!\S)|\s+"),
            "seed-coder" => Of(@"(?i:'s|'t|'re|'ve|'m|'ll|'d)|[^\r\n\p{L}\p{N}]?\p{L}+|\p{N}{1}| ?[^\s\p{L}\p{N}]+[\r\n]*|\s*[\r\n]+|\s+(?!\S)|\s+"),
            // "default", "gpt-2", "mpt", "olmo", "jais", "trillion", "granite-docling", "phi-2", "roberta-bpe", jina, gigachat and unknown names.
            _ => Of(SplitPatterns.Gpt2),
        };
    }

    static PreTokenizer Of(params string[] patterns)
    {
        var steps = new TextSplitter[patterns.Length];
        for (var i = 0; i < patterns.Length; i++) steps[i] = SplitPatterns.SplitterFor(patterns[i]);
        return new PreTokenizer(steps);
    }
}

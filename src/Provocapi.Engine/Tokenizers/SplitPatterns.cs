namespace Provocapi.Engine.Tokenizers;

/// <summary>
/// Split patterns of well-known tokenizers, in the Oniguruma dialect of their tokenizer.json files. Splitters recognise the
/// first three to use the hand-written scanners instead of the regex engine.
/// </summary>
internal static class SplitPatterns
{
    /// <summary>GPT-2 (OpenAI's encoder.py; Hugging Face's ByteLevel pre-tokenizer with use_regex).</summary>
    public const string Gpt2 = @"'s|'t|'re|'ve|'m|'ll|'d| ?\p{L}+| ?\p{N}+| ?[^\s\p{L}\p{N}]+|\s+(?!\S)|\s+";

    /// <summary>Llama 3 (tiktoken cl100k with the contractions spelled out).</summary>
    public const string Llama3 = @"(?i:'s|'t|'re|'ve|'m|'ll|'d)|[^\r\n\p{L}\p{N}]?\p{L}+|\p{N}{1,3}| ?[^\s\p{L}\p{N}]+[\r\n]*|\s*[\r\n]+|\s+(?!\S)|\s+";

    /// <summary>Qwen2: Llama 3's pattern with single digits.</summary>
    public const string Qwen2 = @"(?i:'s|'t|'re|'ve|'m|'ll|'d)|[^\r\n\p{L}\p{N}]?\p{L}+|\p{N}| ?[^\s\p{L}\p{N}]+[\r\n]*|\s*[\r\n]+|\s+(?!\S)|\s+";

    /// <summary>GPT-4o (tiktoken o200k).</summary>
    public const string Gpt4o = @"[^\r\n\p{L}\p{N}]?[\p{Lu}\p{Lt}\p{Lm}\p{Lo}\p{M}]*[\p{Ll}\p{Lm}\p{Lo}\p{M}]+(?i:'s|'t|'re|'ve|'m|'ll|'d)?|[^\r\n\p{L}\p{N}]?[\p{Lu}\p{Lt}\p{Lm}\p{Lo}\p{M}]+[\p{Ll}\p{Lm}\p{Lo}\p{M}]*(?i:'s|'t|'re|'ve|'m|'ll|'d)?|\p{N}{1,3}| ?[^\s\p{L}\p{N}]+[\r\n/]*|\s*[\r\n]+|\s+(?!\S)|\s+";

    /// <summary>Mistral's Tekken: GPT-4o's letter rules without contractions, single digits.</summary>
    public const string Tekken = @"[^\r\n\p{L}\p{N}]?[\p{Lu}\p{Lt}\p{Lm}\p{Lo}\p{M}]*[\p{Ll}\p{Lm}\p{Lo}\p{M}]+|[^\r\n\p{L}\p{N}]?[\p{Lu}\p{Lt}\p{Lm}\p{Lo}\p{M}]+[\p{Ll}\p{Lm}\p{Lo}\p{M}]*|\p{N}| ?[^\s\p{L}\p{N}]+[\r\n/]*|\s*[\r\n]+|\s+(?!\S)|\s+";

    /// <summary>Hugging Face's Punctuation pre-tokenizer: Rust's is_ascii_punctuation or Unicode punctuation.</summary>
    public const string Punctuation = @"[\p{P}!-/:-@\[-`{-~]";

    /// <summary>The splitter for a pattern: a hand-written scanner when the pattern is one of those, else the regex engine.</summary>
    public static TextSplitter SplitterFor(string pattern) => pattern switch
    {
        Gpt2 => Gpt2Splitter.Instance,
        Llama3 => Llama3Splitter.Llama3,
        Qwen2 => Llama3Splitter.Qwen2,
        _ => new RegexSplitter(pattern),
    };
}

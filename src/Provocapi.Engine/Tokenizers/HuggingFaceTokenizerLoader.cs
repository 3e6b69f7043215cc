using System.Text;
using System.Text.Json;
using System.Text.RegularExpressions;
using Provocapi.Engine.Formats;

namespace Provocapi.Engine.Tokenizers;

/// <summary>
/// Builds a <see cref="Tokenizer"/> from a Hugging Face folder: tokenizer.json (the format of the tokenizers library) for
/// byte-level BPE, SentencePiece-style (▁, byte fallback) BPE, WordPiece and Unigram models, or BERT's vocab.txt, with
/// tokenizer_config.json for the sequence markers.
/// </summary>
internal static class HuggingFaceTokenizerLoader
{
    static readonly JsonDocumentOptions JsonOptions = new() { AllowTrailingCommas = true, CommentHandling = JsonCommentHandling.Skip };

    public static Tokenizer Load(string folder)
    {
        ArgumentNullException.ThrowIfNull(folder);
        if (!Directory.Exists(folder)) throw new ModelFormatException($"{folder}: tokenizer folder not found");
        using var config = ReadJson(Path.Combine(folder, "tokenizer_config.json"));
        var configRoot = config?.RootElement ?? default;
        var tokenizerJson = Path.Combine(folder, "tokenizer.json");
        if (File.Exists(tokenizerJson))
        {
            using var document = ReadJson(tokenizerJson)!;
            try
            {
                return LoadTokenizerJson(tokenizerJson, document.RootElement, configRoot);
            }
            catch (Exception e) when (e is InvalidOperationException or KeyNotFoundException or FormatException or ArgumentException
                                          || e is ModelFormatException && !e.Message.StartsWith(tokenizerJson, StringComparison.Ordinal))
            {
                // JSON of the wrong shape, a pattern .NET cannot compile, or a component we do not implement: name the file.
                throw new ModelFormatException($"{tokenizerJson}: {e.Message}", e);
            }
        }
        var vocabTxt = Path.Combine(folder, "vocab.txt");
        if (File.Exists(vocabTxt)) return LoadBertVocabTxt(vocabTxt, configRoot);
        throw new ModelFormatException($"{folder}: no tokenizer.json or vocab.txt in the folder");
    }

    static JsonDocument? ReadJson(string path)
    {
        if (!File.Exists(path)) return null;
        try
        {
            using var stream = File.OpenRead(path);
            return JsonDocument.Parse(stream, JsonOptions);
        }
        catch (JsonException e)
        {
            throw new ModelFormatException($"{path}: not valid JSON ({e.Message})", e);
        }
    }

    static Tokenizer LoadTokenizerJson(string path, JsonElement root, JsonElement config)
    {
        var model = root.GetProperty("model");
        var type = String(model, "type") ?? (model.TryGetProperty("merges", out _) ? "BPE" : "WordPiece");
        return type switch
        {
            "BPE" => LoadBpe(path, root, model, config),
            "WordPiece" => LoadWordPiece(root, model, config),
            "Unigram" => LoadUnigram(path, root, model, config),
            _ => throw new ModelFormatException($"{path}: tokenizer model type '{type}' is not supported (BPE, WordPiece and Unigram are)"),
        };
    }

    static Tokenizer LoadBpe(string path, JsonElement root, JsonElement model, JsonElement config)
    {
        var preTokenizer = Property(root, "pre_tokenizer");
        if (!Mentions(preTokenizer, "ByteLevel") && !Mentions(Property(root, "decoder"), "ByteLevel"))
            return LoadMetaspaceBpe(path, root, model, config);
        var (vocabulary, strips) = ReadVocabulary(root, model, normalType: _ => TokenType.Normal);
        var steps = new List<TextSplitter>();
        var addPrefixSpace = false;
        AddSplitters(preTokenizer, steps, ref addPrefixSpace);
        var settings = ReadSettings(root, config, vocabulary);
        return new ByteLevelBpeTokenizer(vocabulary, settings, ReadMerges(path, model, vocabulary), new PreTokenizer(steps),
            Bool(model, "ignore_merges") ?? false, addPrefixSpace, ReadNormalizer(Property(root, "normalizer")),
            new SpecialTokenMatcher(vocabulary, strips));
    }

    /// <summary>
    /// SentencePiece converted to BPE merges: spaces become ▁ either in the legacy normalizer (Prepend + Replace) or in a
    /// Metaspace pre-tokenizer; characters missing from the vocabulary fall back to &lt;0xNN&gt; tokens.
    /// </summary>
    static Tokenizer LoadMetaspaceBpe(string path, JsonElement root, JsonElement model, JsonElement config)
    {
        var byteFallback = Bool(model, "byte_fallback") ?? false;
        var (vocabulary, strips) = ReadVocabulary(root, model,
            normalType: text => byteFallback && IsByteToken(text) ? TokenType.Byte : TokenType.Normal);
        var normalizerJson = Property(root, "normalizer");
        var metaspace = Find(Property(root, "pre_tokenizer"), "Metaspace");
        if (metaspace.ValueKind != JsonValueKind.Object && !Mentions(normalizerJson, "Replace"))
            throw new ModelFormatException($"{path}: BPE with neither a ByteLevel nor a Metaspace pre-tokenizer (nor a ▁ normalizer) is not supported");
        var prepend = MetaspacePrepend.Never;
        PreTokenizer? preTokenizer = null;
        if (metaspace.ValueKind == JsonValueKind.Object)
        {
            prepend = ReadPrepend(path, metaspace);
            // Metaspace's split: every ▁ starts a piece (tokenizers' split at the replacement, MergedWithNext).
            if (Bool(metaspace, "split") ?? true) preTokenizer = new PreTokenizer([new RegexSplitter("\u2581", SplitBehavior.MergedWithNext)]);
        }
        return new MetaspaceBpeTokenizer(vocabulary, ReadSettings(root, config, vocabulary), ReadMerges(path, model, vocabulary),
            ReadNormalizer(normalizerJson), replaceSpaces: metaspace.ValueKind == JsonValueKind.Object, prepend, preTokenizer,
            DecoderStripsFirstSpace(Property(root, "decoder")), byteFallback, vocabulary.IdOf(String(model, "unk_token")),
            Bool(model, "fuse_unk") ?? false, new SpecialTokenMatcher(vocabulary, strips));
    }

    /// <summary>When a Metaspace pre-tokenizer puts ▁ in front: prepend_scheme, or the older add_prefix_space.</summary>
    static MetaspacePrepend ReadPrepend(string path, JsonElement metaspace)
    {
        if ((String(metaspace, "replacement") ?? "\u2581") != "\u2581")
            throw new ModelFormatException($"{path}: Metaspace replacement '{String(metaspace, "replacement")}' is not supported (▁ is)");
        return String(metaspace, "prepend_scheme") switch
        {
            "always" => MetaspacePrepend.Always,
            "first" => MetaspacePrepend.First,
            "never" => MetaspacePrepend.Never,
            _ => Bool(metaspace, "add_prefix_space") ?? true ? MetaspacePrepend.Always : MetaspacePrepend.Never,
        };
    }

    /// <summary>
    /// Unigram (XLM-RoBERTa, bge-m3, T5): the vocabulary is a list of [piece, log-probability]; the normalizer as declared
    /// (SentencePiece's Precompiled rules, replacements); a Metaspace pre-tokenizer, possibly after WhitespaceSplit.
    /// </summary>
    static Tokenizer LoadUnigram(string path, JsonElement root, JsonElement model, JsonElement config)
    {
        var byteFallback = Bool(model, "byte_fallback") ?? false;
        var (vocabulary, strips) = ReadVocabulary(root, model,
            normalType: text => byteFallback && IsByteToken(text) ? TokenType.Byte : TokenType.Normal);
        var unknown = Property(model, "unk_id") is { ValueKind: JsonValueKind.Number } unk ? unk.GetInt32()
            : throw new ModelFormatException($"{path}: a Unigram model without unk_id is not supported");
        if (!vocabulary.Contains(unknown)) throw new ModelFormatException($"{path}: unk_id {unknown} is outside the vocabulary of {vocabulary.Count}");
        var preTokenizer = Property(root, "pre_tokenizer");
        var metaspace = Find(preTokenizer, "Metaspace");
        var hasMetaspace = metaspace.ValueKind == JsonValueKind.Object;
        return new UnigramTokenizer(vocabulary, ReadSettings(root, config, vocabulary), ReadNormalizer(Property(root, "normalizer")),
            splitOnWhitespace: Mentions(preTokenizer, "WhitespaceSplit"),
            prepend: hasMetaspace ? ReadPrepend(path, metaspace) : MetaspacePrepend.Never,
            splitAtMarker: hasMetaspace && (Bool(metaspace, "split") ?? true),
            DecoderStripsFirstSpace(Property(root, "decoder")), unknown, byteFallback, new SpecialTokenMatcher(vocabulary, strips));
    }

    /// <summary>Whether the decoder drops the space in front of the first word: a Strip of leading spaces, or a Metaspace decoder that prepends.</summary>
    static bool DecoderStripsFirstSpace(JsonElement decoder)
    {
        if (Property(Find(decoder, "Strip"), "start") is { ValueKind: JsonValueKind.Number } start && start.GetInt32() > 0) return true;
        var metaspace = Find(decoder, "Metaspace");
        return metaspace.ValueKind == JsonValueKind.Object && String(metaspace, "prepend_scheme") != "never" && (Bool(metaspace, "add_prefix_space") ?? true);
    }

    static bool IsByteToken(string text) =>
        text.Length == 6 && text.StartsWith("<0x", StringComparison.Ordinal) && text[5] == '>' && char.IsAsciiHexDigit(text[3]) && char.IsAsciiHexDigit(text[4]);

    /// <summary>The model's merges in rank order, each "left right" or [left, right].</summary>
    static MergeTable ReadMerges(string path, JsonElement model, Vocabulary vocabulary)
    {
        var merges = new List<(string, string)>();
        foreach (var merge in model.GetProperty("merges").EnumerateArray())
        {
            if (merge.ValueKind == JsonValueKind.Array && merge.GetArrayLength() == 2)
                merges.Add((merge[0].GetString()!, merge[1].GetString()!));
            else if (merge.ValueKind == JsonValueKind.String && MergeTable.TrySplitLine(merge.GetString()!, out var pair))
                merges.Add(pair);
            else throw new ModelFormatException($"{path}: merge {merge.GetRawText()} is neither \"left right\" nor [left, right]");
        }
        return MergeTable.Build(merges, vocabulary);
    }

    static Tokenizer LoadWordPiece(JsonElement root, JsonElement model, JsonElement config)
    {
        var (vocabulary, strips) = ReadVocabulary(root, model, normalType: _ => TokenType.Normal);
        var unknownText = String(model, "unk_token") ?? "[UNK]";
        var unknown = vocabulary.IdOf(unknownText) ?? throw new ModelFormatException($"WordPiece unknown token '{unknownText}' is not in the vocabulary");
        var normalizer = Property(root, "normalizer");
        BertTextSplitter splitter;
        if (String(normalizer, "type") == "BertNormalizer")
        {
            var lowercase = Bool(normalizer, "lowercase") ?? true;
            splitter = new BertTextSplitter(lowercase, Bool(normalizer, "strip_accents") ?? lowercase,
                Bool(normalizer, "handle_chinese_chars") ?? true, Bool(normalizer, "clean_text") ?? true);
        }
        else splitter = BertSplitterFromConfig(config);
        var settings = ReadSettings(root, config, vocabulary);
        var maxWordChars = model.TryGetProperty("max_input_chars_per_word", out var max) && max.ValueKind == JsonValueKind.Number ? max.GetInt32() : 100;
        return new WordPieceTokenizer(vocabulary, settings, splitter, wordPrefix: "", String(model, "continuing_subword_prefix") ?? "##",
            unknown, maxWordChars, new SpecialTokenMatcher(vocabulary, strips));
    }

    /// <summary>A BERT folder without tokenizer.json: one token per line of vocab.txt, the markers and casing from tokenizer_config.json (transformers' BertTokenizer).</summary>
    static Tokenizer LoadBertVocabTxt(string path, JsonElement config)
    {
        var texts = File.ReadAllLines(path, Encoding.UTF8);
        var count = texts.Length;
        while (count > 0 && texts[count - 1].Length == 0) count--;
        if (count == 0) throw new ModelFormatException($"{path}: the vocabulary is empty");
        texts = texts[..count];
        var types = new TokenType[count];
        Array.Fill(types, TokenType.Normal);
        var markers = new Dictionary<string, string>
        {
            ["unk_token"] = "[UNK]", ["cls_token"] = "[CLS]", ["sep_token"] = "[SEP]", ["pad_token"] = "[PAD]", ["mask_token"] = "[MASK]",
        };
        var ids = new Dictionary<string, int>(StringComparer.Ordinal);
        for (var i = 0; i < count; i++) ids[texts[i]] = i;
        foreach (var (key, fallback) in markers)
        {
            var text = TokenContent(config, key) ?? fallback;
            if (ids.TryGetValue(text, out var id)) types[id] = key == "unk_token" ? TokenType.Unknown : TokenType.Control;
        }
        var vocabulary = new Vocabulary(texts, types, null);
        var unknownText = TokenContent(config, "unk_token") ?? "[UNK]";
        var unknown = vocabulary.IdOf(unknownText) ?? throw new ModelFormatException($"{path}: unknown token '{unknownText}' is not in the vocabulary");
        var cls = vocabulary.IdOf(TokenContent(config, "cls_token") ?? "[CLS]");
        var sep = vocabulary.IdOf(TokenContent(config, "sep_token") ?? "[SEP]");
        var settings = new SpecialTokenSettings(cls, sep, AddBos: true, AddEos: true, []);
        return new WordPieceTokenizer(vocabulary, settings, BertSplitterFromConfig(config), wordPrefix: "", continuationPrefix: "##", unknown);
    }

    static BertTextSplitter BertSplitterFromConfig(JsonElement config)
    {
        var lowercase = Bool(config, "do_lower_case") ?? true;
        return new BertTextSplitter(lowercase, Bool(config, "strip_accents") ?? lowercase, Bool(config, "tokenize_chinese_chars") ?? true, cleanText: true);
    }

    /// <summary>
    /// The model's vocabulary plus added_tokens (special ones are control tokens, the rest user-defined); ids missing from
    /// both are unused slots. The vocabulary is an object of text → id, or (Unigram) a list of [text, score] in id order.
    /// </summary>
    static (Vocabulary, Dictionary<int, WhitespaceStrip>) ReadVocabulary(JsonElement root, JsonElement model, Func<string, TokenType> normalType)
    {
        var entries = new List<(string Text, int Id, TokenType Type)>();
        var vocab = model.GetProperty("vocab");
        List<float>? scores = null;
        if (vocab.ValueKind == JsonValueKind.Array)
        {
            scores = [];
            foreach (var pair in vocab.EnumerateArray())
            {
                var text = pair[0].GetString()!;
                entries.Add((text, scores.Count, normalType(text)));
                scores.Add(pair[1].GetSingle());
            }
        }
        else
            foreach (var entry in vocab.EnumerateObject())
                entries.Add((entry.Name, entry.Value.GetInt32(), normalType(entry.Name)));
        var strips = new Dictionary<int, WhitespaceStrip>();
        if (root.TryGetProperty("added_tokens", out var added) && added.ValueKind == JsonValueKind.Array)
        {
            foreach (var token in added.EnumerateArray())
            {
                var id = token.GetProperty("id").GetInt32();
                var special = Bool(token, "special") ?? false;
                entries.Add((token.GetProperty("content").GetString()!, id, special ? TokenType.Control : TokenType.UserDefined));
                var strip = new WhitespaceStrip(Bool(token, "lstrip") ?? false, Bool(token, "rstrip") ?? false);
                if (strip.Left || strip.Right) strips[id] = strip;
            }
        }
        var size = 0;
        foreach (var (_, id, _) in entries)
        {
            if (id < 0) throw new ModelFormatException($"token id {id} is negative");
            size = Math.Max(size, id + 1);
        }
        var texts = new string[size];
        var types = new TokenType[size];
        Array.Fill(texts, "");
        Array.Fill(types, TokenType.Unused);
        foreach (var (text, id, type) in entries)
        {
            texts[id] = text;
            types[id] = type;
        }
        var scoreArray = scores == null ? null : new float[size];
        scores?.CopyTo(scoreArray!);
        return (new Vocabulary(texts, types, scoreArray), strips);
    }

    /// <summary>
    /// BOS and EOS: the post-processor's template says which markers wrap a single sequence; tokenizer_config.json's
    /// bos_token / eos_token name them and add_bos_token / add_eos_token, when present, say whether encoding adds them.
    /// </summary>
    static SpecialTokenSettings ReadSettings(JsonElement root, JsonElement config, Vocabulary vocabulary)
    {
        int? prefix = null, suffix = null;
        ReadTemplate(Property(root, "post_processor"), vocabulary, ref prefix, ref suffix);
        if (prefix is int p && !vocabulary.Contains(p)) prefix = null;
        if (suffix is int s && !vocabulary.Contains(s)) suffix = null;
        var bos = prefix ?? vocabulary.IdOf(TokenContent(config, "bos_token"));
        var eos = vocabulary.IdOf(TokenContent(config, "eos_token")) ?? suffix;
        var addBos = Bool(config, "add_bos_token") ?? prefix != null;
        var addEos = Bool(config, "add_eos_token") ?? suffix != null;
        return new SpecialTokenSettings(bos, eos, addBos, addEos, []);
    }

    static void ReadTemplate(JsonElement processor, Vocabulary vocabulary, ref int? prefix, ref int? suffix)
    {
        switch (String(processor, "type"))
        {
            case "Sequence":
                foreach (var inner in processor.GetProperty("processors").EnumerateArray()) ReadTemplate(inner, vocabulary, ref prefix, ref suffix);
                break;
            case "BertProcessing" or "RobertaProcessing":
                prefix = MarkerId(processor.GetProperty("cls"), vocabulary);
                suffix = MarkerId(processor.GetProperty("sep"), vocabulary);
                break;
            case "TemplateProcessing":
                var seenSequence = false;
                foreach (var piece in processor.GetProperty("single").EnumerateArray())
                {
                    if (piece.TryGetProperty("Sequence", out _))
                    {
                        seenSequence = true;
                        continue;
                    }
                    if (!piece.TryGetProperty("SpecialToken", out var special)) continue;
                    var name = special.GetProperty("id").GetString()!;
                    var id = processor.TryGetProperty("special_tokens", out var table) && table.TryGetProperty(name, out var entry)
                             && entry.TryGetProperty("ids", out var ids) && ids.GetArrayLength() > 0
                        ? ids[0].GetInt32()
                        : vocabulary.IdOf(name);
                    if (!seenSequence) prefix ??= id;
                    else suffix ??= id;
                }
                break;
        }
    }

    /// <summary>A ["[CLS]", 101] pair of Bert/RobertaProcessing.</summary>
    static int? MarkerId(JsonElement marker, Vocabulary vocabulary) =>
        marker.ValueKind == JsonValueKind.Array && marker.GetArrayLength() == 2 ? marker[1].GetInt32() : vocabulary.IdOf(marker.GetString());

    static void AddSplitters(JsonElement preTokenizer, List<TextSplitter> steps, ref bool addPrefixSpace)
    {
        var type = String(preTokenizer, "type");
        switch (type)
        {
            case null:
                break;
            case "Sequence":
                foreach (var inner in preTokenizer.GetProperty("pretokenizers").EnumerateArray()) AddSplitters(inner, steps, ref addPrefixSpace);
                break;
            case "ByteLevel":
                // Hugging Face's ByteLevel defaults: add_prefix_space and use_regex on.
                addPrefixSpace = Bool(preTokenizer, "add_prefix_space") ?? true;
                if (Bool(preTokenizer, "use_regex") ?? true) steps.Add(Gpt2Splitter.Instance);
                break;
            case "Split":
                var pattern = preTokenizer.GetProperty("pattern");
                var behavior = Behavior(String(preTokenizer, "behavior") ?? "Isolated");
                var invert = Bool(preTokenizer, "invert") ?? false;
                if (pattern.TryGetProperty("Regex", out var regex))
                {
                    var text = regex.GetString()!;
                    steps.Add(behavior == SplitBehavior.Isolated && !invert ? SplitPatterns.SplitterFor(text) : new RegexSplitter(text, behavior, invert));
                }
                else steps.Add(new RegexSplitter(Regex.Escape(pattern.GetProperty("String").GetString()!), behavior, invert));
                break;
            case "Digits":
                steps.Add(new RegexSplitter(Bool(preTokenizer, "individual_digits") ?? false ? @"\p{N}" : @"\p{N}+"));
                break;
            case "Punctuation":
                steps.Add(new RegexSplitter(SplitPatterns.Punctuation, Behavior(String(preTokenizer, "behavior") ?? "Isolated")));
                break;
            case "Whitespace":
                steps.Add(new RegexSplitter(@"\w+|[^\w\s]+", SplitBehavior.Removed, invert: true));
                break;
            case "WhitespaceSplit":
                steps.Add(new RegexSplitter(@"\s+", SplitBehavior.Removed));
                break;
            default:
                throw new ModelFormatException($"pre-tokenizer '{type}' is not supported");
        }
    }

    static SplitBehavior Behavior(string name) => name switch
    {
        "Isolated" => SplitBehavior.Isolated,
        "Removed" => SplitBehavior.Removed,
        "MergedWithPrevious" => SplitBehavior.MergedWithPrevious,
        "MergedWithNext" => SplitBehavior.MergedWithNext,
        "Contiguous" => SplitBehavior.Contiguous,
        _ => throw new ModelFormatException($"split behavior '{name}' is not known"),
    };

    static TextNormalizer? ReadNormalizer(JsonElement normalizer)
    {
        var steps = new List<Func<string, string>>();
        AddNormalizerSteps(normalizer, steps);
        return steps.Count == 0 ? null : new TextNormalizer(steps);
    }

    static void AddNormalizerSteps(JsonElement normalizer, List<Func<string, string>> steps)
    {
        var type = String(normalizer, "type");
        switch (type)
        {
            case null:
                break;
            case "Sequence":
                foreach (var inner in normalizer.GetProperty("normalizers").EnumerateArray()) AddNormalizerSteps(inner, steps);
                break;
            case "NFC": steps.Add(TextNormalizer.UnicodeForm(NormalizationForm.FormC)); break;
            case "NFD": steps.Add(TextNormalizer.UnicodeForm(NormalizationForm.FormD)); break;
            case "NFKC": steps.Add(TextNormalizer.UnicodeForm(NormalizationForm.FormKC)); break;
            case "NFKD": steps.Add(TextNormalizer.UnicodeForm(NormalizationForm.FormKD)); break;
            case "Lowercase": steps.Add(TextNormalizer.Lowercase); break;
            case "Precompiled":
                var charsMap = String(normalizer, "precompiled_charsmap");
                if (!string.IsNullOrEmpty(charsMap)) steps.Add(PrecompiledCharsMap.Parse(Convert.FromBase64String(charsMap)).Normalize);
                break;
            case "Prepend": steps.Add(TextNormalizer.Prepend(String(normalizer, "prepend") ?? "")); break;
            case "Strip": steps.Add(TextNormalizer.Strip(Bool(normalizer, "strip_left") ?? true, Bool(normalizer, "strip_right") ?? true)); break;
            case "Replace":
                var pattern = normalizer.GetProperty("pattern");
                var content = String(normalizer, "content") ?? "";
                if (pattern.TryGetProperty("String", out var literal)) steps.Add(TextNormalizer.Replace(literal.GetString()!, content));
                else
                {
                    var regex = new Regex(OnigurumaPattern.ToDotNet(pattern.GetProperty("Regex").GetString()!), RegexOptions.CultureInvariant | RegexOptions.Multiline);
                    steps.Add(text => regex.Replace(text, content));
                }
                break;
            default:
                throw new ModelFormatException($"normalizer '{type}' is not supported");
        }
    }

    /// <summary>Whether a component, or one nested in a Sequence, has the given type.</summary>
    static bool Mentions(JsonElement component, string type) => Find(component, type).ValueKind == JsonValueKind.Object;

    /// <summary>The component of the given type, itself or nested in a Sequence; default when there is none.</summary>
    static JsonElement Find(JsonElement component, string type)
    {
        if (component.ValueKind != JsonValueKind.Object) return default;
        if (String(component, "type") == type) return component;
        foreach (var list in (string[])["pretokenizers", "decoders", "processors", "normalizers"])
            if (component.TryGetProperty(list, out var inner) && inner.ValueKind == JsonValueKind.Array)
                foreach (var item in inner.EnumerateArray())
                    if (Find(item, type) is { ValueKind: JsonValueKind.Object } found) return found;
        return default;
    }

    /// <summary>A special token named in tokenizer_config.json, either as its text or as {"content": text}.</summary>
    static string? TokenContent(JsonElement config, string key)
    {
        var value = Property(config, key);
        return value.ValueKind switch
        {
            JsonValueKind.String => value.GetString(),
            JsonValueKind.Object => String(value, "content"),
            _ => null,
        };
    }

    static JsonElement Property(JsonElement element, string name) =>
        element.ValueKind == JsonValueKind.Object && element.TryGetProperty(name, out var value) ? value : default;

    static string? String(JsonElement element, string name) =>
        Property(element, name) is { ValueKind: JsonValueKind.String } value ? value.GetString() : null;

    static bool? Bool(JsonElement element, string name) =>
        Property(element, name).ValueKind switch
        {
            JsonValueKind.True => true,
            JsonValueKind.False => false,
            _ => null,
        };
}

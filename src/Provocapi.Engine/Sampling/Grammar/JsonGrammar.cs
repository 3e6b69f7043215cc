using System.Collections.Concurrent;
using System.Runtime.CompilerServices;
using System.Text.Json;
using Provocapi.Engine.Tokenizers;

namespace Provocapi.Engine.Sampling.Grammar;

/// <summary>
/// A JSON output grammar for one tokenizer: a schema (or any object, for JSON mode) and the token masks of the
/// states met so far. Masks depend only on the state, and generation keeps meeting the same states (inside a string,
/// after a comma at the same depth), so most steps reuse one instead of walking the vocabulary. Immutable apart
/// from that cache; shared by every sequence that uses it.
/// </summary>
public sealed class JsonGrammar
{
    /// <summary>Tokens held by all cached masks together (6 bytes each): about 48 MB, whatever the vocabulary.</summary>
    const long MaxCachedTokens = 8_000_000;
    static readonly ConditionalWeakTable<Tokenizer, JsonGrammar> ObjectGrammars = new();

    readonly ConcurrentDictionary<JsonMatcher, TokenMask> _masks = new();
    long _cachedTokens;

    public Tokenizer Tokenizer { get; }
    public TokenTrie Trie { get; }
    public JsonSchemaNode Root { get; }

    public JsonGrammar(Tokenizer tokenizer, JsonSchemaNode root)
    {
        Tokenizer = tokenizer;
        Trie = TokenTrie.For(tokenizer);
        Root = root;
    }

    /// <summary>JSON mode (<c>response_format: json_object</c>): any object. One per tokenizer, so its masks serve every request.</summary>
    public static JsonGrammar AnyObject(Tokenizer tokenizer) => ObjectGrammars.GetValue(tokenizer, t => new JsonGrammar(t, ObjectNode.AnyProperties));

    /// <exception cref="JsonSchemaException">The schema is invalid or uses what cannot be enforced.</exception>
    public static JsonGrammar ForSchema(Tokenizer tokenizer, JsonElement schema) => new(tokenizer, JsonSchemaCompiler.Compile(schema));

    /// <summary>The state before any output.</summary>
    public JsonMatcher Start() => new RootMatcher(JsonMatcher.Start(Root));

    /// <summary>A fresh constraint for one sequence; <paramref name="endTokens"/> are allowed once the value is complete.</summary>
    public JsonConstraint Begin(IReadOnlySet<int> endTokens) => new(this, endTokens);

    public TokenMask MaskFor(JsonMatcher state)
    {
        if (_masks.TryGetValue(state, out var mask)) return mask;
        mask = TokenMask.Of(Trie, state);
        if (Interlocked.Add(ref _cachedTokens, mask.Tokens.Length) > MaxCachedTokens)
        {
            _masks.Clear();
            Interlocked.Exchange(ref _cachedTokens, mask.Tokens.Length);
        }
        _masks[state] = mask;
        return mask;
    }
}

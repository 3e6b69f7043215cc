using System.Text;
using System.Text.Json;
using Provocapi.Engine.Formats.Gguf;
using Provocapi.Engine.Sampling;
using Provocapi.Engine.Sampling.Grammar;
using Provocapi.Engine.Tokenizers;
using Provocapi.Tests;

namespace Provocapi.Engine.Tests.Sampling.Grammar;

public class TokenMaskTests
{
    const string Schema = """
        {"type":"object","properties":{"city":{"type":"string"},"unit":{"enum":["celsius","fahrenheit"]},"days":{"type":"array","items":{"type":"integer"},"minItems":1},
         "ok":{"type":"boolean"},"note":{"type":["string","null"]}},"required":["city","days"]}
        """;

    /// <summary>Bounded strings, integers and numbers (one a multiple of 0.125), a range of negatives of each kind;
    /// its shortest value, {"code":"aaa","age":18,"temp":-10,"score":0.3,"delta":-1.5}, is 59 bytes.</summary>
    const string Bounded = """
        {"type":"object","properties":{"code":{"type":"string","minLength":3,"maxLength":5},"age":{"type":"integer","minimum":18,"exclusiveMaximum":100},
         "temp":{"type":"integer","minimum":-40,"maximum":-10},"score":{"type":"number","minimum":0.25,"exclusiveMaximum":0.5},
         "delta":{"type":"number","minimum":-1.5,"maximum":-1.25,"multipleOf":0.125}},"required":["code","age","temp","score","delta"]}
        """;

    public static TheoryData<string> Vocabularies => ["ggml-vocab-gpt-2.gguf", "ggml-vocab-llama-spm.gguf"];

    static Tokenizer Load(string vocabulary)
    {
        using var file = GgufFile.Open(TestData.Path("tokenizers", vocabulary));
        return Tokenizer.FromGguf(file);
    }

    [Theory]
    [MemberData(nameof(Vocabularies))]
    public void Trie_walk_equals_the_token_by_token_reference(string vocabulary)
    {
        var tokenizer = Load(vocabulary);
        using var schema = JsonDocument.Parse(Schema);
        using var bounded = JsonDocument.Parse(Bounded);
        var trie = TokenTrie.For(tokenizer);
        foreach (var (root, text) in new (JsonSchemaNode, string)[]
                 {
                     (ObjectNode.AnyProperties, """ {"a": [1, {"b": "x\u00e9 ✓"}], "c": -0.5e1, "d": null}"""),
                     (JsonSchemaCompiler.Compile(schema.RootElement), """{"unit":"fahrenheit","city":"Oslo","days":[1,22],"note":null,"ok":true}"""),
                     (JsonSchemaCompiler.Compile(bounded.RootElement), """{"temp":-25,"code":"a\u00e9✓d","score":0.3125,"age":42,"delta":-1.375}"""),
                 })
        {
            var grammar = new JsonGrammar(tokenizer, root);
            var bytes = Encoding.UTF8.GetBytes(text);
            for (var i = 0; i <= bytes.Length; i++)
            {
                var state = grammar.Start().StepAll(bytes.AsSpan(0, i))!;
                var fast = TokenMask.Of(trie, state);
                var reference = TokenMask.Reference(tokenizer, state);
                var order = fast.Tokens.Select((t, k) => (t, r: fast.Remaining[k])).OrderBy(p => p.t).ToArray();
                Assert.Equal(reference.Tokens, order.Select(p => p.t));
                Assert.Equal(reference.Remaining, order.Select(p => p.r));
                Assert.Equal(reference.CanEnd, fast.CanEnd);
                Assert.NotEmpty(fast.Tokens.Concat(fast.CanEnd ? [-1] : []));
            }
        }
    }

    [Theory]
    [InlineData("ggml-vocab-gpt-2.gguf", 24)]
    [InlineData("ggml-vocab-gpt-2.gguf", 200)]
    [InlineData("ggml-vocab-llama-spm.gguf", 40)]
    public void Random_logits_under_the_constraint_give_valid_json_within_the_budget(string vocabulary, int budget)
    {
        var tokenizer = Load(vocabulary);
        using var schema = JsonDocument.Parse(Schema);
        foreach (var grammar in new[] { JsonGrammar.AnyObject(tokenizer), JsonGrammar.ForSchema(tokenizer, schema.RootElement) })
            for (var seed = 0; seed < 6; seed++)
            {
                var (text, complete) = RandomOutput(tokenizer, grammar, seed, budget);
                Assert.True(complete, $"seed {seed}: unfinished after {budget} tokens: {text}");
                using var document = JsonDocument.Parse(text);
                if (grammar.Root is not ObjectNode { IsOpen: true })
                    Assert.Null(SchemaValidator.Problem(document.RootElement, schema.RootElement));
                else Assert.Equal(JsonValueKind.Object, document.RootElement.ValueKind);
            }
    }

    [Theory]
    [MemberData(nameof(Vocabularies))]
    public void Random_logits_keep_bounded_strings_and_numbers_within_their_bounds(string vocabulary)
    {
        var tokenizer = Load(vocabulary);
        using var schema = JsonDocument.Parse(Bounded);
        var grammar = JsonGrammar.ForSchema(tokenizer, schema.RootElement);
        Assert.Equal(59, grammar.Root.MinLength);
        for (var seed = 0; seed < 12; seed++)
        {
            var (text, complete) = RandomOutput(tokenizer, grammar, seed, budget: 72);
            Assert.True(complete, $"seed {seed}: unfinished: {text}");
            using var document = JsonDocument.Parse(text);
            Assert.Null(SchemaValidator.Problem(document.RootElement, schema.RootElement));
        }
    }

    /// <summary>Up to <paramref name="budget"/> tokens sampled from random logits under the grammar, and whether the value is complete.</summary>
    static (string Text, bool Complete) RandomOutput(Tokenizer tokenizer, JsonGrammar grammar, int seed, int budget)
    {
        var end = tokenizer.EosId!.Value;
        var random = new Random(seed);
        var constraint = grammar.Begin(new HashSet<int> { end });
        var sampler = new Sampler(new SamplingOptions { Temperature = 1, Seed = seed });
        var output = new List<int>();
        var logits = new float[tokenizer.VocabSize];
        for (var left = budget; left > 0; left--)
        {
            for (var i = 0; i < logits.Length; i++) logits[i] = (float)(random.NextDouble() * 8);
            constraint.Mask(logits, left);
            var token = sampler.Sample(logits);
            if (token == end) break;
            constraint.Accept(token);
            output.Add(token);
        }
        return (tokenizer.Decode(output.ToArray()), constraint.IsComplete);
    }
}

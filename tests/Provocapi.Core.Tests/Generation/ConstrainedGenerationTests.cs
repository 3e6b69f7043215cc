using System.Text.Json;
using Provocapi.Core.Generation;
using Provocapi.Engine.Sampling;
using Provocapi.Engine.Sampling.Grammar;
using Provocapi.Tests;

namespace Provocapi.Core.Tests.Generation;

/// <summary>The fixture model has random weights: whatever it writes under a JSON grammar must still parse and validate.</summary>
public sealed class ConstrainedGenerationTests(ModelFixture fixture) : IClassFixture<ModelFixture>
{
    const string Schema = """
        {"type":"object","properties":{"name":{"type":"string"},"age":{"type":"integer"},"tags":{"type":"array","items":{"enum":["x","y"]}},
         "score":{"anyOf":[{"type":"number"},{"type":"null"}]},"admin":{"type":"boolean"}},"required":["name","age","admin"]}
        """;

    [Theory]
    [InlineData(false, 40)]
    [InlineData(true, 40)]
    [InlineData(true, 120)]
    public async Task Output_parses_and_validates_whatever_the_weights(bool withSchema, int maxTokens)
    {
        using var schema = JsonDocument.Parse(Schema);
        var tokenizer = fixture.Model.Model.Tokenizer;
        var grammar = withSchema ? JsonGrammar.ForSchema(tokenizer, schema.RootElement) : JsonGrammar.AnyObject(tokenizer);
        // Sequences sharing the grammar run in one batch, greedy and sampled.
        var results = await Task.WhenAll(Enumerable.Range(0, 6).Select(seed => fixture.Model.GenerateTextAsync(new GenerationRequest
        {
            Prompt = "Reply in JSON:",
            Sampling = seed == 0 ? SamplingOptions.Greedy : new SamplingOptions { Temperature = 1.5f, Seed = seed },
            MaxTokens = maxTokens,
            Grammar = grammar,
        })));
        foreach (var result in results)
        {
            using var document = JsonDocument.Parse(result.Text);
            Assert.Equal(JsonValueKind.Object, document.RootElement.ValueKind);
            if (withSchema) Assert.Null(SchemaValidator.Problem(document.RootElement, schema.RootElement));
            Assert.True(result.CompletionTokens <= maxTokens);
        }
    }

    [Fact]
    public async Task Unconstrained_output_of_the_same_model_is_not_json()
    {
        var result = await fixture.Model.GenerateTextAsync(new GenerationRequest { Prompt = "Reply in JSON:", Sampling = SamplingOptions.Greedy, MaxTokens = 40 });
        Assert.ThrowsAny<JsonException>(() => JsonDocument.Parse(result.Text));
    }
}

using System.Globalization;
using System.Text;
using System.Text.Json;
using System.Text.RegularExpressions;
using Provocapi.Engine.Sampling.Grammar;

namespace Provocapi.Engine.Tests.Sampling.Grammar;

/// <summary>Bounded numbers against the obvious reference: every string of up to five bytes, judged by a regular
/// expression and decimal arithmetic.</summary>
public partial class NumberMatcherTests
{
    const int Horizon = 5;
    const string Alphabet = "-.0123456789";

    [GeneratedRegex(@"^-?(0|[1-9][0-9]*)(\.[0-9]+)?$")]
    private static partial Regex PlainNumber();

    [Theory]
    [InlineData("""{"type":"number","minimum":0.25,"exclusiveMaximum":0.5}""")]
    [InlineData("""{"type":"number","minimum":-1.5,"maximum":-1.25}""")]
    [InlineData("""{"type":"number","exclusiveMinimum":0,"maximum":0.2}""")]
    [InlineData("""{"type":"number","minimum":-0.05,"maximum":0.05}""")]
    [InlineData("""{"type":"number","minimum":10,"maximum":12.5}""")]
    [InlineData("""{"type":"number","minimum":3,"maximum":3}""")]
    [InlineData("""{"type":"number","maximum":-99.9}""")]
    [InlineData("""{"type":"integer","minimum":-12,"exclusiveMaximum":130}""")]
    [InlineData("""{"type":"number","multipleOf":0.25,"minimum":-1,"maximum":1}""")]
    [InlineData("""{"type":"number","multipleOf":3}""")]
    [InlineData("""{"type":"number","multipleOf":0.3,"exclusiveMinimum":0.3}""")]
    [InlineData("""{"type":"integer","multipleOf":7,"minimum":-20}""")]
    [InlineData("""{"type":"integer","multipleOf":2.5,"maximum":30}""")]
    public void Each_prefix_is_taken_exactly_when_it_can_end_within_the_bounds_and_priced_at_its_shortest_end(string schemaText)
    {
        using var schema = JsonDocument.Parse(schemaText);
        var node = JsonSchemaCompiler.Compile(schema.RootElement);
        var integer = schema.RootElement.GetProperty("type").GetString() == "integer";
        decimal Bound(string keyword, decimal none) => schema.RootElement.TryGetProperty(keyword, out var v) ? v.GetDecimal() : none;
        var (min, above, max, below) = (Bound("minimum", decimal.MinValue), Bound("exclusiveMinimum", decimal.MinValue), Bound("maximum", decimal.MaxValue), Bound("exclusiveMaximum", decimal.MaxValue));
        var step = Bound("multipleOf", 0);
        bool Valid(string text) => PlainNumber().IsMatch(text) && (!integer || !text.Contains('.'))
            && decimal.Parse(text, CultureInfo.InvariantCulture) is var value && value >= min && value > above && value <= max && value < below
            && (step == 0 || value % step == 0);

        var strings = Strings(Horizon).ToList();
        // The shortest valid string within the horizon that starts with each prefix, as the bytes still to write.
        var shortest = new Dictionary<string, int>();
        foreach (var text in strings.Where(Valid))
            for (var i = 0; i <= text.Length; i++)
                if (!shortest.TryGetValue(text[..i], out var known) || text.Length - i < known) shortest[text[..i]] = text.Length - i;

        foreach (var prefix in strings.Prepend(""))
        {
            var state = JsonMatcher.Start(node).StepAll(Encoding.ASCII.GetBytes(prefix));
            if (shortest.TryGetValue(prefix, out var remaining))
            {
                Assert.True(state != null, $"'{prefix}' was refused, but it can end as a valid number");
                Assert.True(remaining == state.MinRemaining, $"'{prefix}': {state.MinRemaining} bytes to end, the shortest valid end takes {remaining}");
                Assert.Equal(remaining == 0, state.CanEnd);
            }
            else
                // Taken only if its end lies past the horizon.
                Assert.True(state == null || state.MinRemaining > Horizon - prefix.Length, $"'{prefix}' was taken, priced {state?.MinRemaining}, but nothing within the horizon ends it validly");
        }
    }

    static IEnumerable<string> Strings(int length)
    {
        IEnumerable<string> level = [""];
        for (var n = 1; n <= length; n++)
        {
            level = level.SelectMany(s => Alphabet.Select(c => s + c)).ToList();
            foreach (var s in level) yield return s;
        }
    }
}

using System.Text;
using System.Text.Json;
using Provocapi.Engine.Sampling.Grammar;

namespace Provocapi.Engine.Tests.Sampling.Grammar;

public class JsonMatcherTests
{
    const string Person = """
        {"type":"object","properties":{"name":{"type":"string"},"age":{"type":"integer"},"tags":{"type":"array","items":{"enum":["a","b"]},"maxItems":2},
         "pet":{"anyOf":[{"type":"null"},{"type":"object","properties":{"kind":{"const":"cat"}},"required":["kind"]}]}},"required":["name","age"]}
        """;

    static JsonMatcher? Run(JsonSchemaNode node, string text) => Run(node, Encoding.UTF8.GetBytes(text));

    static JsonMatcher? Run(JsonSchemaNode node, byte[] bytes) => new RootMatcher(JsonMatcher.Start(node)).StepAll(bytes);

    static bool Accepts(JsonSchemaNode node, string text) => Run(node, text) is { CanEnd: true };

    [Theory]
    [InlineData("{}")]
    [InlineData(" {\"a\": [1, -2.5e3, true, false, null, \"x\\n\\u00e9\"], \"b\": {\"c\": {}}}")]
    [InlineData("{\"é\":\"ünïcödé ✓ 😀\"}")]
    [InlineData("{\n  \"k\": 0\n}")]
    public void Any_object_accepts_valid_json(string text) => Assert.True(Accepts(ObjectNode.AnyProperties, text));

    /// <summary>Every lead byte and second byte, the rest filled with the lowest and the highest continuation byte:
    /// a string takes exactly the well-formed UTF-8 (Utf8.IsValid), and a bounded one counts each sequence once.</summary>
    [Fact]
    public void Strings_take_exactly_the_well_formed_utf8()
    {
        var bounded = new StringNode(1, 1);
        for (var lead = 0x20; lead <= 0xFF; lead++)
            for (var second = 0x20; second <= 0xFF; second++)
                foreach (var rest in new byte[] { 0x80, 0xBF })
                    for (var length = 1; length <= 4; length++)
                    {
                        if (length == 1 && second > 0x20) continue;
                        var bytes = new[] { (byte)lead, (byte)second, rest, rest }[..length];
                        if (bytes.Any(b => b is (byte)'"' or (byte)'\\')) continue;
                        var quoted = new[] { (byte)'"' }.Concat(bytes).Append((byte)'"').ToArray();
                        var valid = System.Text.Unicode.Utf8.IsValid(bytes);
                        Assert.True(valid == Run(StringNode.Instance, quoted) is { CanEnd: true }, Convert.ToHexString(bytes));
                        var oneChar = valid && Encoding.UTF8.GetString(bytes).EnumerateRunes().Count() == 1;
                        Assert.True(oneChar == Run(bounded, quoted) is { CanEnd: true }, Convert.ToHexString(bytes));
                    }
    }

    [Theory]
    [InlineData("{\"a\": [1, 2], \"b\" : {}}", true)]
    [InlineData(" {\"a\":1}", true)]
    [InlineData("\n{\"a\":1}", true)]
    [InlineData("{\n  \"a\": [\n    1,\n    2\n  ]\n}", true)]
    [InlineData("{\n\t\"a\": {\n\t\t\"b\": 1\n\t}\n}", true)]
    [InlineData("{\n                    \"a\":1}", true)]
    [InlineData("{\n                     \"a\":1}", false)]
    [InlineData("{\"a\":  1}", false)]
    [InlineData("{\"a\":\t1}", false)]
    [InlineData("{\n\n\"a\":1}", false)]
    [InlineData("{\"a\":1 \n}", false)]
    [InlineData("{\"a\":1\r\n}", false)]
    [InlineData("  {\"a\":1}", false)]
    [InlineData("\t{\"a\":1}", false)]
    [InlineData("[1,\t2]", false)]
    public void Whitespace_is_none_a_space_or_a_newline_and_indentation(string text, bool valid) =>
        Assert.Equal(valid, Accepts(AnyValueNode.Instance, text));

    [Theory]
    [InlineData("[]")]
    [InlineData("{\"a\":}")]
    [InlineData("{\"a\":1,}")]
    [InlineData("{\"a\" 1}")]
    [InlineData("{'a':1}")]
    [InlineData("{\"a\":01}")]
    [InlineData("{\"a\":1.}")]
    [InlineData("{\"a\":\"\u0001\"}")]
    [InlineData("{\"a\":\"\\x\"}")]
    [InlineData("{\"a\":\"\\ud800\"}")]
    [InlineData("{\"a\":tru}")]
    [InlineData("{\"a\":1}}")]
    public void Any_object_refuses_invalid_json(string text) => Assert.False(Accepts(ObjectNode.AnyProperties, text));

    [Theory]
    [InlineData("""{"a":1,"b":2,"c":3}""", true)]
    [InlineData("""{"a":1,"c":3}""", true)]
    [InlineData("""{"c":3}""", false)]
    [InlineData("""{"b":2,"a":1,"c":3}""", false)]
    [InlineData("""{"a":1,"c":3,"b":2}""", false)]
    [InlineData("""{"a":1,"b":2}""", false)]
    public void An_ordered_object_takes_its_properties_in_order_skipping_only_optional_ones(string text, bool valid)
    {
        var number = NumberNode.Integer;
        var ordered = new ObjectNode([("a", number), ("b", number), ("c", number)], required: 0b101, ordered: true);
        Assert.Equal(valid, Accepts(ordered, text));
        // Unordered, the same properties may come in any order.
        Assert.True(Accepts(new ObjectNode([("a", number), ("b", number), ("c", number)], required: 0b101), """{"c":3,"a":1}"""));
    }

    [Theory]
    [InlineData("""{"name":"Ada","age":36}""", true)]
    [InlineData("""{"age":36,"name":"Ada","tags":["b","a"],"pet":null}""", true)]
    [InlineData("""{"name":"Ada","age":36,"pet":{"kind":"cat"}}""", true)]
    [InlineData("""{"name":"Ada"}""", false)]
    [InlineData("""{"name":"Ada","age":36.5}""", false)]
    [InlineData("""{"name":"Ada","age":36,"name":"Bo"}""", false)]
    [InlineData("""{"name":"Ada","age":36,"nick":"A"}""", false)]
    [InlineData("""{"name":"Ada","age":36,"tags":["a","b","a"]}""", false)]
    [InlineData("""{"name":"Ada","age":36,"tags":["c"]}""", false)]
    [InlineData("""{"name":"Ada","age":36,"pet":{"kind":"dog"}}""", false)]
    [InlineData("""{"name":"Ada","age":36,"pet":{}}""", false)]
    [InlineData("""{"name":1,"age":36}""", false)]
    public void Schema_is_enforced(string text, bool valid)
    {
        using var schema = JsonDocument.Parse(Person);
        Assert.Equal(valid, Accepts(JsonSchemaCompiler.Compile(schema.RootElement), text));
        // The test's own validator agrees on what the matcher accepts.
        if (valid) Assert.Null(Provocapi.Tests.SchemaValidator.Problem(JsonDocument.Parse(text).RootElement, schema.RootElement));
    }

    [Fact]
    public void MinRemaining_is_the_length_of_a_shortest_completion()
    {
        using var schema = JsonDocument.Parse(Person);
        var node = JsonSchemaCompiler.Compile(schema.RootElement);
        const string text = """{"tags":["a"],"name":"Ada","age":36}""";
        Assert.Equal("""{"name":"","age":0}""".Length, Run(node, "")!.MinRemaining);
        Assert.Equal(1, Run(node, text[..^1])!.MinRemaining);
        Assert.Equal("\"],\"name\":\"\",\"age\":0}".Length, Run(node, """{"tags":["a""")!.MinRemaining);
    }

    [Theory]
    [InlineData("\"ab\"", true)]
    [InlineData("\"abcd\"", true)]
    [InlineData("\"é😀\"", true)]            // two code points in six bytes
    [InlineData("\"\\n\\u00e9\\\"\"", true)]  // three escapes, three characters
    [InlineData("\"a\"", false)]
    [InlineData("\"\"", false)]
    [InlineData("\"abcde\"", false)]
    [InlineData("\"😀😀😀😀😀\"", false)]
    public void String_lengths_count_code_points(string text, bool valid)
    {
        using var schema = JsonDocument.Parse("""{"type":"string","minLength":2,"maxLength":4}""");
        var node = JsonSchemaCompiler.Compile(schema.RootElement);
        Assert.Equal(valid, Accepts(node, text));
        Assert.Equal(4, Run(node, "")!.MinRemaining);
        Assert.Equal(2, Run(node, "\"a")!.MinRemaining);
        Assert.Equal(1, Run(node, "\"ab")!.MinRemaining);
        // At maxLength only the closing quote may come.
        Assert.Null(Run(node, "\"abcdé"));
        Assert.Null(Run(node, "\"abcd\\"));
    }

    [Theory]
    [InlineData("-5", true)]
    [InlineData("-0", true)]
    [InlineData("0", true)]
    [InlineData("7", true)]
    [InlineData("119", true)]
    [InlineData("-6", false)]
    [InlineData("120", false)]
    [InlineData("1000", false)]
    [InlineData("-10", false)]
    [InlineData("5.5", false)]
    public void Integer_bounds_hold_and_every_prefix_can_still_end_within_them(string text, bool valid)
    {
        using var schema = JsonDocument.Parse("""{"type":"integer","minimum":-5.5,"exclusiveMaximum":120}""");
        var node = JsonSchemaCompiler.Compile(schema.RootElement);
        Assert.Equal(valid, Accepts(node, text));
        if (valid) Assert.Null(Provocapi.Tests.SchemaValidator.Problem(JsonDocument.Parse(text).RootElement, schema.RootElement));
        // A prefix is taken only while some completion is within bounds: "-1" may not go on to "-10", "12" may not to "120".
        Assert.NotNull(Run(node, "-1"));
        Assert.Null(Run(node, "-10"));
        Assert.NotNull(Run(node, "12"));
        Assert.Null(Run(node, "120"));
    }

    [Theory]
    [InlineData("0.1", true)]
    [InlineData("0.10", true)]
    [InlineData("0.5", true)]
    [InlineData("0.999999999999999", true)]
    [InlineData("-0.0", false)]
    [InlineData("0.0999", false)]
    [InlineData("1", false)]
    [InlineData("1.0", false)]
    [InlineData("1e-1", false)]   // a bounded number is written without an exponent
    public void Number_bounds_hold_exactly_in_decimal_and_every_prefix_can_still_end_within_them(string text, bool valid)
    {
        using var schema = JsonDocument.Parse("""{"type":"number","minimum":0.1,"exclusiveMaximum":1}""");
        var node = JsonSchemaCompiler.Compile(schema.RootElement);
        Assert.Equal(valid, Accepts(node, text));
        if (valid) Assert.Null(Provocapi.Tests.SchemaValidator.Problem(JsonDocument.Parse(text).RootElement, schema.RootElement));
        // "0.0" and "1" can only go on to values out of bounds, and no negative is in them.
        Assert.NotNull(Run(node, "0.1"));
        Assert.Null(Run(node, "0.0"));
        Assert.Null(Run(node, "1"));
        Assert.Null(Run(node, "-"));
    }

    [Theory]
    [InlineData("""{"type":"number","maximum":0.3}""", "0.3", true)]
    [InlineData("""{"type":"number","exclusiveMaximum":0.3}""", "0.3", false)]
    [InlineData("""{"type":"number","exclusiveMaximum":0.3}""", "0.299999999999999", true)]
    [InlineData("""{"type":"number","exclusiveMinimum":0}""", "0.000000000000001", true)]
    [InlineData("""{"type":"number","exclusiveMinimum":0}""", "0", false)]
    [InlineData("""{"type":"number","minimum":1e-40}""", "0.000000000000001", true)]
    [InlineData("""{"type":"number","minimum":1e-40}""", "0", false)]
    [InlineData("""{"type":"number","minimum":-1e400,"maximum":2.5e1}""", "-999999999999999.5", true)]
    [InlineData("""{"type":"number","minimum":-1e400,"maximum":2.5e1}""", "25.000000000000001", false)]
    [InlineData("""{"type":"number","multipleOf":0.25}""", "0.75", true)]
    [InlineData("""{"type":"number","multipleOf":0.25}""", "-1.50", true)]
    [InlineData("""{"type":"number","multipleOf":0.25}""", "0.7", false)]
    [InlineData("""{"type":"number","multipleOf":0.1}""", "0.3", true)]      // 0.3 % 0.1 is not 0 in doubles
    [InlineData("""{"type":"integer","multipleOf":2.5}""", "10", true)]
    [InlineData("""{"type":"integer","multipleOf":2.5}""", "15", true)]
    [InlineData("""{"type":"integer","multipleOf":2.5}""", "12", false)]
    [InlineData("""{"type":"integer","multipleOf":1e20}""", "0", true)]
    [InlineData("""{"type":"integer","multipleOf":1e20}""", "100", false)]
    [InlineData("""{"type":"number","exclusiveMaximum":999999999999999.99}""", "999999999999999.99", false)]
    [InlineData("""{"type":"number","exclusiveMaximum":999999999999999.99}""", "999999999999999.98", true)]
    [InlineData("""{"type":"number","minimum":0.50000000000000000000000000001}""", "0.5", false)]
    [InlineData("""{"type":"number","minimum":0.50000000000000000000000000001}""", "0.500000000000001", true)]
    [InlineData("""{"type":"number","maximum":0.49999999999999999999999999999}""", "0.5", false)]
    [InlineData("""{"type":"number","minimum":100000000000000.000000000000001}""", "100000000000000", false)]
    [InlineData("""{"type":"number","minimum":1e-400}""", "0", false)]
    [InlineData("""{"type":"number","maximum":-1e-400}""", "0", false)]
    [InlineData("""{"type":"number","maximum":-1e-400}""", "-0.000000000000001", true)]
    [InlineData("""{"type":"number","minimum":0.0001E+4,"maximum":1e99999999999999999999}""", "1", true)]
    [InlineData("""{"type":"number","minimum":0.0001E+4,"maximum":1e99999999999999999999}""", "0.999", false)]
    [InlineData("""{"type":"number","minimum":-0.0e9,"maximum":12E-1}""", "1.2", true)]
    public void Bounds_and_multipleOf_are_read_from_the_schema_text_exactly_not_rounded_through_a_double(string schemaText, string text, bool valid)
    {
        using var schema = JsonDocument.Parse(schemaText);
        Assert.Equal(valid, Accepts(JsonSchemaCompiler.Compile(schema.RootElement), text));
    }

    [Theory]
    [InlineData("""{"type":"number","multipleOf":0.125,"minimum":0.3,"maximum":0.45}""", "", 5)]
    [InlineData("""{"type":"integer","multipleOf":7,"minimum":10}""", "", 2)]
    [InlineData("""{"type":"integer","multipleOf":7,"minimum":10}""", "1", 1)]
    [InlineData("""{"type":"number","minimum":0.25,"maximum":0.26}""", "", 4)]
    [InlineData("""{"type":"number","minimum":0.25,"maximum":0.26}""", "0", 3)]
    [InlineData("""{"type":"number","minimum":0.25,"maximum":0.26}""", "0.", 2)]
    [InlineData("""{"type":"number","minimum":0.25,"maximum":0.26}""", "0.2", 1)]
    [InlineData("""{"type":"number","minimum":0.25,"maximum":0.26}""", "0.25", 0)]
    [InlineData("""{"type":"number","minimum":-2.5,"maximum":-2.4}""", "", 4)]
    [InlineData("""{"type":"number","minimum":-2.5,"maximum":-2.4}""", "-", 3)]
    [InlineData("""{"type":"number","minimum":123.5,"maximum":123.5}""", "12", 3)]
    [InlineData("""{"type":"number","minimum":100,"maximum":200}""", "", 3)]
    [InlineData("""{"type":"number","exclusiveMinimum":0}""", "", 1)]
    [InlineData("""{"type":"number","exclusiveMinimum":0,"maximum":0.5}""", "", 3)]
    [InlineData("""{"type":"integer","minimum":100,"maximum":200}""", "", 3)]
    [InlineData("""{"type":"integer","minimum":100,"maximum":200}""", "1", 2)]
    [InlineData("""{"type":"integer","minimum":100,"maximum":200}""", "20", 1)]
    [InlineData("""{"type":"integer","minimum":-50,"maximum":-10}""", "", 3)]
    [InlineData("""{"type":"integer","minimum":-50,"maximum":-10}""", "-", 2)]
    [InlineData("""{"type":"integer","minimum":-50,"maximum":-10}""", "-5", 1)]
    [InlineData("""{"type":"integer","minimum":-50,"maximum":-10}""", "-50", 0)]
    [InlineData("""{"type":"integer","exclusiveMinimum":-1}""", "", 1)]
    public void MinRemaining_of_a_bounded_number_or_integer_is_its_shortest_completion(string schemaText, string written, int remaining)
    {
        using var schema = JsonDocument.Parse(schemaText);
        var node = JsonSchemaCompiler.Compile(schema.RootElement);
        Assert.Equal(remaining, Run(node, written)!.MinRemaining);
        if (written == "") Assert.Equal(remaining, node.MinLength);
    }

    [Theory]
    [InlineData("""{"type":"number","minimum":2,"maximum":1.5}""", "no number")]
    [InlineData("""{"type":"number","exclusiveMinimum":1e15}""", "no number")]
    [InlineData("""{"type":"number","exclusiveMinimum":0.5,"exclusiveMaximum":0.500000000000001}""", "no number")]
    [InlineData("""{"type":"integer","minimum":1e400}""", "no integer")]
    [InlineData("""{"type":"number","multipleOf":0}""", "multipleOf")]
    [InlineData("""{"type":"number","multipleOf":1e-16}""", "multipleOf")]
    [InlineData("""{"type":"integer","multipleOf":2,"minimum":3,"maximum":3}""", "no integer")]
    [InlineData("""{"type":"integer","exclusiveMinimum":999999999999999}""", "no integer")]
    [InlineData("""{"type":"integer","exclusiveMaximum":-999999999999999}""", "no integer")]
    [InlineData("""{"type":"number","minimum":999999999999999.9999999999999999}""", "no number")]
    [InlineData("""{"type":"number","multipleOf":10,"minimum":999999999999991}""", "no number")]
    [InlineData("""{"type":"number","minimum":0.0001E+4,"maximum":1e-99999999999999999999}""", "no number")]
    [InlineData("""{"type":"number","multipleOf":0.1000000000000000000000000000001}""", "multipleOf")]
    [InlineData("""{"multipleOf":2}""", "'type'")]
    [InlineData("""{"minimum":1}""", "'type'")]
    [InlineData("""{"maxLength":1}""", "'type'")]
    [InlineData("""{"type":"integer","minimum":5,"maximum":4}""", "no integer")]
    [InlineData("""{"type":"integer","minimum":1e300}""", "no integer")]
    [InlineData("""{"type":"integer","exclusiveMinimum":true}""", "must be a number")]
    [InlineData("""{"type":"string","minLength":3,"maxLength":2}""", "'maxLength' is below")]
    [InlineData("""{"type":"string","minLength":-1}""", "non-negative")]
    [InlineData("""{"type":"string","pattern":"^a"}""", "pattern")]
    [InlineData("""{"type":"wat"}""", "wat")]
    [InlineData("""{"$ref":"#/$defs/a","$defs":{"a":{"$ref":"#/$defs/a"}}}""", "recursive")]
    [InlineData("""{"type":"object","properties":{"a":{}},"required":["b"]}""", "'b'")]
    [InlineData("""{"enum":[]}""", "enum")]
    [InlineData("""{"type":"object","required":["id"]}""", "'required'")]
    [InlineData("""{"type":"object","additionalProperties":{"type":"integer"}}""", "additionalProperties")]
    [InlineData("""{"type":"object","properties":{"a":{}},"anyOf":[{"required":["a"]}]}""", "'anyOf' beside 'type'")]
    [InlineData("""{"type":"object","properties":{"\ud800":{}}}""", "Unicode")]
    public void Unenforceable_schemas_are_refused(string schema, string mentioned)
    {
        using var document = JsonDocument.Parse(schema);
        var error = Assert.Throws<JsonSchemaException>(() => JsonSchemaCompiler.Compile(document.RootElement));
        Assert.Contains(mentioned, error.Message);
    }

    [Fact]
    public void Shared_definitions_compile_once_so_a_small_schema_cannot_explode()
    {
        // 16 definitions of 64 properties each, every one referring to the next: 64^16 paths, 1,024 nodes.
        var defs = string.Join(",", Enumerable.Range(0, 16).Select(i =>
            $"\"d{i}\":{{\"type\":\"object\",\"properties\":{{{string.Join(",", Enumerable.Range(0, 64).Select(k => i == 15 ? $"\"p{k}\":{{\"type\":\"integer\"}}" : $"\"p{k}\":{{\"$ref\":\"#/$defs/d{i + 1}\"}}"))}}}}}"));
        using var document = JsonDocument.Parse($"{{\"$ref\":\"#/$defs/d0\",\"$defs\":{{{defs}}}}}");
        Assert.True(Accepts(JsonSchemaCompiler.Compile(document.RootElement), "{}"));
    }

    [Theory]
    [InlineData("""{"température":"\uD7FF"}""", true)]
    [InlineData("""{"température":"\uD800"}""", false)]
    [InlineData("""{"temp\u00e9rature":"x"}""", false)]
    public void Names_are_written_in_plain_utf8_and_surrogate_escapes_are_refused(string text, bool valid)
    {
        using var schema = JsonDocument.Parse("""{"type":"object","properties":{"température":{"type":"string"}}}""");
        Assert.Equal(valid, Accepts(JsonSchemaCompiler.Compile(schema.RootElement), text));
    }

    [Fact]
    public void Refs_into_defs_are_expanded()
    {
        using var document = JsonDocument.Parse("""{"type":"array","items":{"$ref":"#/$defs/p"},"$defs":{"p":{"type":"object","properties":{"x":{"type":"number"}},"required":["x"]}}}""");
        var node = JsonSchemaCompiler.Compile(document.RootElement);
        Assert.True(Accepts(node, """[{"x":1},{"x":-0.5}]"""));
        Assert.False(Accepts(node, """[{"y":1}]"""));
    }
}

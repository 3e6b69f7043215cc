using System.Text.Json;
using OpenAI.Embeddings;
using Provocapi.Host.Platform.Callers;
using Provocapi.Tests;

namespace Provocapi.Host.Tests.Server;

/// <summary><c>POST /v1/embeddings</c> over HTTP and through the official OpenAI SDK, checked against the fixture's PyTorch reference.</summary>
public sealed class EmbeddingTests(EmbeddingServerFixture server) : IClassFixture<EmbeddingServerFixture>
{
    sealed record Reference(string Text, int[] Ids, float[] Cls);

    static readonly Reference[] References = LoadReferences();

    static Reference[] LoadReferences()
    {
        using var doc = JsonDocument.Parse(File.ReadAllBytes(TestData.Path("models", "bert-wpm-d64", "references.json")));
        return doc.RootElement.GetProperty("cases").EnumerateArray().Select(c => new Reference(
            c.GetProperty("text").GetString()!,
            c.GetProperty("ids").EnumerateArray().Select(v => v.GetInt32()).ToArray(),
            c.GetProperty("cls_normalized").EnumerateArray().Select(v => v.GetSingle()).ToArray())).ToArray();
    }

    static void AssertClose(IReadOnlyList<float> expected, IReadOnlyList<float> actual, double tolerance = 1e-4)
    {
        Assert.Equal(expected.Count, actual.Count);
        var worst = expected.Zip(actual, (e, a) => Math.Abs(e - a)).Max();
        Assert.True(worst <= tolerance, $"largest difference {worst}");
    }

    static float[] Floats(JsonElement embedding) => embedding.EnumerateArray().Select(v => v.GetSingle()).ToArray();

    static float[] FromBase64(string text)
    {
        var bytes = Convert.FromBase64String(text);
        var values = new float[bytes.Length / 4];
        for (var i = 0; i < values.Length; i++) values[i] = BitConverter.ToSingle(bytes, i * 4);
        return values;
    }

    [Theory]
    [InlineData("embed")]
    [InlineData("embed-hf")]
    public async Task Texts_embed_in_input_order_matching_the_reference_with_usage(string model)
    {
        using var client = await server.ClientAsync();

        using var response = await client.PostJsonAsync("/v1/embeddings", new { model, input = References.Select(r => r.Text).ToArray() });

        var body = await response.JsonAsync();
        Assert.True(response.IsSuccessStatusCode, body.ToString());
        Assert.Equal("list", body.GetProperty("object").GetString());
        Assert.Equal(model, body.GetProperty("model").GetString());
        var data = body.GetProperty("data").EnumerateArray().ToArray();
        Assert.Equal(References.Length, data.Length);
        for (var i = 0; i < data.Length; i++)
        {
            Assert.Equal("embedding", data[i].GetProperty("object").GetString());
            Assert.Equal(i, data[i].GetProperty("index").GetInt32());
            AssertClose(References[i].Cls, Floats(data[i].GetProperty("embedding")));
        }
        var tokens = References.Sum(r => r.Ids.Length);
        Assert.Equal(tokens, body.GetProperty("usage").GetProperty("prompt_tokens").GetInt32());
        Assert.Equal(tokens, body.GetProperty("usage").GetProperty("total_tokens").GetInt32());
        Assert.Equal(model, response.Header("X-Provocapi-Model"));
    }

    [Fact]
    public async Task A_string_token_ids_and_token_id_arrays_are_the_same_input()
    {
        using var client = await server.ClientAsync();
        var reference = References[0];

        async Task<float[][]> Embed(object input)
        {
            using var response = await client.PostJsonAsync("/v1/embeddings", new { model = "embed", input });
            var body = await response.JsonAsync();
            Assert.True(response.IsSuccessStatusCode, body.ToString());
            return body.GetProperty("data").EnumerateArray().Select(d => Floats(d.GetProperty("embedding"))).ToArray();
        }

        var text = await Embed(reference.Text);
        var ids = await Embed(reference.Ids);
        var idArrays = await Embed(new[] { reference.Ids, References[1].Ids });

        AssertClose(reference.Cls, text[0]);
        Assert.Equal(text[0], ids[0]);
        Assert.Equal(2, idArrays.Length);
        Assert.Equal(text[0], idArrays[0]);
        AssertClose(References[1].Cls, idArrays[1]);
    }

    [Fact]
    public async Task Base64_is_little_endian_float32_of_the_same_vector_and_dimensions_truncate_then_renormalize()
    {
        using var client = await server.ClientAsync();

        using var floats = await client.PostJsonAsync("/v1/embeddings", new { model = "embed", input = References[1].Text });
        using var base64 = await client.PostJsonAsync("/v1/embeddings", new { model = "embed", input = References[1].Text, encoding_format = "base64" });
        using var shortened = await client.PostJsonAsync("/v1/embeddings", new { model = "embed", input = References[1].Text, encoding_format = "float", dimensions = 16 });

        var full = Floats((await floats.JsonAsync()).GetProperty("data")[0].GetProperty("embedding"));
        Assert.Equal(full, FromBase64((await base64.JsonAsync()).GetProperty("data")[0].GetProperty("embedding").GetString()!));
        var sixteen = Floats((await shortened.JsonAsync()).GetProperty("data")[0].GetProperty("embedding"));
        Assert.Equal(16, sixteen.Length);
        var norm = Math.Sqrt(full[..16].Sum(v => (double)v * v));
        AssertClose(full[..16].Select(v => (float)(v / norm)).ToArray(), sixteen, 1e-6);
    }

    [Fact]
    public async Task Many_inputs_run_in_shared_batches_and_come_back_in_order()
    {
        using var client = await server.ClientAsync();
        var texts = Enumerable.Range(0, 60).Select(i => $"document {i}: " + string.Join(' ', Enumerable.Repeat("retrieval", i % 7))).ToArray();
        var batchesBefore = server.Embedder("embed").Scheduler.Batches;

        var responses = await Task.WhenAll(Enumerable.Range(0, 3).Select(r =>
            client.PostJsonAsync("/v1/embeddings", new { model = "embed", input = texts.Skip(r * 20).Take(20).ToArray() })));

        var vectors = new List<float[]>();
        foreach (var response in responses)
        {
            var body = await response.JsonAsync();
            Assert.True(response.IsSuccessStatusCode, body.ToString());
            vectors.AddRange(body.GetProperty("data").EnumerateArray().Select(d => Floats(d.GetProperty("embedding"))));
            response.Dispose();
        }
        Assert.InRange(server.Embedder("embed").Scheduler.Batches - batchesBefore, 1, texts.Length / 3);
        foreach (var i in new[] { 0, 13, 27, 41, 59 })
        {
            using var alone = await client.PostJsonAsync("/v1/embeddings", new { model = "embed", input = texts[i] });
            AssertClose(Floats((await alone.JsonAsync()).GetProperty("data")[0].GetProperty("embedding")), vectors[i], 1e-5);
        }
    }

    [Fact]
    public async Task The_official_sdk_embedding_client_works_with_dimensions()
    {
        var openai = await server.OpenAIAsync();
        var embeddings = openai.GetEmbeddingClient("embed");

        OpenAIEmbeddingCollection result = await embeddings.GenerateEmbeddingsAsync(References.Select(r => r.Text).ToArray());
        OpenAIEmbedding shortened = await embeddings.GenerateEmbeddingAsync(References[2].Text, new EmbeddingGenerationOptions { Dimensions = 32 });

        Assert.Equal(References.Length, result.Count);
        for (var i = 0; i < result.Count; i++)
        {
            Assert.Equal(i, result[i].Index);
            AssertClose(References[i].Cls, result[i].ToFloats().ToArray());
        }
        Assert.Equal(References.Sum(r => r.Ids.Length), result.Usage.InputTokenCount);
        Assert.Equal(32, shortened.ToFloats().Length);
        Assert.Equal(1.0, Math.Sqrt(shortened.ToFloats().ToArray().Sum(v => (double)v * v)), 5);
    }

    [Fact]
    public async Task Bad_inputs_are_400s_naming_the_param()
    {
        using var client = await server.ClientAsync();
        async Task Expect(object body, string code, string param, string? messagePart = null)
        {
            using var response = await client.PostJsonAsync("/v1/embeddings", body);
            var error = await response.AssertErrorAsync(400, code, param);
            if (messagePart != null) Assert.Contains(messagePart, error.GetProperty("message").GetString());
        }

        await Expect(new { model = "embed" }, "missing_required_parameter", "input");
        await Expect(new { model = "embed", input = "" }, "invalid_value", "input");
        await Expect(new { model = "embed", input = Array.Empty<string>() }, "invalid_value", "input");
        await Expect(new { model = "embed", input = new[] { "fine", "" } }, "invalid_value", "input", "input[1]");
        await Expect(new { model = "embed", input = 42 }, "invalid_type", "input");
        await Expect(new { model = "embed", input = new object[] { "text", 5 } }, "invalid_type", "input");
        await Expect(new { model = "embed", input = new[] { 101, 999999 } }, "invalid_value", "input", "999999");
        await Expect(new { model = "embed", input = new[] { "short", string.Join(' ', Enumerable.Repeat("word", 200)) } },
            "context_length_exceeded", "input", "input[1]");
        await Expect(new { model = "embed", input = "x", encoding_format = "int8" }, "invalid_value", "encoding_format");
        await Expect(new { model = "embed", input = "x", dimensions = 65 }, "invalid_value", "dimensions", "between 1 and 64");
        await Expect(new { model = "embed", input = "x", dimensions = 0 }, "invalid_value", "dimensions");
    }

    [Fact]
    public async Task Chat_models_refuse_embeddings_and_embedding_models_refuse_chat()
    {
        using var client = await server.ClientAsync();

        using var embedWithChat = await client.PostJsonAsync("/v1/embeddings", new { model = "chat", input = "hello" });
        using var chatWithEmbed = await client.PostJsonAsync("/v1/chat/completions", new { model = "embed", messages = new[] { new { role = "user", content = "hello" } } });
        using var completeWithEmbed = await client.PostJsonAsync("/v1/completions", new { model = "embed-hf", prompt = "hello" });

        Assert.Contains("chat model; it cannot serve embeddings", (await embedWithChat.AssertErrorAsync(400, "wrong_model_kind", "model")).GetProperty("message").GetString());
        Assert.Contains("embedding model; it cannot serve chat", (await chatWithEmbed.AssertErrorAsync(400, "wrong_model_kind", "model")).GetProperty("message").GetString());
        await completeWithEmbed.AssertErrorAsync(400, "wrong_model_kind", "model");
    }

    [Fact]
    public async Task Prompt_tokens_count_against_the_tenants_tokens_per_minute()
    {
        using var client = await server.ClientAsync(Tier.Reserved);

        using var ok = await client.PostJsonAsync("/v1/embeddings", new { model = "embed", input = References[0].Text });
        using var tooMany = await client.PostJsonAsync("/v1/embeddings", new { model = "embed", input = Enumerable.Repeat(string.Join(' ', Enumerable.Repeat("word", 100)), 12).ToArray() });

        Assert.True(ok.IsSuccessStatusCode);
        Assert.Equal("1000", ok.Header("x-ratelimit-limit-tokens"));
        Assert.Equal((1000 - References[0].Ids.Length).ToString(), ok.Header("x-ratelimit-remaining-tokens"));
        await tooMany.AssertErrorAsync(429, "rate_limit_exceeded", type: "tokens");
    }
}

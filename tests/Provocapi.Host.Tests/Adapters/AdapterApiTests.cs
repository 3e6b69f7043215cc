using System.Net.Http.Headers;
using System.Text.Json;
using Provocapi.Core.Generation;
using Provocapi.Engine.Models.Adapters;
using Provocapi.Engine.Sampling;
using Provocapi.Host.Tests.Server;
using Provocapi.Tests;
using static Provocapi.Host.Tests.Adapters.AdapterUploads;

namespace Provocapi.Host.Tests.Adapters;

/// <summary>Adapter CRUD over HTTP and <c>model: "base:adapter"</c> in chat and completions, against the real host.</summary>
[Collection(AdapterServerCollection.Name)]
public sealed class AdapterApiTests(AdapterServerFixture server)
{
    static readonly int[] Prompt = [50256, 464, 2068, 7586, 21831];

    TestLoraAdapter MakeAdapter(int seed, int rank = 8) => TestLoraAdapter.Random(server.Engine("d64").Model.Config, rank, 2f * rank, seed);

    static async Task<(string Text, HttpResponseMessage Response)> CompleteAsync(HttpClient client, string model)
    {
        var response = await client.PostJsonAsync("/v1/completions", new { model, prompt = Prompt, max_tokens = 12, temperature = 0 });
        var body = await response.Content.ReadAsStringAsync();
        if (!response.IsSuccessStatusCode) return (body, response);
        return (JsonDocument.Parse(body).RootElement.GetProperty("choices")[0].GetProperty("text").GetString()!, response);
    }

    [Fact]
    public async Task An_uploaded_peft_adapter_is_described_listed_and_served_as_base_colon_name()
    {
        using var client = await server.ClientAsync(AdapterServerFixture.UniqueTenant("peft"));
        var adapter = await UploadAsync(client, "support-bot", "d64", PeftFiles(MakeAdapter(1).WritePeft()));
        Assert.Equal("adapter", adapter.GetProperty("object").GetString());
        Assert.StartsWith("adp_", adapter.GetProperty("id").GetString());
        Assert.Equal("ready", adapter.GetProperty("status").GetString());
        Assert.Equal("peft", adapter.GetProperty("format").GetString());
        Assert.Equal(8, adapter.GetProperty("rank").GetInt32());
        Assert.Equal(16f, adapter.GetProperty("alpha").GetSingle());
        Assert.Equal(LoraProjections.All.Select(LoraProjections.PeftName), adapter.GetProperty("target_modules").EnumerateArray().Select(e => e.GetString()));
        Assert.True(adapter.GetProperty("size_bytes").GetInt64() > 60_000);
        Assert.Equal("d64:support-bot", adapter.GetProperty("model").GetString());
        var id = adapter.GetProperty("id").GetString()!;

        var fetched = await (await client.GetAsync($"/v1/adapters/{id}")).JsonAsync();
        Assert.Equal(adapter.GetProperty("created_at").GetInt64(), fetched.GetProperty("created_at").GetInt64());
        var list = await (await client.GetAsync("/v1/adapters")).JsonAsync();
        Assert.Equal([id], list.GetProperty("data").EnumerateArray().Select(a => a.GetProperty("id").GetString()));

        var (baseText, baseResponse) = await CompleteAsync(client, "d64");
        var (adapterText, adapterResponse) = await CompleteAsync(client, "d64:support-bot");
        Assert.Equal(200, (int)adapterResponse.StatusCode);
        Assert.Equal("d64:support-bot", adapterResponse.Header("X-Provocapi-Model"));
        Assert.Equal("d64", baseResponse.Header("X-Provocapi-Model"));
        Assert.NotEqual(baseText, adapterText);
        var loaded = server.Registry.Acquire(id, server.Engine("d64").Model.Config);
        try
        {
            var expected = await server.Engine("d64").GenerateTextAsync(new GenerationRequest
            {
                PromptTokens = Prompt, Sampling = SamplingOptions.Greedy, MaxTokens = 12, Adapter = loaded,
            });
            Assert.Equal(expected.Text, adapterText);
        }
        finally { loaded.Release(); }

        using var chat = await client.PostJsonAsync("/v1/chat/completions", new { model = "d64:support-bot", messages = new[] { new { role = "user", content = "Hi" } }, max_tokens = 4 });
        Assert.Equal(200, (int)chat.StatusCode);
        Assert.Equal("d64:support-bot", chat.Header("X-Provocapi-Model"));
    }

    [Fact]
    public async Task A_gguf_lora_file_serves_on_the_gguf_base_as_the_peft_twin_does_on_the_hugging_face_base()
    {
        using var client = await server.ClientAsync(AdapterServerFixture.UniqueTenant("gguf"));
        var test = MakeAdapter(2);
        var adapter = await UploadAsync(client, "gguf-one", "d64-gguf", ("my-lora.gguf", File.ReadAllBytes(test.WriteGguf())));
        Assert.Equal("gguf", adapter.GetProperty("format").GetString());
        await UploadAsync(client, "peft-one", "d64", PeftFiles(test.WritePeft()));
        var (ggufText, response) = await CompleteAsync(client, "d64-gguf:gguf-one");
        Assert.Equal("d64-gguf:gguf-one", response.Header("X-Provocapi-Model"));
        var (peftText, _) = await CompleteAsync(client, "d64:peft-one");
        Assert.Equal(peftText, ggufText);
    }

    [Fact]
    public async Task Adapters_belong_to_their_tenant_and_an_unknown_adapter_is_404()
    {
        using var owner = await server.ClientAsync(AdapterServerFixture.UniqueTenant("owner"));
        using var other = await server.ClientAsync(AdapterServerFixture.UniqueTenant("other"));
        var id = (await UploadAsync(owner, "mine", "d64", PeftFiles(MakeAdapter(3).WritePeft()))).GetProperty("id").GetString();

        var (_, missing) = await CompleteAsync(owner, "d64:nope");
        await missing.AssertErrorAsync(404, "adapter_not_found", "model");
        var (_, foreign) = await CompleteAsync(other, "d64:mine");
        await foreign.AssertErrorAsync(404, "adapter_not_found", "model");
        await (await other.GetAsync($"/v1/adapters/{id}")).AssertErrorAsync(404, "adapter_not_found");
        await (await other.DeleteAsync($"/v1/adapters/{id}")).AssertErrorAsync(404, "adapter_not_found");
        Assert.Empty((await (await other.GetAsync("/v1/adapters")).JsonAsync()).GetProperty("data").EnumerateArray());
        // Another tenant may use the same name for its own adapter.
        await UploadAsync(other, "mine", "d64", PeftFiles(MakeAdapter(4).WritePeft()));
    }

    [Fact]
    public async Task A_deleted_adapter_is_404_for_new_requests_and_its_files_are_gone()
    {
        using var client = await server.ClientAsync(AdapterServerFixture.UniqueTenant("delete"));
        var id = (await UploadAsync(client, "short-lived", "d64", PeftFiles(MakeAdapter(5).WritePeft()))).GetProperty("id").GetString()!;
        Assert.Equal(200, (int)(await CompleteAsync(client, "d64:short-lived")).Response.StatusCode);
        var folder = Directory.GetDirectories(Path.Combine(server.DataDirectory, "adapters"), id, SearchOption.AllDirectories).Single();

        var deleted = await (await client.DeleteAsync($"/v1/adapters/{id}")).JsonAsync();
        Assert.True(deleted.GetProperty("deleted").GetBoolean());
        Assert.Equal("adapter.deleted", deleted.GetProperty("object").GetString());
        await (await CompleteAsync(client, "d64:short-lived")).Response.AssertErrorAsync(404, "adapter_not_found", "model");
        await (await client.GetAsync($"/v1/adapters/{id}")).AssertErrorAsync(404, "adapter_not_found");
        Assert.False(Directory.Exists(folder));
    }

    [Fact]
    public async Task Bad_uploads_are_refused_with_openai_shaped_errors()
    {
        using var client = await server.ClientAsync(AdapterServerFixture.UniqueTenant("bad"));
        var good = PeftFiles(MakeAdapter(6).WritePeft());
        var config = server.Engine("d64").Model.Config;

        await (await client.PostAsync("/v1/adapters/upload", Form("../escape", "d64", good))).AssertErrorAsync(400, "invalid_value", "name");
        await (await client.PostAsync("/v1/adapters/upload", Form("Upper", "d64", good))).AssertErrorAsync(400, "invalid_value", "name");
        await (await client.PostAsync("/v1/adapters/upload", Form("fine", "no-such-model", good))).AssertErrorAsync(404, "model_not_found", "base_model");
        await (await client.PostAsync("/v1/adapters/upload", Form("fine", "d64", good[0]))).AssertErrorAsync(400, "invalid_adapter", "file");
        await (await client.PostAsync("/v1/adapters/upload", Form("fine", "d64", ("evil.sh", [1, 2, 3])))).AssertErrorAsync(400, "invalid_adapter", "file");
        var unnamed = Form("fine", "d64");
        unnamed.Add(new ByteArrayContent(good[1].Item2), "file");
        var noFileName = await (await client.PostAsync("/v1/adapters/upload", unnamed)).AssertErrorAsync(400, "invalid_adapter", "file");
        Assert.Contains("no filename", noFileName.GetProperty("message").GetString());
        var infiniteAlpha = File.ReadAllBytes(TestLoraAdapter.Random(config, 2, float.PositiveInfinity, 5).WriteGguf());
        var alpha = await (await client.PostAsync("/v1/adapters/upload", Form("fine", "d64", ("lora.gguf", infiniteAlpha)))).AssertErrorAsync(400, "invalid_adapter");
        Assert.Contains("adapter.lora.alpha", alpha.GetProperty("message").GetString());

        var unknownTarget = await (await client.PostAsync("/v1/adapters/upload",
            Form("fine", "d64", PeftFiles(TestLoraAdapter.Random(config, 2, 4f, 7).WritePeft(targetModules: ["q_proj", "lm_head"]))))).AssertErrorAsync(400, "invalid_adapter");
        Assert.Contains("'lm_head' is not supported", unknownTarget.GetProperty("message").GetString());
        Assert.DoesNotContain(server.DataDirectory, unknownTarget.GetProperty("message").GetString());
        var wrongShape = await (await client.PostAsync("/v1/adapters/upload",
            Form("fine", "d64", PeftFiles(TestLoraAdapter.Random(config with { EmbeddingDim = 96, HeadDim = 24 }, 2, 4f, 8).WritePeft())))).AssertErrorAsync(400, "invalid_adapter");
        Assert.Contains("the base model and rank need", wrongShape.GetProperty("message").GetString());

        var huge = TestLoraAdapter.Random(config, 64, 64f, 9).WritePeft();
        Assert.True(new FileInfo(Path.Combine(huge, "adapter_model.safetensors")).Length > AdapterServerFixture.MaxAdapterBytes);
        await (await client.PostAsync("/v1/adapters/upload", Form("huge", "d64", PeftFiles(huge)))).AssertErrorAsync(413, "request_too_large");

        await UploadAsync(client, "taken", "d64", good);
        await (await client.PostAsync("/v1/adapters/upload", Form("taken", "d64", good))).AssertErrorAsync(409, "adapter_exists", "name");
        var notMultipart = await client.PostJsonAsync("/v1/adapters/upload", new { name = "x" });
        await notMultipart.AssertErrorAsync(415, "unsupported_media_type");
        var cut = await (await client.PostAsync("/v1/adapters/upload", Http.TruncatedForm("file", "lora.gguf", "GGUF"))).AssertErrorAsync(400, "invalid_value");
        Assert.Contains("ended before the closing boundary", cut.GetProperty("message").GetString());
        var listed = (await (await client.GetAsync("/v1/adapters")).JsonAsync()).GetProperty("data").EnumerateArray().ToList();
        // Nothing of the refused uploads is left on disk: only the one adapter's folder.
        var tenantFolder = Path.GetDirectoryName(Directory.GetDirectories(Path.Combine(server.DataDirectory, "adapters"), listed.Single().GetProperty("id").GetString()!, SearchOption.AllDirectories).Single())!;
        Assert.Single(Directory.GetDirectories(tenantFolder));
    }

    [Fact]
    public async Task The_openapi_document_lists_the_adapter_routes()
    {
        using var client = server.CreateClient();
        var paths = (await (await client.GetAsync("/openapi.json")).JsonAsync()).GetProperty("paths");
        foreach (var (path, method) in new[] { ("/v1/adapters", "post"), ("/v1/adapters", "get"), ("/v1/adapters/upload", "post"), ("/v1/adapters/{id}", "get"), ("/v1/adapters/{id}", "delete") })
            Assert.True(paths.TryGetProperty(path, out var item) && item.TryGetProperty(method, out _), $"{method} {path} missing");
        Assert.True(paths.GetProperty("/v1/adapters/upload").GetProperty("post").GetProperty("requestBody").GetProperty("content").TryGetProperty("multipart/form-data", out _));
    }

    [Fact]
    public async Task Ready_adapters_are_served_again_after_a_restart()
    {
        var tenant = AdapterServerFixture.UniqueTenant("restart");
        using var client = await server.ClientAsync(tenant);
        await UploadAsync(client, "durable", "d64", PeftFiles(MakeAdapter(10).WritePeft()));
        var (before, _) = await CompleteAsync(client, "d64:durable");

        using var restarted = AdapterServerFixture.Restart(server.DataDirectory);
        using var again = await restarted.ClientAsync(tenant);
        var (after, response) = await CompleteAsync(again, "d64:durable");
        Assert.Equal(200, (int)response.StatusCode);
        Assert.Equal(before, after);
    }
}

using System.ClientModel;
using System.ClientModel.Primitives;
using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.Mvc.Testing;
using Microsoft.Extensions.DependencyInjection;
using OpenAI;
using Provocapi.Core.Embeddings;
using Provocapi.Host.Modules.Inference.Catalog;
using Provocapi.Host.Modules.Keys;
using Provocapi.Host.Platform.Callers;
using Provocapi.Tests;

namespace Provocapi.Host.Tests.Server;

/// <summary>
/// The real server in process, serving the bert-wpm-d64 fixture as embedding models, <c>embed</c> from its GGUF file (kind
/// read from the file) and <c>embed-hf</c> from its Hugging Face folder (kind configured), plus the d64 Llama as the chat
/// model <c>chat</c>. The reserved tier allows 1,000 tokens a minute.
/// </summary>
public sealed class EmbeddingServerFixture : WebApplicationFactory<Program>
{
    public string DataDirectory { get; } = Directory.CreateTempSubdirectory("provocapi-embeddings-").FullName;

    protected override void ConfigureWebHost(IWebHostBuilder builder)
    {
        var settings = new Dictionary<string, string>
        {
            ["Provocapi:DataDirectory"] = DataDirectory,
            ["Provocapi:Models:0:Id"] = "embed",
            ["Provocapi:Models:0:Path"] = TestData.Path("models", "bert-wpm-d64", "bert-wpm-d64-f32.gguf"),
            ["Provocapi:Models:0:Threads"] = "2",
            ["Provocapi:Models:0:EmbeddingBatchTokens"] = "256",
            ["Provocapi:Models:1:Id"] = "embed-hf",
            ["Provocapi:Models:1:Path"] = TestData.Path("models", "bert-wpm-d64", "hf-f32"),
            ["Provocapi:Models:1:Kind"] = "Embedding",
            ["Provocapi:Models:1:Threads"] = "1",
            ["Provocapi:Models:2:Id"] = "chat",
            ["Provocapi:Models:2:Path"] = TestData.Path("models", "llama-spm-d64", "llama-spm-d64-q8_0.gguf"),
            ["Provocapi:Models:2:Threads"] = "1",
            ["Provocapi:Tiers:Shared:RequestsPerMinute"] = "100000",
            ["Provocapi:Tiers:Shared:TokensPerMinute"] = "100000000",
            ["Provocapi:Tiers:Reserved:RequestsPerMinute"] = "100",
            ["Provocapi:Tiers:Reserved:TokensPerMinute"] = "1000",
        };
        foreach (var (key, value) in settings) builder.UseSetting(key, value);
    }

    public async Task<HttpClient> ClientAsync(Tier tier = Tier.Shared)
    {
        await ReadyAsync();
        var client = CreateClient();
        client.DefaultRequestHeaders.Authorization = new("Bearer", CreateKey(tier));
        return client;
    }

    public async Task<OpenAIClient> OpenAIAsync()
    {
        await ReadyAsync();
        return new OpenAIClient(new ApiKeyCredential(CreateKey(Tier.Shared)), new OpenAIClientOptions
        {
            Endpoint = new Uri(Server.BaseAddress, "/v1"),
            Transport = new HttpClientPipelineTransport(CreateClient()),
            RetryPolicy = new ClientRetryPolicy(0),
        });
    }

    public EmbeddingModel Embedder(string id) => Services.GetRequiredService<ModelCatalog>().Models.Single(m => m.Id == id).Embedder!;

    string CreateKey(Tier tier) => Services.GetRequiredService<KeyStore>().CreateKey(ServerFixture.UniqueTenant("embed"), tier).Key;

    async Task ReadyAsync()
    {
        var client = CreateClient();
        for (var i = 0; i < 600; i++)
        {
            if ((await client.GetAsync("/ready")).IsSuccessStatusCode) return;
            await Task.Delay(100);
        }
        throw new TimeoutException("the server's models did not load");
    }

    protected override void Dispose(bool disposing)
    {
        base.Dispose(disposing);
        Microsoft.Data.Sqlite.SqliteConnection.ClearAllPools();
        try { Directory.Delete(DataDirectory, recursive: true); } catch (IOException) { }
    }
}

using System.Text.Json;

namespace Provocapi.Host.Tests.Server;

[Collection(ServerCollection.Name)]
public sealed class OpenApiTests(ServerFixture server)
{
    [Fact]
    public async Task The_document_describes_every_endpoint_with_its_schemas()
    {
        using var client = server.CreateClient();
        using var response = await client.GetAsync("/openapi.json");
        Assert.Equal(200, (int)response.StatusCode);
        var document = await response.JsonAsync();
        Assert.StartsWith("3.", document.GetProperty("openapi").GetString());
        var paths = document.GetProperty("paths");
        foreach (var (path, method) in new[] { ("/v1/chat/completions", "post"), ("/v1/completions", "post"), ("/v1/models", "get"), ("/v1/models/{id}", "get"), ("/health", "get"), ("/ready", "get") })
            Assert.True(paths.TryGetProperty(path, out var item) && item.TryGetProperty(method, out _), $"{method} {path} missing");

        var chat = paths.GetProperty("/v1/chat/completions").GetProperty("post");
        var requestSchema = Resolve(document, chat.GetProperty("requestBody").GetProperty("content").GetProperty("application/json").GetProperty("schema"));
        var properties = requestSchema.GetProperty("properties");
        foreach (var name in new[] { "model", "messages", "stream", "max_tokens", "temperature", "top_p", "stop", "seed" })
            Assert.True(properties.TryGetProperty(name, out _), $"request property {name} missing");
        var ok = Resolve(document, chat.GetProperty("responses").GetProperty("200").GetProperty("content").GetProperty("application/json").GetProperty("schema"));
        Assert.True(ok.GetProperty("properties").TryGetProperty("choices", out _));
        Assert.True(chat.GetProperty("responses").GetProperty("200").GetProperty("content").TryGetProperty("text/event-stream", out _));
        var error = Resolve(document, chat.GetProperty("responses").GetProperty("400").GetProperty("content").GetProperty("application/json").GetProperty("schema"));
        Assert.True(error.GetProperty("properties").TryGetProperty("error", out _));
    }

    static JsonElement Resolve(JsonElement document, JsonElement schema)
    {
        if (!schema.TryGetProperty("$ref", out var reference)) return schema;
        var name = reference.GetString()!.Split('/')[^1];
        return document.GetProperty("components").GetProperty("schemas").GetProperty(name);
    }
}

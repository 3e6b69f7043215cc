using System.ClientModel;
using OpenAI.Models;

namespace Provocapi.Host.Tests.Server;

[Collection(ServerCollection.Name)]
public sealed class ModelListTests(ServerFixture server)
{
    [Fact]
    public async Task The_sdk_lists_the_models_the_tenant_may_use()
    {
        await server.ReadyClientAsync();
        var others = server.OpenAI(server.CreateKey(ServerFixture.UniqueTenant("models"))).GetOpenAIModelClient();
        OpenAIModelCollection listed = await others.GetModelsAsync();
        Assert.Equal(["cramped", "cramped-halves", "demo", "doomed", "impatient", "single", "tiny"], listed.Select(m => m.Id).Order());
        Assert.All(listed, m => Assert.Equal("provocapi", m.OwnedBy));

        var acme = server.OpenAI(server.CreateKey("acme")).GetOpenAIModelClient();
        OpenAIModelCollection acmes = await acme.GetModelsAsync();
        Assert.Contains(acmes, m => m.Id == "private");
    }

    [Fact]
    public async Task A_model_is_found_by_id_or_alias_and_a_hidden_one_is_not_found()
    {
        await server.ReadyClientAsync();
        var models = server.OpenAI(server.CreateKey(ServerFixture.UniqueTenant("models"))).GetOpenAIModelClient();
        OpenAIModel demo = await models.GetModelAsync("default");
        Assert.Equal("demo", demo.Id);
        var hidden = await Assert.ThrowsAsync<ClientResultException>(() => models.GetModelAsync("private"));
        Assert.Equal(404, hidden.Status);

        using var client = server.ClientWithKey(server.CreateKey(ServerFixture.UniqueTenant("models")));
        using var response = await client.GetAsync("/v1/models/private");
        await response.AssertErrorAsync(404, "model_not_found", "model");
        using var byAlias = await client.GetAsync("/v1/models/default");
        Assert.Equal("demo", byAlias.Header("X-Provocapi-Model"));
    }
}

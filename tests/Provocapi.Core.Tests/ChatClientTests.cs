using Microsoft.Extensions.AI;

namespace Provocapi.Core.Tests;

public sealed class ChatClientTests(ModelFixture fixture) : IClassFixture<ModelFixture>
{
    [Fact]
    public async Task Chat_client_answers_with_usage_and_finish_reason()
    {
        IChatClient client = fixture.Model.AsChatClient();
        var options = new ChatOptions { Temperature = 0, MaxOutputTokens = 8 };
        var response = await client.GetResponseAsync([new ChatMessage(ChatRole.System, "Be brief."), new ChatMessage(ChatRole.User, "Hi!")], options);
        Assert.Equal(ChatRole.Assistant, response.Messages[0].Role);
        Assert.NotNull(response.Usage);
        Assert.True(response.Usage.InputTokenCount > 5);
        Assert.InRange(response.Usage.OutputTokenCount ?? 0, 1, 8);
        Assert.NotNull(response.FinishReason);

        var streamed = new List<ChatResponseUpdate>();
        await foreach (var update in client.GetStreamingResponseAsync([new ChatMessage(ChatRole.System, "Be brief."), new ChatMessage(ChatRole.User, "Hi!")], options))
            streamed.Add(update);
        Assert.Equal(response.Text, string.Concat(streamed.Select(u => u.Text)));
        Assert.Equal(response.FinishReason, streamed[^1].FinishReason);
        Assert.Same(fixture.Model, client.GetService(typeof(LoadedModel)));
    }

    [Fact]
    public async Task Invalid_temperature_is_rejected_naming_it()
    {
        IChatClient client = fixture.Model.AsChatClient();
        var e = await Assert.ThrowsAsync<ArgumentException>(() => client.GetResponseAsync("hi", new ChatOptions { Temperature = 5 }));
        Assert.Equal("temperature", e.ParamName);
    }
}

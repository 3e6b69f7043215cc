using System.Text.Json;

namespace Provocapi.Host.Tests.Server;

[Collection(ServerCollection.Name)]
public sealed class LogprobsTests(ServerFixture server)
{
    [Fact]
    public async Task Chat_logprobs_give_each_token_with_its_alternatives_and_greedy_picks_the_top_one()
    {
        using var client = server.ClientWithKey(server.CreateKey(ServerFixture.UniqueTenant("logprobs")));
        await server.ReadyClientAsync();
        var body = await (await client.PostJsonAsync("/v1/chat/completions", new
        {
            model = "demo", messages = new[] { new { role = "user", content = "Hi" } }, max_tokens = 5, temperature = 0, logprobs = true, top_logprobs = 3,
        })).JsonAsync();
        var choice = body.GetProperty("choices")[0];
        var content = choice.GetProperty("logprobs").GetProperty("content").EnumerateArray().ToList();
        Assert.Equal(5, content.Count);
        Assert.Equal(choice.GetProperty("message").GetProperty("content").GetString(), string.Concat(content.Select(c => c.GetProperty("token").GetString())));
        foreach (var token in content)
        {
            var top = token.GetProperty("top_logprobs").EnumerateArray().ToList();
            Assert.Equal(3, top.Count);
            Assert.Equal(top[0].GetProperty("logprob").GetSingle(), token.GetProperty("logprob").GetSingle());
            Assert.True(top[0].GetProperty("logprob").GetSingle() >= top[1].GetProperty("logprob").GetSingle());
            Assert.True(token.GetProperty("logprob").GetSingle() <= 0);
            Assert.Equal(System.Text.Encoding.UTF8.GetBytes(token.GetProperty("token").GetString()!).Select(b => (int)b),
                token.GetProperty("bytes").EnumerateArray().Select(b => b.GetInt32()));
        }
    }

    [Fact]
    public async Task Streamed_completion_logprobs_line_up_with_the_text()
    {
        using var client = server.ClientWithKey(server.CreateKey(ServerFixture.UniqueTenant("logprobs")));
        await server.ReadyClientAsync();
        var events = await (await client.PostJsonAsync("/v1/completions", new { model = "demo", prompt = "Once", max_tokens = 6, temperature = 0, logprobs = 2, echo = true, stream = true })).EventsAsync();
        var choices = events[..^1].Select(e => JsonDocument.Parse(e).RootElement.GetProperty("choices")[0]).ToList();
        var text = string.Concat(choices.Select(c => c.GetProperty("text").GetString()));
        var tokens = choices.SelectMany(c => c.GetProperty("logprobs").GetProperty("tokens").EnumerateArray().Select(t => t.GetString()!)).ToList();
        var offsets = choices.SelectMany(c => c.GetProperty("logprobs").GetProperty("text_offset").EnumerateArray().Select(o => o.GetInt32())).ToList();
        Assert.Equal(6, tokens.Count);
        Assert.StartsWith("Once", text);
        Assert.Equal("Once".Length, offsets[0]);
        for (var i = 0; i < tokens.Count; i++) Assert.Equal(tokens[i], text.Substring(offsets[i], tokens[i].Length));
        Assert.All(choices, c => Assert.Equal(2, c.GetProperty("logprobs").GetProperty("top_logprobs")[0].EnumerateObject().Count()));
    }

    [Fact]
    public async Task Bad_logprob_settings_are_400s_naming_the_param()
    {
        using var client = server.ClientWithKey(server.CreateKey(ServerFixture.UniqueTenant("logprobs")));
        using var noFlag = await client.PostJsonAsync("/v1/chat/completions", """{"model": "demo", "messages": [{"role": "user", "content": "Hi"}], "top_logprobs": 2}""");
        await noFlag.AssertErrorAsync(400, "invalid_value", "top_logprobs");
        using var tooMany = await client.PostJsonAsync("/v1/chat/completions", """{"model": "demo", "messages": [{"role": "user", "content": "Hi"}], "logprobs": true, "top_logprobs": 21}""");
        await tooMany.AssertErrorAsync(400, "invalid_value", "top_logprobs");
        using var legacy = await client.PostJsonAsync("/v1/completions", """{"model": "demo", "prompt": "Hi", "logprobs": 6}""");
        await legacy.AssertErrorAsync(400, "invalid_value", "logprobs");
    }
}

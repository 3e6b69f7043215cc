using Microsoft.Extensions.AI;
using Provocapi.Core;
using Provocapi.Core.Generation;
using Provocapi.Engine.Sampling;

// Usage: Provocapi.Sample MODEL_PATH
// Loads a model in-process, streams a completion, then asks it through Microsoft.Extensions.AI's IChatClient.
if (args.Length != 1)
{
    Console.Error.WriteLine("usage: Provocapi.Sample MODEL_PATH");
    return 2;
}
using var model = await LoadedModel.LoadAsync(args[0]);

Console.Write("completion: ");
await foreach (var chunk in model.GenerateAsync(new GenerationRequest { Prompt = "Once upon a time", MaxTokens = 8, Sampling = SamplingOptions.Greedy }))
{
    Console.Write(chunk.Text);
    if (chunk.Result is { } result) Console.WriteLine($"\ntokens: {string.Join(' ', result.TokenIds)}");
}

IChatClient chat = model.AsChatClient();
var reply = await chat.GetResponseAsync("Say hello.", new ChatOptions { Temperature = 0, MaxOutputTokens = 5 });
Console.WriteLine($"chat: {reply.Usage?.OutputTokenCount} tokens, finish {reply.FinishReason}");
return 0;

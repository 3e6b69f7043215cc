using Provocapi.Tests;

namespace Provocapi.Core.Tests;

/// <summary>One loaded fixture model (a tiny random-weight Llama with the gpt-2 vocabulary) shared by a test class.</summary>
public sealed class ModelFixture : IDisposable
{
    public static string ModelPath => TestData.Path("models", "llama-bpe-d64", "hf-f32");

    public LoadedModel Model { get; } = LoadedModel.LoadAsync(ModelPath, new ModelOptions { Threads = 2 }).GetAwaiter().GetResult();

    public void Dispose() => Model.Dispose();
}

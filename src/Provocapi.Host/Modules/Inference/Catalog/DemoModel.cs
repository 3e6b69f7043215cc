namespace Provocapi.Host.Modules.Inference.Catalog;

/// <summary>The model served when none is configured: a tiny random-weight Llama shipped beside the executable (its text is not meaningful).</summary>
public static class DemoModel
{
    public const string Id = "demo";
    public static string Path => System.IO.Path.Combine(AppContext.BaseDirectory, "models", "demo-random-llama-d64-q8_0.gguf");

    public static ServedModelOptions Options() => new() { Id = Id, Path = Path, Aliases = ["default"] };
}

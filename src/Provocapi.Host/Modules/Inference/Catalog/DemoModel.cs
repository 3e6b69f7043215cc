namespace Provocapi.Host.Modules.Inference.Catalog;

/// <summary>
/// The model served when none is configured: a 2M-parameter Llama trained on the fortunes collection
/// (tools/train-demo-model), shipped beside the executable. Its English is fortune-cookie-like, not reliable.
/// </summary>
public static class DemoModel
{
    public const string Id = "demo";
    public static string Path => System.IO.Path.Combine(AppContext.BaseDirectory, "models", "provocapi-demo-fortunes-f32.gguf");

    public static ServedModelOptions Options() => new() { Id = Id, Path = Path, Aliases = ["default"] };
}

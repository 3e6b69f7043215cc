using Provocapi.Engine.Tensors;

namespace Provocapi.Host.Modules.Inference.Catalog;

/// <summary><c>synthetic:SHAPE[:TYPE]</c> model paths; the type defaults to Q8_0.</summary>
public static class SyntheticModelPath
{
    public static (string Shape, TensorType Type) Parse(string path)
    {
        var parts = path[ServedModelOptions.SyntheticScheme.Length..].Split(':');
        return (parts[0], parts.Length > 1 ? TensorTypeInfo.ParseSupported(parts[1]) ?? TensorType.Q8_0 : TensorType.Q8_0);
    }
}

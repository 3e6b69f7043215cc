namespace Provocapi.Host.Platform.Models;

/// <summary>A request's <c>model</c>: a served model, or <c>base:adapter</c> for one of the caller's LoRA adapters on it (model ids hold no colon).</summary>
public readonly record struct ModelReference(string Model, string? Adapter)
{
    public static ModelReference Parse(string name)
    {
        var colon = name.IndexOf(':');
        return colon < 0 ? new ModelReference(name, null) : new ModelReference(name[..colon], name[(colon + 1)..]);
    }
}

using System.Text.Json.Serialization;

namespace Provocapi.Host.Platform.Models;

/// <summary>OpenAI's model object.</summary>
public sealed record ModelObject(string Id, long Created, string OwnedBy)
{
    [JsonPropertyOrder(-1)]
    public string Object => "model";
}

public sealed record ModelListResponse(IReadOnlyList<ModelObject> Data)
{
    [JsonPropertyOrder(-1)]
    public string Object => "list";
}

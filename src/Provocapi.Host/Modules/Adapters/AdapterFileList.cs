using System.Text.Json.Serialization;

namespace Provocapi.Host.Modules.Adapters;

/// <summary>The names of an adapter's files, as a gateway lists them to a worker.</summary>
public sealed record AdapterFileList(IReadOnlyList<string> Data)
{
    [JsonPropertyOrder(-1)]
    public string Object => "list";
}

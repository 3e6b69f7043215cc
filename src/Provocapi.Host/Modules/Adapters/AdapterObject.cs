using System.Text.Json.Serialization;

namespace Provocapi.Host.Modules.Adapters;

/// <summary>An adapter as the API shows it. Rank, alpha, target modules and size are known once it is ready.</summary>
public sealed record AdapterObject(string Id, string Name, string BaseModel, string Status, string Format, int? Rank, float? Alpha,
    IReadOnlyList<string>? TargetModules, long? SizeBytes, long CreatedAt, string? HfRepo, string? Revision, string? FailureReason)
{
    [JsonPropertyOrder(-1)]
    public string Object => "adapter";

    /// <summary>What the model parameter of chat and completions takes to use it.</summary>
    public string Model => $"{BaseModel}:{Name}";

    public static AdapterObject From(AdapterStore.StoredAdapter a) => new(a.Id, a.Name, a.BaseModel, a.Status, a.Format, (int?)a.Rank, (float?)a.Alpha,
        a.TargetModules?.Split(',', StringSplitOptions.RemoveEmptyEntries), a.SizeBytes, a.CreatedAt, a.HfRepo, a.Revision, a.Failure);
}

public sealed record AdapterListResponse(IReadOnlyList<AdapterObject> Data)
{
    [JsonPropertyOrder(-1)]
    public string Object => "list";
}

public sealed record AdapterDeletedResponse(string Id)
{
    public string Object => "adapter.deleted";
    public bool Deleted => true;
}

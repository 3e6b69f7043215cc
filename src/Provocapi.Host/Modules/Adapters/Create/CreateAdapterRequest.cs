namespace Provocapi.Host.Modules.Adapters.Create;

/// <summary><c>POST /v1/adapters</c>'s body.</summary>
public sealed record CreateAdapterRequest
{
    public string? Name { get; init; }
    public string? BaseModel { get; init; }
    public string? HfRepo { get; init; }
    public string? Revision { get; init; }
}

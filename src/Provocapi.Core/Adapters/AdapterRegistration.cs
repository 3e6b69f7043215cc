namespace Provocapi.Core.Adapters;

/// <summary>An adapter the registry can serve: <paramref name="Owner"/>'s (a tenant, or null for everyone) adapter <paramref name="Name"/> on <paramref name="BaseModel"/>, read from <paramref name="Path"/>.</summary>
public sealed record AdapterRegistration(string Id, string? Owner, string BaseModel, string Name, string Path);

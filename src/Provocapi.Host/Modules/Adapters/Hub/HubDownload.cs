using Provocapi.Engine.Models;

namespace Provocapi.Host.Modules.Adapters.Hub;

/// <summary>One adapter to fetch from the hub, with the shape of the base model it must fit.</summary>
public sealed record HubDownload(string Id, string TenantId, string Name, string BaseModel, TransformerConfig BaseConfig, string Repo, string Revision);

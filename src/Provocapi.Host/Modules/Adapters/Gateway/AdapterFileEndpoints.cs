using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Routing;
using Provocapi.Host.Modules.Adapters.Get;

namespace Provocapi.Host.Modules.Adapters.Gateway;

/// <summary>
/// A gateway's side of adapter sharing: <c>GET /internal/adapters/{id}/files</c> names a ready adapter's files,
/// <c>GET /internal/adapters/{id}/files/{name}</c> sends one, from the shared store; a worker fetches them when a
/// request first needs the adapter.
/// </summary>
public static class AdapterFileEndpoints
{
    public static RouteGroupBuilder MapAdapterFiles(this RouteGroupBuilder group)
    {
        group.MapGet("/{id}/files", (string id, AdapterFileStore stored) =>
            stored.Names(id) is { Count: > 0 } names ? TypedResults.Ok(new AdapterFileList(names)) : throw GetAdapterEndpoint.NotFound(id));
        group.MapGet("/{id}/files/{name}", (string id, string name, AdapterFileStore stored) =>
            TypedResults.Bytes(stored.Content(id, name) ?? throw GetAdapterEndpoint.NotFound(id), "application/octet-stream"));
        return group;
    }
}

using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Routing;
using Provocapi.Host.Modules.Adapters.Get;

namespace Provocapi.Host.Modules.Adapters.Gateway;

/// <summary>
/// A gateway's side of adapter sharing: <c>GET /internal/adapters/{id}/files</c> names a ready adapter's files,
/// <c>GET /internal/adapters/{id}/files/{name}</c> streams one from the shared store, a part at a time; a worker fetches them when a
/// request first needs the adapter.
/// </summary>
public static class AdapterFileEndpoints
{
    public static RouteGroupBuilder MapAdapterFiles(this RouteGroupBuilder group)
    {
        group.MapGet("/{id}/files", (string id, AdapterFileStore stored) =>
            stored.Names(id) is { Count: > 0 } names ? TypedResults.Ok(new AdapterFileList(names)) : throw GetAdapterEndpoint.NotFound(id));
        group.MapGet("/{id}/files/{name}", (string id, string name, AdapterFileStore stored, HttpContext http) =>
        {
            var length = stored.Length(id, name) ?? throw GetAdapterEndpoint.NotFound(id);
            return TypedResults.Stream(async body =>
            {
                // Sent before the first part, so a file cut short by a delete reaches the worker as a broken body, not a short file.
                http.Response.ContentLength = length;
                await stored.CopyToAsync(id, name, body, http.RequestAborted);
            }, "application/octet-stream");
        });
        return group;
    }
}

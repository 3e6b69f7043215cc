using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Routing;

namespace Provocapi.Host.Modules.Adapters.Worker;

/// <summary>
/// <c>DELETE /internal/adapters/{id}</c> on a worker: a gateway deleted the adapter; this worker drops its copy at
/// once (generations running with it finish). Answered the same whether or not this worker held it.
/// </summary>
public static class DropAdapterEndpoint
{
    public static RouteHandlerBuilder MapDropAdapter(this RouteGroupBuilder group) =>
        group.MapDelete("/{id}", (string id, AdapterCache cache) =>
        {
            cache.Drop(id);
            return TypedResults.Ok(new AdapterDeletedResponse(id));
        });
}

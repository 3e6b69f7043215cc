using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Routing;
using Provocapi.Host.Modules.Adapters.Get;
using Provocapi.Host.Platform.Callers;
using Provocapi.Host.Platform.Errors;

namespace Provocapi.Host.Modules.Adapters.Delete;

/// <summary>
/// <c>DELETE /v1/adapters/{id}</c>: new requests naming it get 404 at once (on a gateway, once the healthy workers
/// have been told); generations already running keep its weights in memory until they finish (their files may go:
/// the weights were read at load).
/// </summary>
public static class DeleteAdapterEndpoint
{
    public static RouteHandlerBuilder MapDeleteAdapter(this IEndpointRouteBuilder group) =>
        group.MapDelete("/{id}", async (string id, HttpContext http, AdapterStore store, AdapterPlacement placement) =>
            {
                var tenant = http.Caller().TenantId;
                if (!store.Delete(tenant, id)) throw GetAdapterEndpoint.NotFound(id);
                await placement.RemoveAsync(tenant, id);
                return TypedResults.Ok(new AdapterDeletedResponse(id));
            })
            .WithName("deleteAdapter")
            .WithSummary("Delete an adapter; running generations finish, new requests get 404.")
            .Produces<ErrorResponse>(404);
}

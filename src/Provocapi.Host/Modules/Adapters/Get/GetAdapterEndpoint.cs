using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Routing;
using Provocapi.Host.Platform.Callers;
using Provocapi.Host.Platform.Errors;

namespace Provocapi.Host.Modules.Adapters.Get;

/// <summary><c>GET /v1/adapters/{id}</c>: one adapter of the caller's tenant (another tenant's is a 404).</summary>
public static class GetAdapterEndpoint
{
    public static RouteHandlerBuilder MapGetAdapter(this IEndpointRouteBuilder group) =>
        group.MapGet("/{id}", (string id, HttpContext http, AdapterStore store) =>
                TypedResults.Ok(AdapterObject.From(store.Get(http.Caller().TenantId, id) ?? throw NotFound(id))))
            .WithName("retrieveAdapter")
            .WithSummary("Retrieve an adapter: name, base model, rank, alpha, target modules, size, status and creation time.")
            .Produces<ErrorResponse>(404);

    public static ApiException NotFound(string id) => new(StatusCodes.Status404NotFound,
        new ApiError($"No adapter with id '{id}' exists, or you do not have access to it.", "invalid_request_error", "adapter_not_found"));
}

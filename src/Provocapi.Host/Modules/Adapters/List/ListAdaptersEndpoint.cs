using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Http.HttpResults;
using Microsoft.AspNetCore.Routing;
using Provocapi.Host.Platform.Callers;

namespace Provocapi.Host.Modules.Adapters.List;

/// <summary><c>GET /v1/adapters</c>: the caller's tenant's adapters, oldest first.</summary>
public static class ListAdaptersEndpoint
{
    public static RouteHandlerBuilder MapListAdapters(this IEndpointRouteBuilder group) =>
        group.MapGet("", (HttpContext http, AdapterStore store) =>
                TypedResults.Ok(new AdapterListResponse(store.List(http.Caller().TenantId).Select(AdapterObject.From).ToList())))
            .WithName("listAdapters")
            .WithSummary("List your tenant's LoRA adapters.");
}

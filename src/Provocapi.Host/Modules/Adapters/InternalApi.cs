using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Routing;
using Microsoft.Extensions.DependencyInjection;
using Provocapi.Host.Platform.Cluster;
using Provocapi.Host.Platform.Errors;

namespace Provocapi.Host.Modules.Adapters;

/// <summary>
/// <c>/internal/adapters</c>: what gateways and workers ask each other about adapters. Only the cluster secret opens
/// it (401 otherwise); a tenant's key means nothing here.
/// </summary>
public static class InternalApi
{
    public static RouteGroupBuilder MapInternalAdapters(this IEndpointRouteBuilder app) =>
        app.MapGroup("/internal/adapters").WithTags("Internal").ExcludeFromDescription()
            .AddEndpointFilter((context, next) => context.HttpContext.RequestServices.GetRequiredService<ClusterSecret>().IsPresentedBy(context.HttpContext)
                ? next(context)
                : throw ApiException.InvalidApiKey("The internal API serves only cluster nodes, which present the cluster secret."));
}

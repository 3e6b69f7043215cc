using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Http.HttpResults;
using Microsoft.AspNetCore.Routing;
using Provocapi.Host.Platform.Cluster;
using Provocapi.Host.Platform.Errors;

namespace Provocapi.Host.Modules.Cluster.Worker;

/// <summary>
/// <c>POST /internal/attempts/{id}/usage</c> on a worker: a gateway whose client left claims what its attempt used
/// (<see cref="RoutedAttempt"/>). 404 when the worker knows no metered attempt of that name, or it did not end within
/// <see cref="RoutedAttempt.ClaimWait"/>. The cluster secret guards it, as every <c>/internal</c> path on a worker.
/// </summary>
public static class RoutedUsageEndpoint
{
    public static IEndpointRouteBuilder MapRoutedUsage(this IEndpointRouteBuilder app)
    {
        app.MapPost(RoutedAttempt.UsagePath("{id}"), ClaimAsync).WithTags("Internal").ExcludeFromDescription();
        return app;
    }

    static async Task<Results<Ok<RoutedAttempt.Usage>, NotFound<ErrorResponse>>> ClaimAsync(string id, RoutedUsageLedger ledger, HttpContext http) =>
        await ledger.ClaimAsync(id, RoutedAttempt.ClaimWait, http.RequestAborted) is { } usage
            ? TypedResults.Ok(usage)
            : TypedResults.NotFound(new ErrorResponse(new ApiError($"No metered attempt '{id}' ended on this worker.", "invalid_request_error", "attempt_not_found")));
}

using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Routing;
using Provocapi.Host.Platform.Callers;
using Provocapi.Host.Platform.Errors;

namespace Provocapi.Host.Modules.Batch.Get;

/// <summary><c>GET /v1/batch/{id}</c>: a job's status and counts; another tenant's job is 404, as if it did not exist.</summary>
public static class GetBatchEndpoint
{
    public static RouteHandlerBuilder MapGetBatch(this IEndpointRouteBuilder group) =>
        group.MapGet("/batch/{id}", (HttpContext http, BatchStore store, string id) => BatchObject.Of(Require(store, id, http.Caller())))
            .WithName("getBatch")
            .WithSummary("A batch job's status and progress.")
            .Produces<BatchObject>(StatusCodes.Status200OK)
            .Produces<ErrorResponse>(StatusCodes.Status404NotFound);

    public static BatchJob Require(BatchStore store, string id, Caller caller) =>
        store.Find(id, caller.TenantId)
            ?? throw new ApiException(StatusCodes.Status404NotFound, new ApiError($"No batch '{id}'.", "invalid_request_error", "batch_not_found", "id"));
}

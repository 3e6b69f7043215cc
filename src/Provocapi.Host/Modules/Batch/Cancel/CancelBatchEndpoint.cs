using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Routing;
using Provocapi.Host.Modules.Batch.Get;
using Provocapi.Host.Modules.Batch.Running;
using Provocapi.Host.Platform.Callers;
using Provocapi.Host.Platform.Errors;

namespace Provocapi.Host.Modules.Batch.Cancel;

/// <summary>
/// <c>POST /v1/batch/{id}/cancel</c>: no new line starts; the job is <c>cancelling</c> until the lines already running
/// finish, then <c>cancelled</c>. Finished lines stay downloadable. Cancelling a cancelled job changes nothing; a
/// finished one (completed, failed, expired) is a 400.
/// </summary>
public static class CancelBatchEndpoint
{
    public static RouteHandlerBuilder MapCancelBatch(this IEndpointRouteBuilder group) =>
        group.MapPost("/batch/{id}/cancel", Handle)
            .WithName("cancelBatch")
            .WithSummary("Cancel a batch job; finished lines stay downloadable.")
            .Produces<BatchObject>(StatusCodes.Status200OK)
            .Produces<ErrorResponse>(StatusCodes.Status400BadRequest)
            .Produces<ErrorResponse>(StatusCodes.Status404NotFound);

    static BatchObject Handle(HttpContext http, BatchStore store, BatchSupervisor supervisor, TimeProvider clock, string id)
    {
        var caller = http.Caller();
        var job = GetBatchEndpoint.Require(store, id, caller);
        if (job.Status is BatchStatus.Completed or BatchStatus.Failed or BatchStatus.Expired)
            throw ApiException.BadRequest($"The batch '{id}' is {job.Status} and cannot be cancelled.", "id", "invalid_value");
        var now = clock.GetUtcNow().ToUnixTimeSeconds();
        foreach (var from in (string[])[BatchStatus.Validating, BatchStatus.InProgress])
            store.Move(id, from, BatchStatus.Cancelling, now);
        supervisor.Wake();
        return BatchObject.Of(store.Find(id, caller.TenantId)!);
    }
}

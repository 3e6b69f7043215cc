using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Routing;
using Provocapi.Host.Platform.Callers;
using Provocapi.Host.Platform.Errors;

namespace Provocapi.Host.Modules.Batch.List;

/// <summary><c>GET /v1/batch?limit=&amp;after=</c>: the caller's jobs, newest first.</summary>
public static class ListBatchesEndpoint
{
    public static RouteHandlerBuilder MapListBatches(this IEndpointRouteBuilder group) =>
        group.MapGet("/batch", Handle)
            .WithName("listBatches")
            .WithSummary("List your batch jobs, newest first; page with limit (1-100, default 20) and after (a job id).")
            .Produces<BatchList>(StatusCodes.Status200OK)
            .Produces<ErrorResponse>(StatusCodes.Status400BadRequest);

    static BatchList Handle(HttpContext http, BatchStore store, string? limit, string? after)
    {
        var count = 20;
        if (limit != null && (!int.TryParse(limit, System.Globalization.NumberStyles.None, System.Globalization.CultureInfo.InvariantCulture, out count) || count is < 1 or > 100))
            throw ApiException.BadRequest($"Invalid 'limit': '{limit}'. It must be an integer from 1 to 100.", "limit", "invalid_value");
        var caller = http.Caller();
        if (after != null && store.Find(after, caller.TenantId) == null)
            throw ApiException.BadRequest($"Invalid 'after': no batch '{after}'.", "after", "invalid_value");
        var jobs = store.List(caller.TenantId, count + 1, after);
        var page = jobs.Take(count).Select(BatchObject.Of).ToList();
        return new BatchList(page, page.FirstOrDefault()?.Id, page.LastOrDefault()?.Id, jobs.Count > count);
    }
}

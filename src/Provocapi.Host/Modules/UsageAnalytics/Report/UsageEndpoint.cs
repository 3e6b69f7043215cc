using System.Globalization;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Http.HttpResults;
using Microsoft.AspNetCore.Mvc;
using Microsoft.AspNetCore.Routing;
using Provocapi.Host.Modules.UsageAnalytics.Storage;
using Provocapi.Host.Platform.Callers;
using Provocapi.Host.Platform.Errors;

namespace Provocapi.Host.Modules.UsageAnalytics.Report;

/// <summary><c>GET /v1/usage?start_date=&amp;end_date=[&amp;model=]</c>: the caller's tenant's usage per model per UTC day.</summary>
public static class UsageEndpoint
{
    public static RouteHandlerBuilder MapUsageReport(this IEndpointRouteBuilder group) =>
        group.MapGet("/usage", HandleAsync)
            .WithName("getUsage")
            .WithSummary("Your tenant's requests, tokens, cost and latency percentiles (total and time to first token) per model per UTC day, dates inclusive, at most 366 days.")
            .Produces<UsageResponse>(StatusCodes.Status200OK, "application/json")
            .Produces<ErrorResponse>(StatusCodes.Status400BadRequest, "application/json")
            .Produces<ErrorResponse>(StatusCodes.Status401Unauthorized, "application/json")
            .Produces<ErrorResponse>(StatusCodes.Status429TooManyRequests, "application/json");

    static async Task<Ok<UsageResponse>> HandleAsync(HttpContext http, IUsageStore store,
        [FromQuery(Name = "start_date")] string? startDate, [FromQuery(Name = "end_date")] string? endDate, string? model)
    {
        var (range, param, problem) = UsageDateRange.Parse(startDate, endDate, "start_date", "end_date");
        if (range == null) throw ApiException.BadRequest(problem!, param, "invalid_value");
        if (model is { Length: 0 }) throw ApiException.BadRequest("'model' must not be empty; leave it out for every model.", "model", "invalid_value");
        var days = await store.QueryAsync(new UsageQuery(http.Caller().TenantId, range.From, range.To, model), http.RequestAborted);
        return TypedResults.Ok(new UsageResponse(Day(range.From), Day(range.To), days.Select(UsageEntry.Of).ToList()));
    }

    static string Day(DateOnly day) => day.ToString("yyyy-MM-dd", CultureInfo.InvariantCulture);
}

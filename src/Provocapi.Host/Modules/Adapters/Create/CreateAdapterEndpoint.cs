using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Http.HttpResults;
using Microsoft.AspNetCore.Routing;
using Provocapi.Host.Modules.Adapters.Hub;
using Provocapi.Host.Platform.Callers;
using Provocapi.Host.Platform.Errors;
using Provocapi.Host.Platform.Json;
using Provocapi.Host.Platform.Models;

namespace Provocapi.Host.Modules.Adapters.Create;

/// <summary><c>POST /v1/adapters</c>: an adapter from a Hugging Face repository, fetched in the background; it answers at once with status <c>pending</c>.</summary>
public static class CreateAdapterEndpoint
{
    public static RouteHandlerBuilder MapCreateAdapter(this IEndpointRouteBuilder group) =>
        group.MapPost("", HandleAsync)
            .WithName("createAdapter")
            .WithSummary("Create a LoRA adapter from a Hugging Face repository (PEFT format); poll GET /v1/adapters/{id} until it is ready or failed.")
            .Accepts<CreateAdapterRequest>("application/json")
            .Produces<AdapterObject>(StatusCodes.Status202Accepted)
            .Produces<ErrorResponse>(400).Produces<ErrorResponse>(404).Produces<ErrorResponse>(409);

    static async Task<JsonHttpResult<AdapterObject>> HandleAsync(HttpContext http, JsonBody body, AdapterStore store, IModelDirectory models, HubDownloader downloader)
    {
        var caller = http.Caller();
        var request = await body.ReadAsync<CreateAdapterRequest>(http);
        var name = AdapterNames.RequireName(request.Name);
        var repo = AdapterNames.RequireRepo(request.HfRepo);
        var revision = AdapterNames.RequireRevision(request.Revision);
        var (baseId, baseConfig) = BaseModel.Require(models, request.BaseModel, caller);
        var adapter = new AdapterStore.StoredAdapter(AdapterStore.NewId(), caller.TenantId, name, baseId, "peft", repo, revision, "pending", null,
            null, null, null, null, DateTimeOffset.UtcNow.ToUnixTimeSeconds());
        if (!store.TryInsert(adapter)) throw BaseModel.NameTaken(name);
        downloader.Enqueue(new HubDownload(adapter.Id, caller.TenantId, name, baseId, baseConfig, repo, revision));
        return TypedResults.Json(AdapterObject.From(adapter), ApiJson.Options, statusCode: StatusCodes.Status202Accepted);
    }
}

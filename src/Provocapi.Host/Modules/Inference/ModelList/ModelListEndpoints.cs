using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Http.HttpResults;
using Microsoft.AspNetCore.Routing;
using Provocapi.Host.Modules.Inference.Catalog;
using Provocapi.Host.Platform.Callers;
using Provocapi.Host.Platform.Errors;
using Provocapi.Host.Platform.Headers;
using Provocapi.Host.Platform.Models;

namespace Provocapi.Host.Modules.Inference.ModelList;

/// <summary><c>GET /v1/models</c> and <c>GET /v1/models/{id}</c>: the models the caller's tenant may use (an alias finds its model).</summary>
public static class ModelListEndpoints
{
    public static IEndpointRouteBuilder MapModelList(this IEndpointRouteBuilder group)
    {
        group.MapGet("/models", List)
            .WithName("listModels")
            .WithSummary("List the models available to your tenant.")
            .ProducesErrors(401, 429);
        group.MapGet("/models/{**id}", Get)
            .WithName("retrieveModel")
            .WithSummary("Retrieve a model by id or alias.")
            .ProducesErrors(401, 404, 429);
        return group;
    }

    static Ok<ModelListResponse> List(HttpContext http, ModelCatalog catalog) =>
        TypedResults.Ok(new ModelListResponse(catalog.VisibleTo(http.Caller()).Select(Describe).ToList()));

    static Ok<ModelObject> Get(string id, HttpContext http, ModelCatalog catalog)
    {
        var model = catalog.Find(id, http.Caller());
        http.RequestInfo().Model = model.Id;
        return TypedResults.Ok(Describe(model));
    }

    static ModelObject Describe(ServedModel model) => new(model.Id, (model.LoadedAt ?? StartedAt).ToUnixTimeSeconds(), "provocapi");

    static readonly DateTimeOffset StartedAt = DateTimeOffset.UtcNow;
}

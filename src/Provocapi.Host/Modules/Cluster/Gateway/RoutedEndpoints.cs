using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Http.HttpResults;
using Microsoft.AspNetCore.Routing;
using Provocapi.Host.Platform.Callers;
using Provocapi.Host.Platform.Errors;
using Provocapi.Host.Platform.Headers;
using Provocapi.Host.Platform.Json;
using Provocapi.Host.Platform.Models;

namespace Provocapi.Host.Modules.Cluster.Gateway;

/// <summary>
/// A gateway's inference API: chat, completions and embeddings go to a worker chosen by model and adapter (the body
/// passes through untouched; the worker validates it); the model list is what healthy workers report.
/// </summary>
public static class RoutedEndpoints
{
    public static RouteGroupBuilder MapRoutedInference(this RouteGroupBuilder v1)
    {
        foreach (var (path, name) in new[] { ("/chat/completions", "createChatCompletion"), ("/completions", "createCompletion"), ("/embeddings", "createEmbedding") })
            v1.MapPost(path, RouteAsync).WithName(name).WithSummary("Routed to a worker that serves the model.")
                .ProducesErrors(400, 401, 404, 413, 429, 502, 503);
        v1.MapGet("/models", ListModels).WithName("listModels").WithSummary("The models healthy workers serve to your tenant.").ProducesErrors(401, 429);
        v1.MapGet("/models/{**id}", GetModel).WithName("retrieveModel").WithSummary("Retrieve a model by id or alias.").ProducesErrors(401, 404, 429);
        return v1;
    }

    static async Task RouteAsync(HttpContext http, JsonBody body, WorkerProxy proxy)
    {
        var bytes = await body.ReadBytesAsync(http);
        var request = RoutedRequest.Read(bytes);
        if (string.IsNullOrEmpty(request.Model)) throw ApiException.BadRequest("You must provide a model parameter.", "model", "missing_required_parameter");
        var reference = ModelReference.Parse(request.Model);
        await proxy.ForwardAsync(http, bytes, reference.Model, reference.Adapter, request.Sequences);
    }

    static Ok<ModelListResponse> ListModels(HttpContext http, WorkerRouter router) =>
        TypedResults.Ok(new ModelListResponse(router.Models(http.Caller()).Select(m => new ModelObject(m.Id, m.Created, "provocapi")).ToList()));

    static Ok<ModelObject> GetModel(string id, HttpContext http, WorkerRouter router)
    {
        var model = router.Models(http.Caller()).FirstOrDefault(m => m.Answers(id)) ?? throw ApiException.ModelNotFound(id);
        http.RequestInfo().Model = model.Id;
        return TypedResults.Ok(new ModelObject(model.Id, model.Created, "provocapi"));
    }
}

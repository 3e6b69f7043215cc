using Microsoft.AspNetCore.Http;
using Provocapi.Core;
using Provocapi.Host.Modules.Inference.Catalog;
using Provocapi.Host.Platform.Callers;
using Provocapi.Host.Platform.Headers;
using Provocapi.Host.Platform.Json;
using Provocapi.Host.Platform.Metering;
using Provocapi.Host.Platform.Models;

namespace Provocapi.Host.Modules.Inference.Serving;

/// <summary>
/// A generation request read, its model resolved for the caller (and named in the headers, with its LoRA adapter as
/// <c>base:adapter</c>), its unsupported parameters refused, and the engine that runs it.
/// </summary>
public sealed record GenerationCall<TRequest>(TRequest Request, ServedModel Model, LoadedModel Engine) where TRequest : GenerationParameters
{
    public static async Task<GenerationCall<TRequest>> ReadAsync(HttpContext http, JsonBody body, ModelCatalog catalog)
    {
        var request = await body.ReadAsync<TRequest>(http);
        var reference = ModelReference.Parse(request.RequireModel());
        var model = catalog.Find(reference.Model, http.Caller());
        http.RequestInfo().Model = model.Id;
        http.RequestUsage().Meter(model.Options.PromptPrice, model.Options.CompletionPrice);
        request.RejectUnsupported();
        var engine = model.RequireChat();
        if (reference.Adapter is { } adapter)
        {
            await RequestAdapter.AttachAsync(http, adapter, model, engine);
            http.RequestInfo().Model = $"{model.Id}:{adapter}";
        }
        return new GenerationCall<TRequest>(request, model, engine);
    }
}

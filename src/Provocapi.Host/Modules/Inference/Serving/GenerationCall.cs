using Microsoft.AspNetCore.Http;
using Provocapi.Core;
using Provocapi.Host.Modules.Inference.Catalog;
using Provocapi.Host.Platform.Callers;
using Provocapi.Host.Platform.Headers;
using Provocapi.Host.Platform.Json;
using Provocapi.Host.Platform.Metering;

namespace Provocapi.Host.Modules.Inference.Serving;

/// <summary>A generation request read, its model resolved for the caller (and named in the headers), its unsupported parameters refused, and the engine that runs it.</summary>
public sealed record GenerationCall<TRequest>(TRequest Request, ServedModel Model, LoadedModel Engine) where TRequest : GenerationParameters
{
    public static async Task<GenerationCall<TRequest>> ReadAsync(HttpContext http, JsonBody body, ModelCatalog catalog)
    {
        var request = await body.ReadAsync<TRequest>(http);
        var model = catalog.Find(request.RequireModel(), http.Caller());
        http.RequestInfo().Model = model.Id;
        http.RequestUsage().Meter(model.Options.PromptPrice, model.Options.CompletionPrice);
        request.RejectUnsupported();
        return new GenerationCall<TRequest>(request, model, model.RequireChat());
    }
}

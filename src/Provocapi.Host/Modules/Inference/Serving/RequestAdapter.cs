using Microsoft.AspNetCore.Http;
using Microsoft.Extensions.DependencyInjection;
using Provocapi.Core;
using Provocapi.Core.Adapters;
using Provocapi.Engine.Formats;
using Provocapi.Host.Modules.Inference.Catalog;
using Provocapi.Host.Platform.Callers;
using Provocapi.Host.Platform.Errors;

namespace Provocapi.Host.Modules.Inference.Serving;

/// <summary>
/// The LoRA adapter a request named (<c>base:adapter</c>), held for the whole request, so a delete or an eviction
/// meanwhile cannot take it away; its generations hold it too (see <see cref="GenerationPlan"/>).
/// </summary>
public sealed class RequestAdapter(LoadedAdapter adapter) : IDisposable
{
    public LoadedAdapter Adapter { get; } = adapter;

    public void Dispose() => Adapter.Release();

    /// <summary>Resolves the caller's adapter <paramref name="name"/> on <paramref name="model"/>; 404 <c>adapter_not_found</c> when it has none by that name.</summary>
    public static void Attach(HttpContext http, string name, ServedModel model, LoadedModel engine)
    {
        var registry = http.RequestServices.GetService<AdapterRegistry>();
        var caller = http.Caller();
        if (registry == null || registry.Find(caller.TenantId, model.Id, name) is not { } id) throw ApiException.AdapterNotFound(name);
        LoadedAdapter adapter;
        try { adapter = registry.Acquire(id, engine.Model.Config); }
        catch (AdapterNotFoundException) { throw ApiException.AdapterNotFound(name); }
        catch (ModelFormatException) { throw ApiException.Upstream($"The adapter '{name}' could not be loaded; its files no longer fit the model."); }
        var held = new RequestAdapter(adapter);
        http.Response.RegisterForDispose(held);
        http.Features.Set(held);
    }
}

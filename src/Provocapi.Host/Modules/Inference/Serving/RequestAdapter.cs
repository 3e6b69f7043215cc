using Microsoft.AspNetCore.Http;
using Microsoft.Extensions.DependencyInjection;
using Provocapi.Core;
using Provocapi.Core.Adapters;
using Provocapi.Engine.Formats;
using Provocapi.Host.Modules.Inference.Catalog;
using Provocapi.Host.Platform.Adapters;
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

    /// <summary>
    /// Resolves the caller's adapter <paramref name="name"/> on <paramref name="model"/> (on a worker, fetching it
    /// first if this worker does not hold it yet); 404 <c>adapter_not_found</c> when the caller has none by that name.
    /// </summary>
    public static async Task AttachAsync(HttpContext http, string name, ServedModel model, LoadedModel engine)
    {
        var registry = http.RequestServices.GetService<AdapterRegistry>();
        var resolver = http.RequestServices.GetService<IAdapterResolver>();
        var caller = http.Caller();
        if (registry == null || resolver == null || await resolver.ResolveAsync(caller.TenantId, model.Id, name, http.RequestAborted) is not { } id)
            throw ApiException.AdapterNotFound(name);
        LoadedAdapter adapter;
        try { adapter = registry.Acquire(id, engine.Model.Config); }
        catch (AdapterNotFoundException) { throw ApiException.AdapterNotFound(name); }
        // A delete that removed the files while they were being read.
        catch (IOException) when (registry.Find(caller.TenantId, model.Id, name) == null) { throw ApiException.AdapterNotFound(name); }
        catch (ModelFormatException) { throw ApiException.Upstream($"The adapter '{name}' could not be loaded; its files no longer fit the model."); }
        var held = new RequestAdapter(adapter);
        http.Response.RegisterForDispose(held);
        http.Features.Set(held);
    }
}

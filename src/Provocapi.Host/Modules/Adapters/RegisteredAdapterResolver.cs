using Provocapi.Core.Adapters;
using Provocapi.Host.Platform.Adapters;

namespace Provocapi.Host.Modules.Adapters;

/// <summary>The all role: every ready adapter is registered at start or as it becomes ready, so finding one is a lookup.</summary>
public sealed class RegisteredAdapterResolver(AdapterRegistry registry) : IAdapterResolver
{
    public ValueTask<string?> ResolveAsync(string tenantId, string baseModel, string name, CancellationToken cancellationToken) =>
        ValueTask.FromResult(registry.Find(tenantId, baseModel, name));
}

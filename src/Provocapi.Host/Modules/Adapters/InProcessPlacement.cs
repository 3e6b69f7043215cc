using Provocapi.Core.Adapters;

namespace Provocapi.Host.Modules.Adapters;

/// <summary>The all role: adapters are served by this process, from their folder in the data directory.</summary>
public sealed class InProcessPlacement(AdapterRegistry registry, AdapterFiles files) : AdapterPlacement
{
    public override void Prepare(string id, string folder) { }

    public override void Ready(AdapterRegistration adapter) => registry.Register(adapter);

    public override void Discard(string tenantId, string id) => files.DeleteFolder(tenantId, id);

    public override Task RemoveAsync(string tenantId, string id)
    {
        registry.Unregister(id);
        files.DeleteFolder(tenantId, id);
        return Task.CompletedTask;
    }
}

using Provocapi.Core.Adapters;

namespace Provocapi.Host.Modules.Adapters;

/// <summary>
/// Where ready adapters are served from, and so what becoming ready and being deleted must reach: this process's
/// registry (the all role, <see cref="InProcessPlacement"/>), or the workers, through the shared store (a gateway,
/// <see cref="Gateway.SharedStorePlacement"/>).
/// </summary>
public abstract class AdapterPlacement
{
    /// <summary>The adapter's files are in <paramref name="folder"/> and checked; its row does not say ready yet.</summary>
    public abstract void Prepare(string id, string folder);

    /// <summary>Its row says ready: it may be served from now on.</summary>
    public abstract void Ready(AdapterRegistration adapter);

    /// <summary>It never became ready (refused, failed, or deleted while it downloaded): its files go.</summary>
    public abstract void Discard(string tenantId, string id);

    /// <summary>Its row was deleted: new requests must not get it; generations running with it finish.</summary>
    public abstract Task RemoveAsync(string tenantId, string id);
}

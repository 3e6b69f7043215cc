namespace Provocapi.Host.Platform.Adapters;

/// <summary>
/// Finds a tenant's LoRA adapter for the inference module and makes it servable in this process: registered with
/// Core's <c>AdapterRegistry</c> already, or on a worker, fetched from the gateways first.
/// </summary>
public interface IAdapterResolver
{
    /// <summary>
    /// The id, registered here, of <paramref name="tenantId"/>'s ready adapter <paramref name="name"/> on
    /// <paramref name="baseModel"/> (a model id); null when the tenant has no such adapter.
    /// </summary>
    ValueTask<string?> ResolveAsync(string tenantId, string baseModel, string name, CancellationToken cancellationToken);
}

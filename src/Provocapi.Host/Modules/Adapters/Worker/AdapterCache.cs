using Microsoft.Extensions.Options;
using Provocapi.Core.Adapters;
using Provocapi.Host.Platform.Cluster;
using Provocapi.Host.Server;

namespace Provocapi.Host.Modules.Adapters.Worker;

/// <summary>
/// The adapters this worker holds: fetched from the gateways into <c>{DataDirectory}/adapter-cache/worker-{node}/{id}/</c>
/// (per node, so workers sharing a data folder keep apart) and registered for serving. Nothing here outlives the
/// process: the registry starts empty, so a start clears what the last run left.
/// </summary>
public sealed class AdapterCache(AdapterRegistry registry, IOptions<ServerOptions> server, NodeIdentity node)
{
    readonly string _root = Path.GetFullPath(Path.Combine(server.Value.DataDirectory, "adapter-cache", "worker-" + node.NodeId));

    public string Folder(string id) => Path.Combine(_root, id);

    /// <summary>A new empty folder to fetch into; <see cref="Commit"/> makes it an adapter's.</summary>
    public string NewStagingFolder() => Directory.CreateDirectory(Path.Combine(_root, ".staging", Guid.NewGuid().ToString("N"))).FullName;

    /// <summary>Moves a complete fetch into place, so a folder under its id is never half written.</summary>
    public string Commit(string staging, string id)
    {
        var folder = Folder(id);
        AdapterFiles.DeleteTree(folder);
        Directory.Move(staging, folder);
        return folder;
    }

    public void Hold(AdapterRegistration adapter) => registry.Register(adapter);

    public IReadOnlyList<string> HeldIds() => registry.Registered().Select(a => a.Id).ToList();

    /// <summary>Unregisters the adapter and deletes its files; generations running with it keep the weights they hold.</summary>
    public bool Drop(string id)
    {
        var held = registry.Unregister(id);
        AdapterFiles.DeleteTree(Folder(id));
        return held;
    }

    public void Clear() => AdapterFiles.DeleteTree(_root);

}

using Provocapi.Engine.Models;
using Provocapi.Host.Platform.Callers;
using Provocapi.Host.Platform.Models;

namespace Provocapi.Host.Modules.Cluster.Gateway;

/// <summary>
/// A gateway's chat models, as healthy workers report them with their shape: enough for the adapter API to check an
/// adapter against a base model this process never loads.
/// </summary>
public sealed class ReportedModelDirectory(WorkerDirectory directory) : IModelDirectory
{
    public (string Id, TransformerConfig Config)? FindChatModel(string name, Caller caller)
    {
        var model = directory.Usable
            .SelectMany(w => w.Models)
            .FirstOrDefault(m => m.Serves(name, caller.TenantName) && m.Config != null);
        return model == null ? null : (model.Id, model.Config!);
    }
}

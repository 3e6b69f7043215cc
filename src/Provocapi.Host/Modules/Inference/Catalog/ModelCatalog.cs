using Microsoft.Extensions.Options;
using Provocapi.Core;
using Provocapi.Engine.Models;
using Provocapi.Host.Platform.Callers;
using Provocapi.Host.Platform.Errors;
using Provocapi.Host.Platform.Models;

namespace Provocapi.Host.Modules.Inference.Catalog;

/// <summary>The configured models by id and alias, and which of them a tenant may use.</summary>
public sealed class ModelCatalog : IModelDirectory
{
    readonly Dictionary<string, ServedModel> _byName = new(StringComparer.Ordinal);

    public IReadOnlyList<ServedModel> Models { get; }

    public ModelCatalog(IOptions<InferenceOptions> options)
    {
        Models = options.Value.Models.Select(o => new ServedModel(o)).ToList();
        foreach (var model in Models)
            foreach (var name in model.Options.Aliases.Prepend(model.Id))
                _byName[name] = model;
    }

    public bool AllReady => Models.All(m => m.State == ModelState.Ready);

    public IEnumerable<ServedModel> VisibleTo(Caller caller) => Models.Where(m => m.IsVisibleTo(caller.TenantName));

    /// <summary>The model a request names, by id or alias; 404 when the caller's tenant may not see it.</summary>
    public ServedModel Find(string name, Caller caller) =>
        _byName.TryGetValue(name, out var model) && model.IsVisibleTo(caller.TenantName) ? model : throw ApiException.ModelNotFound(name);

    public (string Id, TransformerConfig Config)? FindChatModel(string name, Caller caller) =>
        _byName.TryGetValue(name, out var model) && model.IsVisibleTo(caller.TenantName) && model.Kind == ModelKind.Chat
            ? (model.Id, model.RequireChat().Model.Config)
            : null;
}

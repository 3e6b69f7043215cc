using Provocapi.Core;
using Provocapi.Host.Platform.Callers;

namespace Provocapi.Host.Platform.Models;

/// <summary>The served models as other modules see them (adapters need their base model's shape), without reaching into the inference module.</summary>
public interface IModelDirectory
{
    /// <summary>
    /// The id and running engine of the chat model <paramref name="name"/> (an id or alias) that <paramref name="caller"/>
    /// may use; null when there is no such model. A model still loading or failed is a 503.
    /// </summary>
    (string Id, LoadedModel Engine)? FindChatModel(string name, Caller caller);
}

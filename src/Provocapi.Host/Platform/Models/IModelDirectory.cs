using Provocapi.Engine.Models;
using Provocapi.Host.Platform.Callers;

namespace Provocapi.Host.Platform.Models;

/// <summary>
/// The served chat models as other modules see them (adapters need their base model's shape), without reaching into
/// the inference module: the models loaded here, or on a gateway, the models healthy workers report.
/// </summary>
public interface IModelDirectory
{
    /// <summary>
    /// The id and shape of the chat model <paramref name="name"/> (an id or alias) that <paramref name="caller"/> may
    /// use; null when there is no such model. A model still loading or failed is a 503.
    /// </summary>
    (string Id, TransformerConfig Config)? FindChatModel(string name, Caller caller);
}

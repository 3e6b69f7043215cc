using System.Text.Json;
using Microsoft.Extensions.DependencyInjection;
using Provocapi.Core.Adapters;
using Provocapi.Host.Modules.Inference.Catalog;
using Provocapi.Host.Modules.Inference.ChatCompletions;
using Provocapi.Host.Modules.Inference.Completions;
using Provocapi.Host.Modules.Inference.Embeddings;
using Provocapi.Host.Platform.Batch;
using Provocapi.Host.Platform.Callers;
using Provocapi.Host.Platform.Errors;
using Provocapi.Host.Platform.Json;
using Provocapi.Host.Platform.Models;

namespace Provocapi.Host.Modules.Inference.Serving;

/// <summary>
/// Checks chat, completion and embedding bodies for batch jobs with the endpoints' own rules (types, ranges, messages,
/// tools, formats, a model of the right kind the tenant may use), everything short of tokenizing; streaming has no
/// meaning in a batch.
/// </summary>
public sealed class BatchRequestValidator(ModelCatalog catalog, IServiceProvider services) : IBatchRequestValidator
{
    public IReadOnlyCollection<string> Urls { get; } = ["/v1/chat/completions", "/v1/completions", "/v1/embeddings"];

    public string? Problem(string url, JsonElement body, Caller caller)
    {
        try
        {
            if (url == "/v1/embeddings")
            {
                var embedding = body.Deserialize<EmbeddingRequest>(ApiJson.Options)!;
                var encoder = catalog.Find(embedding.RequireModel(), caller);
                if (encoder.Kind != ModelKind.Embedding) return $"the model '{encoder.Id}' is a chat model; it cannot serve {url}";
                return embedding.Input is { ValueKind: not JsonValueKind.Null } ? null : "'input' is required";
            }
            GenerationParameters request = url == "/v1/chat/completions"
                ? body.Deserialize<ChatCompletionRequest>(ApiJson.Options)!
                : body.Deserialize<CompletionRequest>(ApiJson.Options)!;
            if (request.IsStreaming) return "'stream' is not supported in a batch";
            var reference = ModelReference.Parse(request.RequireModel());
            var model = catalog.Find(reference.Model, caller);
            if (model.Kind != ModelKind.Chat) return $"the model '{model.Id}' is an embedding model; it cannot serve {url}";
            if (reference.Adapter is { } adapter && services.GetService<AdapterRegistry>()?.Find(caller.TenantId, model.Id, adapter) == null)
                return $"the adapter '{adapter}' does not exist for the model '{model.Id}' or you do not have access to it";
            request.RejectUnsupported();
            if (request is ChatCompletionRequest chat)
            {
                chat.ConversationText();
                ChatToolsRequest.Tools(chat.Tools);
                ChatToolsRequest.Choice(chat.ToolChoice);
                ChatToolsRequest.Format(chat.ResponseFormat);
            }
            else if (((CompletionRequest)request).Prompt is not { ValueKind: not JsonValueKind.Null })
                return "'prompt' is required";
            return null;
        }
        catch (JsonException e)
        {
            return $"the body does not match the endpoint's request: {e.Message}";
        }
        catch (ApiException e)
        {
            return e.Error.Message;
        }
    }
}

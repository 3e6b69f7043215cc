using System.Text.Json;
using Provocapi.Host.Platform.Batch;
using Provocapi.Host.Platform.Callers;
using Provocapi.Host.Platform.Models;

namespace Provocapi.Host.Modules.Cluster.Gateway;

/// <summary>
/// A gateway's check of a batch line, without the models themselves: the url is one the workers serve, the body is
/// not streamed, and its model (before any <c>:adapter</c>) is one some worker reports for the caller's tenant. The
/// worker that runs the line finds any deeper problem, which comes back in that line's error, as OpenAI's do.
/// </summary>
public sealed class RoutedBatchRequestValidator(WorkerRouter router) : IBatchRequestValidator
{
    public IReadOnlyCollection<string> Urls { get; } = ["/v1/chat/completions", "/v1/completions", "/v1/embeddings"];

    public string? Problem(string url, JsonElement body, Caller caller)
    {
        if (!body.TryGetProperty("model", out var model) || model.ValueKind != JsonValueKind.String || model.GetString()!.Length == 0)
            return "'model' is required";
        if (body.TryGetProperty("stream", out var stream) && stream.ValueKind == JsonValueKind.True) return "'stream' is not supported in a batch";
        var name = ModelReference.Parse(model.GetString()!).Model;
        return router.Knows(name, caller) ? null : $"the model '{name}' does not exist or you do not have access to it";
    }
}

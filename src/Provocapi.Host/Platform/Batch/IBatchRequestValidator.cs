using System.Text.Json;
using Provocapi.Host.Platform.Callers;

namespace Provocapi.Host.Platform.Batch;

/// <summary>
/// Checks a batch line's body before the job starts, as its endpoint would (the model usable by the tenant, the
/// fields valid), without running it. Modules that serve batchable endpoints register one.
/// </summary>
public interface IBatchRequestValidator
{
    /// <summary>The urls this validator answers for.</summary>
    IReadOnlyCollection<string> Urls { get; }

    /// <summary>What is wrong with <paramref name="body"/> (a message naming the field), or null.</summary>
    string? Problem(string url, JsonElement body, Caller caller);
}

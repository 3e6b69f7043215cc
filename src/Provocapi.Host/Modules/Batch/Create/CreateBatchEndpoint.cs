using System.Security.Cryptography;
using System.Text;
using System.Text.Json;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Http.Features;
using Microsoft.AspNetCore.Routing;
using Microsoft.Extensions.Options;
using Microsoft.Net.Http.Headers;
using Provocapi.Host.Modules.Batch.Running;
using Provocapi.Host.Platform.Callers;
using Provocapi.Host.Platform.Cluster;
using Provocapi.Host.Platform.Errors;
using Provocapi.Host.Platform.Http;
using Provocapi.Host.Server;

namespace Provocapi.Host.Modules.Batch.Create;

/// <summary>
/// <c>POST /v1/batch</c>: a multipart upload whose <c>file</c> part (JSONL) is streamed to the data folder, counted as
/// it goes (over the size limit: 413; over the line limit: 400), never held in memory. An optional <c>metadata</c>
/// part is a JSON object of strings. The job starts <c>validating</c>; this node's supervisor (the file is on its disk) checks every line before any runs.
/// </summary>
public static class CreateBatchEndpoint
{
    const int MaxMetadataBytes = 16 * 1024;

    public static RouteHandlerBuilder MapCreateBatch(this IEndpointRouteBuilder group) =>
        group.MapPost("/batch", HandleAsync)
            .WithName("createBatch")
            .WithSummary("Submit a JSONL file of requests (multipart field 'file'); answered at 50% of the per-token rate.")
            .Accepts<IFormFile>("multipart/form-data")
            .Produces<BatchObject>(StatusCodes.Status200OK)
            .Produces<ErrorResponse>(StatusCodes.Status400BadRequest)
            .Produces<ErrorResponse>(StatusCodes.Status413PayloadTooLarge)
            .Produces<ErrorResponse>(StatusCodes.Status429TooManyRequests);

    static async Task<BatchObject> HandleAsync(HttpContext http, BatchStore store, BatchSupervisor supervisor, IOptions<BatchOptions> batchOptions,
        IOptions<ServerOptions> serverOptions, NodeIdentity node, TimeProvider clock)
    {
        var caller = http.Caller();
        var options = batchOptions.Value;
        if (caller.Tier == Tier.Shared && options.SharedTierMaxOpenJobs > 0 && store.CountOpen(caller.TenantId) >= options.SharedTierMaxOpenJobs)
            throw new ApiException(StatusCodes.Status429TooManyRequests,
                new ApiError($"You have {options.SharedTierMaxOpenJobs} batch jobs not yet finished, the shared tier's limit. Wait for one to finish or cancel one.",
                    "invalid_request_error", "rate_limit_exceeded"),
                new Dictionary<string, string> { ["Retry-After"] = "60" });
        if (http.Features.Get<IHttpMaxRequestBodySizeFeature>() is { IsReadOnly: false } size) size.MaxRequestBodySize = options.MaxFileBytes + MaxMetadataBytes + 64 * 1024;

        var boundary = MultipartBoundary.Of(http.Request.ContentType)
            ?? throw ApiException.BadRequest($"Send the file as multipart/form-data with the field 'file' (and a boundary of at most {MultipartBoundary.MaxLength} characters).", "file", "invalid_value");
        var id = "batch_" + Convert.ToHexStringLower(RandomNumberGenerator.GetBytes(12));
        var folder = Path.Combine(serverOptions.Value.DataDirectory, "batch");
        Directory.CreateDirectory(folder);
        var path = Path.Combine(folder, id + ".jsonl");
        long lines = -1;
        string? metadata = null;
        try
        {
            var sections = new MultipartSections(boundary, http.Request.Body, null, http.RequestAborted);
            while (await sections.NextAsync() is { } section)
            {
                var name = ContentDispositionHeaderValue.TryParse(section.ContentDisposition, out var disposition) ? disposition.Name.Value : null;
                if (name == "file")
                {
                    if (lines >= 0) throw ApiException.BadRequest("Upload one 'file' part.", "file", "invalid_value");
                    lines = await SaveAsync(section.Body, path, options, http.RequestAborted);
                }
                else if (name == "metadata") metadata = await MetadataAsync(section.Body, http.RequestAborted);
            }
        }
        catch (InvalidDataException e) when (!http.RequestAborted.IsCancellationRequested)
        {
            // The multipart framing is broken or the body ends early (Kestrel's own errors, such as a body over its limit,
            // pass through).
            File.Delete(path);
            throw ApiException.BadRequest($"The multipart body is malformed: {e.Message}", "file", "invalid_value");
        }
        catch
        {
            File.Delete(path);
            throw;
        }
        if (lines < 0) throw ApiException.BadRequest("Upload the JSONL file as the multipart field 'file'.", "file", "missing_required_parameter");

        var now = clock.GetUtcNow().ToUnixTimeSeconds();
        var job = new BatchJob
        {
            Id = id,
            TenantId = caller.TenantId,
            TenantName = caller.TenantName,
            Tier = caller.Tier.ToString().ToLowerInvariant(),
            KeyId = caller.KeyId,
            Endpoint = await FirstUrlAsync(path),
            Status = BatchStatus.Validating,
            InputPath = path,
            TotalRequests = lines,
            Metadata = metadata,
            CreatedAt = now,
            ExpiresAt = now + (long)options.CompletionWindow.TotalSeconds,
            InputNode = node.NodeId,
        };
        store.Insert(job);
        supervisor.Wake();
        return BatchObject.Of(job);
    }

    /// <summary>Copies the part to disk, counting bytes and non-empty lines as they pass.</summary>
    static async Task<long> SaveAsync(Stream part, string path, BatchOptions options, CancellationToken cancellationToken)
    {
        await using var file = new FileStream(path, FileMode.CreateNew, FileAccess.Write, FileShare.None, 64 * 1024, useAsync: true);
        var buffer = new byte[64 * 1024];
        long bytes = 0, lines = 0;
        var lineHasText = false;
        int read;
        while ((read = await part.ReadAsync(buffer, cancellationToken)) > 0)
        {
            bytes += read;
            if (bytes > options.MaxFileBytes)
                throw ApiException.TooLarge($"The file is larger than the limit of {options.MaxFileBytes / (1024 * 1024)} MB.");
            foreach (var b in buffer.AsSpan(0, read))
            {
                if (b == (byte)'\n')
                {
                    if (lineHasText) lines++;
                    lineHasText = false;
                }
                else if (!JsonlFile.IsBlankByte(b)) lineHasText = true;
            }
            if (lines > options.MaxLines)
                throw ApiException.BadRequest($"The file has more than {options.MaxLines} requests.", "file", "too_many_requests");
            await file.WriteAsync(buffer.AsMemory(0, read), cancellationToken);
        }
        if (lineHasText) lines++;
        if (lines > options.MaxLines) throw ApiException.BadRequest($"The file has more than {options.MaxLines} requests.", "file", "too_many_requests");
        if (lines == 0) throw ApiException.BadRequest("The file has no requests.", "file", "invalid_value");
        return lines;
    }

    static async Task<string> MetadataAsync(Stream part, CancellationToken cancellationToken)
    {
        using var memory = new MemoryStream();
        var buffer = new byte[4096];
        int read;
        while ((read = await part.ReadAsync(buffer, cancellationToken)) > 0)
        {
            if (memory.Length + read > MaxMetadataBytes) throw ApiException.BadRequest($"'metadata' is larger than {MaxMetadataBytes / 1024} KB.", "metadata", "invalid_value");
            memory.Write(buffer, 0, read);
        }
        // Every name and value is decoded here, so what is stored is known to serialize: JsonDocument checks the
        // structure, not that a string is valid UTF-8 or that a \u escape is not half a surrogate pair.
        var pairs = new Dictionary<string, string>(StringComparer.Ordinal);
        try
        {
            using var json = JsonDocument.Parse(memory.ToArray());
            if (json.RootElement.ValueKind != JsonValueKind.Object) throw new JsonException();
            foreach (var property in json.RootElement.EnumerateObject())
            {
                if (property.Value.ValueKind != JsonValueKind.String) throw new JsonException();
                if (!pairs.TryAdd(property.Name, property.Value.GetString()!))
                    throw ApiException.BadRequest($"'metadata' has the key '{property.Name}' twice.", "metadata", "invalid_value");
            }
        }
        catch (JsonException)
        {
            throw ApiException.BadRequest("'metadata' must be a JSON object of strings.", "metadata", "invalid_value");
        }
        catch (InvalidOperationException)
        {
            throw ApiException.BadRequest("'metadata' is not valid Unicode: invalid UTF-8, or a \\u escape of half a surrogate pair.", "metadata", "invalid_value");
        }
        return JsonSerializer.Serialize(pairs);
    }

    /// <summary>The url of the file's first request (the chat endpoint when it names none), shown as the job's endpoint.</summary>
    static async Task<string> FirstUrlAsync(string path)
    {
        using var reader = new StreamReader(path, Encoding.UTF8);
        while (await reader.ReadLineAsync() is { } line)
        {
            if (string.IsNullOrWhiteSpace(line)) continue;
            try
            {
                using var json = JsonDocument.Parse(line);
                if (json.RootElement.ValueKind == JsonValueKind.Object && json.RootElement.TryGetProperty("url", out var url) && url.ValueKind == JsonValueKind.String)
                    return url.GetString()!;
            }
            catch (JsonException)
            {
                // Validation reports the line; the job still needs an endpoint to show.
            }
            break;
        }
        return "/v1/chat/completions";
    }
}

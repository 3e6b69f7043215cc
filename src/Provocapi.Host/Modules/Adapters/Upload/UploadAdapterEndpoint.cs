using System.Text;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Http.Features;
using Microsoft.AspNetCore.Routing;
using Microsoft.Net.Http.Headers;
using Provocapi.Core.Adapters;
using Provocapi.Engine.Models.Adapters;
using Provocapi.Host.Platform.Callers;
using Provocapi.Host.Platform.Errors;
using Provocapi.Host.Platform.Http;
using Provocapi.Host.Platform.Models;

namespace Provocapi.Host.Modules.Adapters.Upload;

/// <summary>
/// <c>POST /v1/adapters/upload</c>: multipart form with <c>name</c>, <c>base_model</c> and either
/// <c>adapter_config.json</c> plus <c>adapter_model.safetensors</c> (PEFT) or one <c>.gguf</c> LoRA file. Files are
/// streamed to disk under the size limit (413 beyond), checked against the base model, and ready at once (on a
/// gateway, once they are in the shared store, where workers fetch them).
/// </summary>
public static class UploadAdapterEndpoint
{
    /// <summary>Room for the form's fields and part headers on top of the files themselves.</summary>
    const long FormOverheadBytes = 64 * 1024;

    public static RouteHandlerBuilder MapUploadAdapter(this IEndpointRouteBuilder group) =>
        group.MapPost("/upload", HandleAsync)
            .WithName("uploadAdapter")
            .WithSummary("Upload a LoRA adapter: a PEFT folder's two files or a GGUF LoRA file, with name and base_model.")
            .Accepts<IFormFile>("multipart/form-data")
            .Produces<AdapterObject>()
            .Produces<ErrorResponse>(400).Produces<ErrorResponse>(404).Produces<ErrorResponse>(409).Produces<ErrorResponse>(413);

    static async Task<IResult> HandleAsync(HttpContext http, AdapterFiles files, AdapterStore store, IModelDirectory models, AdapterPlacement placement)
    {
        var caller = http.Caller();
        if (http.Features.Get<IHttpMaxRequestBodySizeFeature>() is { IsReadOnly: false } limit) limit.MaxRequestBodySize = files.MaxBytes + FormOverheadBytes;
        if (http.Request.ContentLength > files.MaxBytes + FormOverheadBytes) throw files.TooLarge();
        var boundary = MultipartBoundary.Of(http.Request.ContentType)
            ?? throw ApiException.BadRequest("Upload the adapter as multipart/form-data.", null, "invalid_content_type");

        var id = AdapterStore.NewId();
        var folder = files.CreateFolder(caller.TenantId, id);
        AdapterStore.StoredAdapter adapter;
        string path;
        try
        {
            var (fields, stored) = await ReadFormAsync(http, boundary, folder, files);
            var name = AdapterNames.RequireName(fields.GetValueOrDefault("name"));
            var (baseId, baseConfig) = BaseModel.Require(models, fields.GetValueOrDefault("base_model"), caller);
            if (store.NameTaken(caller.TenantId, name)) throw BaseModel.NameTaken(name);
            var format = stored.SetEquals([LoraAdapterLoader.PeftConfigFile, LoraAdapterLoader.PeftWeightsFile]) ? "peft"
                : stored.SetEquals([AdapterFiles.GgufFile]) ? "gguf"
                : throw ApiException.BadRequest("Upload either adapter_config.json and adapter_model.safetensors (PEFT) or one .gguf LoRA file.", "file", "invalid_adapter");
            path = files.AdapterPath(caller.TenantId, id, format);
            var description = files.Check(path, name, baseConfig);
            adapter = new AdapterStore.StoredAdapter(id, caller.TenantId, name, baseId, format, null, null, "ready", null,
                description.Rank, description.Alpha, string.Join(",", description.TargetModules), description.SizeBytes, DateTimeOffset.UtcNow.ToUnixTimeSeconds());
            placement.Prepare(id, folder);
            if (!store.TryInsert(adapter)) throw BaseModel.NameTaken(name);
        }
        catch
        {
            placement.Discard(caller.TenantId, id);
            throw;
        }
        placement.Ready(new AdapterRegistration(id, caller.TenantId, adapter.BaseModel, adapter.Name, path));
        return TypedResults.Ok(AdapterObject.From(adapter));
    }

    /// <summary>Text fields, and file parts saved under fixed names chosen by their file name's kind (never the name itself).</summary>
    static async Task<(Dictionary<string, string> Fields, HashSet<string> Stored)> ReadFormAsync(HttpContext http, string boundary, string folder, AdapterFiles files)
    {
        var fields = new Dictionary<string, string>(StringComparer.Ordinal);
        var stored = new HashSet<string>(StringComparer.Ordinal);
        var sections = new MultipartSections(boundary, http.Request.Body, files.MaxBytes + FormOverheadBytes, http.RequestAborted);
        long total = 0;
        try
        {
            while (await sections.NextAsync() is { } section)
            {
                if (!ContentDispositionHeaderValue.TryParse(section.ContentDisposition, out var disposition)
                    || !disposition.DispositionType.Equals("form-data", StringComparison.OrdinalIgnoreCase))
                    throw ApiException.BadRequest("Every part of the form needs a Content-Disposition of form-data.", null, "invalid_value");
                if (disposition.IsFileDisposition())
                {
                    var fileName = Path.GetFileName(HeaderUtilities.RemoveQuotes(disposition.FileNameStar.HasValue ? disposition.FileNameStar : disposition.FileName).Value ?? "");
                    var target = fileName switch
                    {
                        LoraAdapterLoader.PeftConfigFile or LoraAdapterLoader.PeftWeightsFile => fileName,
                        _ when fileName.EndsWith(".gguf", StringComparison.OrdinalIgnoreCase) => AdapterFiles.GgufFile,
                        _ => throw ApiException.BadRequest($"Unexpected file '{fileName}': upload adapter_config.json and adapter_model.safetensors, or one .gguf file.", "file", "invalid_adapter"),
                    };
                    if (!stored.Add(target)) throw ApiException.BadRequest($"The form holds more than one {target}.", "file", "invalid_adapter");
                    total += await files.CopyAsync(section.Body, Path.Combine(folder, target), files.MaxBytes - total, http.RequestAborted);
                }
                else
                {
                    var key = HeaderUtilities.RemoveQuotes(disposition.Name).Value ?? "";
                    if (key == "file")
                        throw ApiException.BadRequest("The 'file' part has no filename: name it adapter_config.json, adapter_model.safetensors or *.gguf.", "file", "invalid_adapter");
                    fields[key] = await ReadTextAsync(section.Body, key, http.RequestAborted);
                }
            }
        }
        catch (InvalidDataException e) when (e.Message.Contains("length limit", StringComparison.OrdinalIgnoreCase))
        {
            throw files.TooLarge();
        }
        catch (InvalidDataException e)
        {
            throw ApiException.BadRequest($"The multipart body is malformed: {e.Message}", null, "invalid_value");
        }
        return (fields, stored);
    }

    static async Task<string> ReadTextAsync(Stream body, string field, CancellationToken cancellationToken)
    {
        using var buffer = new MemoryStream();
        var chunk = new byte[1024];
        int read;
        while ((read = await body.ReadAsync(chunk, cancellationToken)) > 0)
        {
            buffer.Write(chunk, 0, read);
            if (buffer.Length > 1024) throw ApiException.BadRequest($"The form field '{field}' is too long.", field, "invalid_value");
        }
        return Encoding.UTF8.GetString(buffer.ToArray()).Trim();
    }
}

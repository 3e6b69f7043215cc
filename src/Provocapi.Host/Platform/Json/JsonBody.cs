using System.Buffers;
using System.Reflection;
using System.Text.Json;
using Microsoft.AspNetCore.Http;
using Microsoft.Extensions.Options;
using Provocapi.Host.Platform.Errors;
using Provocapi.Host.Server;

namespace Provocapi.Host.Platform.Json;

/// <summary>
/// Reads a request body as a typed request, under the configured size limit, turning every failure into a 400
/// that says where (bad JSON: line and column; a wrong type: the param) or a 413. Unknown fields are ignored.
/// </summary>
public sealed class JsonBody(IOptions<ServerOptions> options)
{
    readonly long _limit = options.Value.MaxRequestBodyBytes;

    public async Task<T> ReadAsync<T>(HttpContext http) where T : class => Parse<T>(await ReadBytesAsync(http));

    /// <summary>The whole body, under the size limit (413 beyond); a 400 when it is empty.</summary>
    public async Task<ReadOnlyMemory<byte>> ReadBytesAsync(HttpContext http)
    {
        if (http.Request.ContentLength > _limit) throw TooLarge();
        var buffer = new ArrayBufferWriter<byte>(4096);
        var body = http.Request.Body;
        while (true)
        {
            var memory = buffer.GetMemory(16384);
            var read = await body.ReadAsync(memory, http.RequestAborted);
            if (read == 0) break;
            buffer.Advance(read);
            if (buffer.WrittenCount > _limit) throw TooLarge();
        }
        if (buffer.WrittenCount == 0) throw ApiException.BadRequest("The request body is empty; we expected a JSON object.");
        return buffer.WrittenMemory;
    }

    /// <summary>A body already read, as <typeparamref name="T"/>; a 400 saying where when it is not one.</summary>
    public static T Parse<T>(ReadOnlyMemory<byte> json) where T : class
    {
        try
        {
            return JsonSerializer.Deserialize<T>(json.Span, ApiJson.Options)
                ?? throw ApiException.BadRequest("The request body must be a JSON object, not null.");
        }
        catch (JsonException e)
        {
            throw Describe<T>(e);
        }
    }

    ApiException TooLarge() => ApiException.TooLarge($"The request body is larger than the limit of {_limit} bytes.");

    static ApiException Describe<T>(JsonException e)
    {
        // The reader's syntax errors arrive wrapped (inner JsonException); conversion errors name the property's path.
        var param = ParamOf(e.Path);
        if (e.InnerException is JsonException || param == null)
        {
            var where = e.LineNumber is { } line ? $" at line {line + 1}, column {e.BytePositionInLine + 1}" : "";
            var reason = e.InnerException is not JsonException && e.Path == "$" ? "the body must be a JSON object" : Reason(e.InnerException as JsonException ?? e);
            return ApiException.BadRequest($"We could not parse the JSON body of your request{where}: {reason}.");
        }
        var expected = ExpectedType(typeof(T), param);
        return ApiException.BadRequest(
            expected != null ? $"Invalid type for '{param}': expected {expected}." : $"Invalid value for '{param}': {Reason(e)}.",
            TopLevel(param), "invalid_type");
    }

    /// <summary>System.Text.Json's message without its own path and position suffix.</summary>
    static string Reason(JsonException e)
    {
        var message = e.Message;
        var cut = message.IndexOf(" Path:", StringComparison.Ordinal);
        if (cut >= 0) message = message[..cut];
        return message.Replace(" Change the reader options.", "", StringComparison.Ordinal).TrimEnd('.');
    }

    /// <summary><c>$.messages[0].content</c> → <c>messages[0].content</c>; <c>$</c> → null.</summary>
    static string? ParamOf(string? path) => path is null or "$" ? null : path.StartsWith("$.", StringComparison.Ordinal) ? path[2..] : path.TrimStart('$');

    static string TopLevel(string param)
    {
        var end = param.IndexOfAny(['.', '[']);
        return end < 0 ? param : param[..end];
    }

    /// <summary>What a top-level property expects, in JSON's words, for a message a caller can act on.</summary>
    static string? ExpectedType(Type request, string param)
    {
        if (param.IndexOfAny(['.', '[']) >= 0) return null;
        var property = request.GetProperties(BindingFlags.Public | BindingFlags.Instance)
            .FirstOrDefault(p => ApiJson.Options.PropertyNamingPolicy!.ConvertName(p.Name) == param);
        if (property == null) return null;
        var type = Nullable.GetUnderlyingType(property.PropertyType) ?? property.PropertyType;
        return type switch
        {
            _ when type == typeof(int) || type == typeof(long) => "an integer",
            _ when type == typeof(float) || type == typeof(double) => "a number",
            _ when type == typeof(bool) => "a boolean",
            _ when type == typeof(string) => "a string",
            _ when type.IsArray || (type.IsGenericType && type.GetGenericTypeDefinition() == typeof(IReadOnlyList<>)) => "an array",
            _ when type == typeof(JsonElement) => null,
            _ => "an object",
        };
    }
}

using System.Globalization;
using System.Security.Cryptography;
using Microsoft.AspNetCore.Http;
using Microsoft.Extensions.Options;
using Provocapi.Host.Server;

namespace Provocapi.Host.Platform.Headers;

/// <summary>
/// Gives every response <c>X-Request-Id</c> (an incoming well-formed one is kept), <c>X-Provocapi-Worker</c>,
/// <c>X-Provocapi-Queue-Ms</c> and, once a model is resolved, <c>X-Provocapi-Model</c>.
/// </summary>
public sealed class ResponseHeadersMiddleware(RequestDelegate next, IOptions<ServerOptions> options)
{
    public const string RequestIdHeader = "X-Request-Id";
    public const string WorkerHeader = "X-Provocapi-Worker";
    public const string QueueMsHeader = "X-Provocapi-Queue-Ms";
    public const string ModelHeader = "X-Provocapi-Model";

    readonly string _worker = options.Value.WorkerId;

    public Task InvokeAsync(HttpContext http)
    {
        var incoming = http.Request.Headers[RequestIdHeader].ToString();
        var info = new RequestInfo(IsWellFormed(incoming) ? incoming : NewRequestId());
        http.Features.Set(info);
        http.Response.OnStarting(() =>
        {
            var headers = http.Response.Headers;
            headers[RequestIdHeader] = info.RequestId;
            headers[WorkerHeader] = info.Worker ?? _worker;
            headers[QueueMsHeader] = ((long)info.QueueTime.TotalMilliseconds).ToString(CultureInfo.InvariantCulture);
            if (info.Model != null) headers[ModelHeader] = info.Model;
            return Task.CompletedTask;
        });
        return next(http);
    }

    public static string NewRequestId() => "req_" + Convert.ToHexStringLower(RandomNumberGenerator.GetBytes(16));

    /// <summary>1 to 128 characters of letters, digits and <c>-_.:</c>, so a logged or echoed id cannot inject anything.</summary>
    public static bool IsWellFormed(string id)
    {
        if (id.Length is 0 or > 128) return false;
        foreach (var c in id)
            if (!(char.IsAsciiLetterOrDigit(c) || c is '-' or '_' or '.' or ':')) return false;
        return true;
    }
}

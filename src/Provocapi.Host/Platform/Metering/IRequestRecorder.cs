using Microsoft.AspNetCore.Http;

namespace Provocapi.Host.Platform.Metering;

/// <summary>
/// Records a finished request's usage. The usage module's middleware calls it for HTTP requests; work that runs an
/// endpoint without one (batch lines) calls it itself.
/// </summary>
public interface IRequestRecorder
{
    void RequestEnded(HttpContext http, int statusCode);
}

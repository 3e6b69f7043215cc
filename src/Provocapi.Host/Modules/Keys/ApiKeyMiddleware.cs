using Microsoft.AspNetCore.Http;
using Provocapi.Host.Modules.Keys.RateLimits;

namespace Provocapi.Host.Modules.Keys;

/// <summary>Every <c>/v1</c> request needs a valid key; it becomes the request's caller and counts against its tenant's requests per minute.</summary>
public sealed class ApiKeyMiddleware(RequestDelegate next, ApiKeyAuthenticator authenticator, TenantRateLimiter limiter)
{
    public Task InvokeAsync(HttpContext http)
    {
        if (!http.Request.Path.StartsWithSegments("/v1")) return next(http);
        var caller = authenticator.Authenticate(http.Request.Headers.Authorization);
        http.Features.Set(caller);
        limiter.CountRequest(http, caller);
        return next(http);
    }
}

using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Routing;
using Microsoft.Net.Http.Headers;

namespace Provocapi.Host.Modules.Console;

/// <summary>
/// <c>GET /</c> (the page) and <c>GET /console/{path}</c> (its assets), only these routes, so <c>/v1</c>, <c>/health</c>,
/// <c>/ready</c>, <c>/metrics</c> and <c>/openapi.json</c> stay the API's. Every answer carries a strict
/// Content-Security-Policy (scripts and styles from this origin only, nothing inline, fetches to this origin only) and
/// an ETag; a matching <c>If-None-Match</c> is a 304. <c>no-cache</c> makes browsers revalidate, so an upgraded server's
/// files are picked up at once while unchanged ones cost a 304.
/// </summary>
public static class ConsoleAssetEndpoint
{
    public const string IndexPath = "index.html";

    public const string ContentSecurityPolicy =
        "default-src 'none'; script-src 'self'; style-src 'self'; img-src 'self' data:; connect-src 'self'; " +
        "base-uri 'none'; form-action 'none'; frame-ancestors 'none'";

    public static IEndpointRouteBuilder MapConsoleAssets(this IEndpointRouteBuilder app)
    {
        app.MapGet("/", (HttpContext http, ConsoleAssets assets) => Serve(http, assets.Find(IndexPath)))
            .WithName("console").ExcludeFromDescription();
        app.MapGet("/console/{**path}", (HttpContext http, ConsoleAssets assets, string? path) =>
                Serve(http, path == null ? null : assets.Find(path)))
            .WithName("consoleAsset").ExcludeFromDescription();
        return app;
    }

    static IResult Serve(HttpContext http, ConsoleAsset? asset)
    {
        if (asset == null) return Results.NotFound();
        var headers = http.Response.Headers;
        headers[HeaderNames.ContentSecurityPolicy] = ContentSecurityPolicy;
        headers[HeaderNames.XContentTypeOptions] = "nosniff";
        headers["Referrer-Policy"] = "no-referrer";
        headers[HeaderNames.CacheControl] = "no-cache";
        headers[HeaderNames.ETag] = asset.ETag;
        if (http.Request.Headers.IfNoneMatch.Any(value => value != null && value.Split(',').Any(tag => tag.Trim() == asset.ETag || tag.Trim() == "*")))
            return Results.StatusCode(StatusCodes.Status304NotModified);
        return Results.Bytes(asset.Content, asset.ContentType);
    }
}

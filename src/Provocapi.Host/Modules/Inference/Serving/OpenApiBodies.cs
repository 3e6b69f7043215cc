using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.OpenApi;
using Microsoft.OpenApi;

namespace Provocapi.Host.Modules.Inference.Serving;

public static class OpenApiBodies
{
    /// <summary>
    /// Documents a JSON request body of <typeparamref name="T"/> without ASP.NET Core's <c>Accepts</c> content-type
    /// filter: like OpenAI's API, the body is read as JSON whatever the Content-Type says (curl's -d sends a form type).
    /// </summary>
    public static RouteHandlerBuilder AcceptsJson<T>(this RouteHandlerBuilder builder) =>
        builder.AddOpenApiOperationTransformer(async (operation, context, cancellationToken) =>
        {
            var schema = await context.GetOrCreateSchemaAsync(typeof(T), null, cancellationToken);
            operation.RequestBody = new OpenApiRequestBody
            {
                Required = true,
                Content = new Dictionary<string, OpenApiMediaType> { ["application/json"] = new() { Schema = schema } },
            };
        });

    /// <summary>Documents the 200 response's <c>text/event-stream</c> form (<c>stream: true</c>): events of <typeparamref name="T"/>.</summary>
    public static RouteHandlerBuilder ProducesEventStream<T>(this RouteHandlerBuilder builder) =>
        builder.AddOpenApiOperationTransformer(async (operation, context, cancellationToken) =>
        {
            var schema = await context.GetOrCreateSchemaAsync(typeof(T), null, cancellationToken);
            if (operation.Responses?.TryGetValue("200", out var ok) == true && ok is OpenApiResponse response)
            {
                response.Content ??= new Dictionary<string, OpenApiMediaType>();
                response.Content["text/event-stream"] = new OpenApiMediaType { Schema = schema };
            }
        });
}

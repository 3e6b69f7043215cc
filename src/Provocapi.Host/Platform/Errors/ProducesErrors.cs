using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Http;

namespace Provocapi.Host.Platform.Errors;

public static class ProducesErrorsExtensions
{
    /// <summary>Declares, for the OpenAPI document, the error statuses an endpoint answers with the error envelope.</summary>
    public static RouteHandlerBuilder ProducesErrors(this RouteHandlerBuilder builder, params int[] statusCodes)
    {
        foreach (var status in statusCodes) builder.Produces<ErrorResponse>(status, "application/json");
        return builder;
    }
}

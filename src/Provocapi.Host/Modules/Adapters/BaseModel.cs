using Microsoft.AspNetCore.Http;
using Provocapi.Engine.Models;
using Provocapi.Host.Platform.Callers;
using Provocapi.Host.Platform.Errors;
using Provocapi.Host.Platform.Models;

namespace Provocapi.Host.Modules.Adapters;

/// <summary>The served chat model an adapter is for, as the caller names it (id or alias).</summary>
public static class BaseModel
{
    public static (string Id, TransformerConfig Config) Require(IModelDirectory models, string? name, Caller caller)
    {
        if (string.IsNullOrEmpty(name)) throw ApiException.BadRequest("You must provide 'base_model'.", "base_model", "missing_required_parameter");
        return models.FindChatModel(name, caller) ?? throw new ApiException(StatusCodes.Status404NotFound,
            new ApiError($"The model '{name}' does not exist or you do not have access to it.", "invalid_request_error", "model_not_found", "base_model"));
    }

    public static ApiException NameTaken(string name) => new(StatusCodes.Status409Conflict,
        new ApiError($"You already have an adapter named '{name}'. Delete it first or choose another name.", "invalid_request_error", "adapter_exists", "name"));
}

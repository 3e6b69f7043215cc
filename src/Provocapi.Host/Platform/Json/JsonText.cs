using System.Text.Json;
using Provocapi.Host.Platform.Errors;

namespace Provocapi.Host.Platform.Json;

public static class JsonText
{
    /// <summary>
    /// A string held in a raw <see cref="JsonElement"/>; text that is not valid Unicode (a lone surrogate escape,
    /// a stray byte) is a 400 naming <paramref name="param"/>, not an exception deep in an endpoint.
    /// </summary>
    public static string Text(this JsonElement element, string param)
    {
        try { return element.GetString()!; }
        catch (InvalidOperationException)
        {
            throw ApiException.BadRequest($"Invalid '{param}': the text is not valid Unicode.", param, "invalid_value");
        }
    }
}

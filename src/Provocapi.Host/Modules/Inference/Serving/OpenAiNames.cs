using System.Security.Cryptography;
using Provocapi.Core.Generation;

namespace Provocapi.Host.Modules.Inference.Serving;

/// <summary>OpenAI's spellings: finish reasons and response ids.</summary>
public static class OpenAiNames
{
    public static string FinishReason(FinishReason reason) => reason switch
    {
        Core.Generation.FinishReason.Length => "length",
        _ => "stop",
    };

    /// <summary>An id such as <c>chatcmpl-…</c> or <c>cmpl-…</c>: the kind and 24 random characters.</summary>
    public static string ResponseId(string kind) => kind + "-" + Convert.ToHexStringLower(RandomNumberGenerator.GetBytes(12));

    public static long UnixNow() => DateTimeOffset.UtcNow.ToUnixTimeSeconds();
}

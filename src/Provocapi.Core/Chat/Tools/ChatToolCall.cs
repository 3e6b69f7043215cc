using System.Security.Cryptography;

namespace Provocapi.Core.Chat.Tools;

/// <summary>A call the model made: an id to answer it by, the function's name, and its arguments as a JSON string (OpenAI's shape).</summary>
public sealed record ChatToolCall(string Id, string Name, string Arguments)
{
    const string Alphanumeric = "abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789";

    /// <summary>A fresh id of <paramref name="length"/> random letters and digits after <paramref name="prefix"/>.</summary>
    public static string NewId(string prefix, int length) => prefix + RandomNumberGenerator.GetString(Alphanumeric, length);
}

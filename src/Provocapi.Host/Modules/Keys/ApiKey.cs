using System.Security.Cryptography;
using System.Text;

namespace Provocapi.Host.Modules.Keys;

/// <summary>
/// The key format: <c>pk-prov-</c> and 40 random URL-safe characters (240 bits). The first 12 random characters
/// (with the scheme, <see cref="PrefixLength"/>) are a public lookup prefix; the whole key is only ever stored hashed.
/// </summary>
public static class ApiKey
{
    public const string Scheme = "pk-prov-";
    public const int RandomLength = 40;
    public const int PrefixLength = 8 + 12;
    const string Alphabet = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_";

    public static string Generate() => Scheme + new string(RandomNumberGenerator.GetItems<char>(Alphabet, RandomLength));

    /// <summary>The lookup prefix of a presented key, or null when it cannot be one of ours.</summary>
    public static string? PrefixOf(string key)
    {
        if (key.Length != Scheme.Length + RandomLength || !key.StartsWith(Scheme, StringComparison.Ordinal)) return null;
        foreach (var c in key.AsSpan(Scheme.Length))
            if (!char.IsAsciiLetterOrDigit(c) && c is not ('-' or '_')) return null;
        return key[..PrefixLength];
    }

    public static byte[] Hash(string key) => SHA256.HashData(Encoding.UTF8.GetBytes(key));

    /// <summary>Compares hashes in constant time, so response timing reveals nothing about a stored key.</summary>
    public static bool Matches(string key, byte[] storedHash) => CryptographicOperations.FixedTimeEquals(Hash(key), storedHash);
}

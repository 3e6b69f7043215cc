using System.Reflection;
using System.Security.Cryptography;

namespace Provocapi.Host.Modules.Console;

/// <summary>One embedded console file: its bytes, content type and a strong ETag over its content.</summary>
public sealed record ConsoleAsset(string Path, byte[] Content, string ContentType, string ETag);

/// <summary>
/// The console's files, read once from the assembly's resources named <c>console/PATH</c> (see the project file).
/// They are a few tens of kilobytes, so holding them in memory costs less than reading resources per request.
/// </summary>
public sealed class ConsoleAssets(IReadOnlyDictionary<string, ConsoleAsset> files)
{
    const string ResourcePrefix = "console/";

    static readonly Dictionary<string, string> ContentTypes = new(StringComparer.OrdinalIgnoreCase)
    {
        [".html"] = "text/html; charset=utf-8",
        [".js"] = "text/javascript; charset=utf-8",
        [".css"] = "text/css; charset=utf-8",
        [".svg"] = "image/svg+xml",
        [".json"] = "application/json",
    };

    public IReadOnlyCollection<string> Paths => files.Keys.ToList();

    public ConsoleAsset? Find(string path) => files.GetValueOrDefault(path);

    public static ConsoleAssets FromAssembly(Assembly assembly)
    {
        var files = new Dictionary<string, ConsoleAsset>(StringComparer.Ordinal);
        foreach (var name in assembly.GetManifestResourceNames().Where(n => n.StartsWith(ResourcePrefix, StringComparison.Ordinal)))
        {
            var path = name[ResourcePrefix.Length..];
            // Only known kinds are served, so a stray file in the folder cannot go out with a guessed type.
            if (!ContentTypes.TryGetValue(System.IO.Path.GetExtension(path), out var type)) continue;
            using var stream = assembly.GetManifestResourceStream(name)!;
            using var memory = new MemoryStream();
            stream.CopyTo(memory);
            var content = memory.ToArray();
            files[path] = new ConsoleAsset(path, content, type, $"\"{Convert.ToHexStringLower(SHA256.HashData(content))[..32]}\"");
        }
        return new ConsoleAssets(files);
    }
}
